import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a child process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Keeps the last lines a child wrote to stdout and stderr, and hands each line on as it comes. */
export class ChildOutput {
  readonly #lines: string[] = [];
  constructor(
    child: ChildProcess,
    onLine?: (line: string) => void,
    readonly keep = 200,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      void (async () => {
        for await (const line of createInterface({ input: stream })) {
          this.#lines.push(line);
          if (this.#lines.length > this.keep) this.#lines.shift();
          onLine?.(line);
        }
      })();
    }
  }

  /** The kept lines, joined. */
  text(): string {
    return this.#lines.join('\n');
  }
}

/** Whether `child` is still running (it has neither exited nor been ended by a signal). */
export const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Resolves when `child` has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  if (!isRunning(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Sends `signal` to `child` by its PID and waits for it to exit; one still running after `graceMs` is SIGKILLed.
 * A child that has already exited is left alone.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5_000,
): Promise<ProcessExit> {
  if (!isRunning(child) || child.pid === undefined) return exitOf(child);
  const exited = exitOf(child);
  process.kill(child.pid, signal);
  const timer = setTimeout(() => {
    if (isRunning(child)) process.kill(child.pid!, 'SIGKILL');
  }, graceMs);
  const exit = await exited;
  clearTimeout(timer);
  return exit;
}

/** `SIGKILL` or `exit code 1`, for logs. */
export const describeExit = (exit: ProcessExit) => exit.signal ?? `exit code ${exit.code}`;
