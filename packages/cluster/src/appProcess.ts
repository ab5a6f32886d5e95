import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ChildOutput, describeExit, exitOf, isRunning, stopChild, type ProcessExit } from './process.js';

/** One process of a cluster: a serving node behind nginx, or a singleton. */
export interface ClusterProcess {
  /** Its node id (`TWOHOP_NODE`): `<app>-<i>` for the nodes (from 1), `<app>-<singleton>` for the singletons. */
  readonly name: string;
  readonly app: string;
  readonly role: 'node' | 'singleton';
  /** Where it listens (kept across a restart). */
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the process itself, not through nginx. */
  readonly url: string;
  /** Its current PID (a restart changes it). */
  readonly pid: number;
  /** Whether it is running. */
  readonly running: boolean;
  /** Resolves when the current process exits. */
  readonly exited: Promise<ProcessExit>;
  /** The last lines it wrote to stdout and stderr. */
  output(): string;
}

/** What {@link AppProcess} runs. */
export interface AppProcessSpec {
  readonly name: string;
  readonly app: string;
  readonly role: 'node' | 'singleton';
  /** The app's folder (its working directory). */
  readonly cwd: string;
  /** The app's `src/server/main.ts`. */
  readonly main: string;
  readonly host: string;
  /** Its full environment, `PORT` aside. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Each line it writes. */
  readonly onLine?: (line: string) => void;
  /** Called when the process exits, unless {@link AppProcess.stop} or {@link AppProcess.kill} ended it. */
  readonly onExit?: (exit: ProcessExit) => void;
}

const LISTENING = /listening on (https?:\/\/[^\s",)]+)/;

/** One app process the launcher owns: started with `node --import tsx <main>`, in a process group of its own. */
export class AppProcess implements ClusterProcess {
  #child: ChildProcess | undefined;
  #output: ChildOutput | undefined;
  #port = 0;
  #expected = false;

  constructor(readonly spec: AppProcessSpec) {}

  get name() {
    return this.spec.name;
  }
  get app() {
    return this.spec.app;
  }
  get role() {
    return this.spec.role;
  }
  get port() {
    return this.#port;
  }
  get url() {
    return `http://${this.spec.host}:${this.#port}`;
  }
  get pid() {
    return this.#child?.pid ?? 0;
  }
  get running() {
    return this.#child !== undefined && isRunning(this.#child);
  }
  get exited() {
    return this.#child === undefined ? Promise.resolve({ code: null, signal: null }) : exitOf(this.#child);
  }
  output() {
    return this.#output?.text() ?? '';
  }

  /**
   * Starts it (on its previous port after the first start, on a free one the first time) and resolves once it logs
   * that it listens; rejects with its output if it exits first or is not listening within `timeoutMs`.
   */
  async start(timeoutMs: number): Promise<void> {
    this.#expected = false;
    const child = spawn(process.execPath, ['--import', 'tsx', this.spec.main], {
      cwd: this.spec.cwd,
      env: { ...this.spec.env, PORT: String(this.#port), TWOHOP_NODE: this.spec.name },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.#child = child;
    let listening: ((url: string) => void) | undefined;
    const heard = new Promise<string>((resolve) => (listening = resolve));
    this.#output = new ChildOutput(child, (line) => {
      const url = LISTENING.exec(line)?.[1];
      if (url !== undefined) listening?.(url);
      this.spec.onLine?.(line);
    });
    child.once('exit', (code, signal) => {
      if (!this.#expected) this.spec.onExit?.({ code, signal });
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      heard,
      exitOf(child).then((exit) => ({ exit })),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (typeof outcome === 'string' && outcome !== 'timeout') {
      this.#port = Number(new URL(outcome).port);
      return;
    }
    if (outcome === 'timeout') await this.stop('SIGKILL');
    const why =
      outcome === 'timeout'
        ? `not listening after ${timeoutMs} ms`
        : `exited (${describeExit(outcome.exit)})`;
    throw new Error(`${this.name} ${why}:\n${this.output() || '(no output)'}`);
  }

  /** Sends `signal` by PID and waits for it to exit (SIGKILL after `graceMs`). */
  stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ProcessExit> {
    this.#expected = true;
    return this.#child === undefined
      ? Promise.resolve({ code: null, signal: null })
      : stopChild(this.#child, signal, graceMs);
  }
}

/** Options for {@link startAppProcess}. */
export interface AppProcessOptions {
  /** The repository's root (where `apps/` is). */
  readonly root: string;
  /** The app's folder name in `apps/`. */
  readonly app: string;
  /** Its node id (`TWOHOP_NODE`). */
  readonly name: string;
  /** Added to this process's environment; a variable given as undefined is removed from it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/**
 * One process of an app on its own, as a cluster runs it but without the launcher around it (a test that starts
 * exactly the nodes it needs): `apps/<app>/src/server/main.ts` on a free port with JSON logs, resolved once it
 * listens. Stop it with {@link AppProcess.stop} (`'SIGKILL'` is a crash).
 */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const host = options.host ?? '127.0.0.1';
  const child = new AppProcess({
    name: options.name,
    app: options.app,
    role: 'node',
    cwd: join(options.root, 'apps', options.app),
    main: join(options.root, 'apps', options.app, 'src', 'server', 'main.ts'),
    host,
    env: Object.fromEntries(
      Object.entries({ ...process.env, HOST: host, TWOHOP_LOG_FORMAT: 'json', ...options.env }).filter(
        ([, value]) => value !== undefined,
      ),
    ),
  });
  await child.start(options.timeoutMs ?? 60_000);
  return child;
}
