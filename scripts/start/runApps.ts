import type { AppManifest } from '@twohop/app-kit';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

/** Apps each running in one process of its own, as `pnpm start` runs them without `--nodes`. */
export interface RunningApps {
  /** Tells every app still running to stop (once). */
  stop(signal: NodeJS.Signals): void;
  /** Resolves when every app has exited: true when each exited 0. */
  readonly done: Promise<boolean>;
}

/** Options for {@link runApps}. */
export interface RunAppsOptions {
  readonly root: string;
  readonly apps: readonly AppManifest[];
  /** Each app's environment (its PORT included). */
  env(app: AppManifest): Record<string, string | undefined>;
  /** Restart an app when its source changes (`tsx watch`). */
  readonly dev?: boolean;
  /** An app ended on its own with a failure, before {@link RunningApps.stop}. */
  onFailure?(app: string): void;
}

/**
 * Runs each app's `src/server/main.ts` in a process of its own, output on this terminal. Each leads a process group of
 * its own, so a Ctrl-C at the terminal reaches this script only, and each app is told once.
 */
export function runApps(options: RunAppsOptions): RunningApps {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const children = options.apps.map((app): [string, ChildProcess] => {
    const main = `${options.root}apps/${app.name}/src/server/main.ts`;
    const args = options.dev ? [tsxCli, 'watch', '--clear-screen=false', main] : ['--import', 'tsx', main];
    return [
      app.name,
      spawn(process.execPath, args, {
        cwd: `${options.root}apps/${app.name}`,
        env: options.env(app),
        stdio: 'inherit',
        detached: true,
      }),
    ];
  });
  let stopping: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) return;
    stopping = signal;
    for (const [, child] of children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        // `tsx watch` runs the app in a child of its own: the whole group is told.
        process.kill(options.dev ? -child.pid : child.pid, signal);
      } catch {
        // It has just exited.
      }
    }
  };
  const done = Promise.all(
    children.map(
      ([name, child]) =>
        new Promise<boolean>((resolve) =>
          child.on('exit', (code, signal) => {
            // An app still starting when told to stop has no handler yet: the signal ends it, as asked.
            const ok = code === 0 || (signal !== null && signal === stopping);
            if (!ok) {
              console.error(`start: ${name} ended with ${signal ?? `exit code ${code}`}`);
              if (stopping === undefined) options.onFailure?.(name);
            }
            resolve(ok);
          }),
        ),
    ),
  ).then((results) => results.every(Boolean));
  return { stop, done };
}
