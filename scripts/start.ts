/**
 * `pnpm start` / `pnpm dev`: builds every app's UI, then runs each app in apps/ (its `src/server/main.ts`) in a
 * process of its own, and stops them together on Ctrl-C (SIGINT) or SIGTERM — each app says `<app>: stopping…` and
 * `<app>: stopped`, and this exits 0. `--dev` restarts an app when its source changes.
 *
 * Every app listens on its default port (the `twohop.port` of its package.json) plus TWOHOP_PORT_OFFSET, so
 * `TWOHOP_PORT_OFFSET=1000 pnpm start` runs a second set beside the first; HOST applies to all of them. Each app is
 * given its PORT (a PORT set for this script is ignored: one port cannot serve them all).
 */
import { discoverApps } from '@twohop/app-kit';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dev = process.argv.includes('--dev');
const apps = discoverApps(new URL('../apps/', import.meta.url)).filter((app) =>
  existsSync(`${root}apps/${app.name}/src/server/main.ts`),
);

// The UIs first, so no app serves a stale one. `npm_execpath` is the pnpm running us (there may be no global pnpm).
const pnpm = process.env['npm_execpath'];
const [command, prefix] =
  pnpm !== undefined && /\.c?js$/.test(pnpm) ? [process.execPath, [pnpm]] : ['npx', ['-y', 'pnpm@10']];
const build = spawnSync(command, [...prefix, '--silent', '--filter', './apps/*', 'run', 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('start: building the apps’ UIs failed (see above)');
  process.exit(build.status ?? 1);
}

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const offset = Number(process.env['TWOHOP_PORT_OFFSET'] ?? 0);
if (!Number.isInteger(offset) || offset < 0) {
  console.error(
    `start: TWOHOP_PORT_OFFSET must be a whole number (got ${process.env['TWOHOP_PORT_OFFSET']})`,
  );
  process.exit(78);
}
const env = { ...process.env, TWOHOP_LOG_FORMAT: process.env['TWOHOP_LOG_FORMAT'] ?? 'pretty' };
/**
 * Each app leads a process group of its own, so a Ctrl-C at the terminal reaches this script only, and each app is
 * told once, by {@link stopAll}.
 */
const children = apps.map((app): [string, ChildProcess] => {
  const main = `${root}apps/${app.name}/src/server/main.ts`;
  const args = dev ? [tsxCli, 'watch', '--clear-screen=false', main] : ['--import', 'tsx', main];
  return [
    app.name,
    spawn(process.execPath, args, {
      cwd: `${root}apps/${app.name}`,
      env: { ...env, PORT: String(app.port + offset) },
      stdio: 'inherit',
      detached: true,
    }),
  ];
});

let stopping = false;
/** Tells every app still running to stop (once: the terminal and pnpm may both deliver the same Ctrl-C). */
const stopAll = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  for (const [, child] of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(dev ? -child.pid : child.pid, signal);
    } catch {
      // It has just exited.
    }
  }
};
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

let failed = false;
let running = children.length;
for (const [name, child] of children) {
  child.on('exit', (code, signal) => {
    running--;
    if (code !== 0) {
      failed = true;
      console.error(`start: ${name} ended with ${signal ?? `exit code ${code}`}`);
    }
    // One app failing takes the others down too, so a broken start is never half-running.
    if (!stopping && code !== 0) stopAll('SIGTERM');
    if (running === 0) process.exit(failed ? 1 : 0);
  });
}
