import { execFileSync, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `message` (if given) to a forked scenario process and resolves with the first message back that carries
 * `key` — how scenarios ask their server and client processes for a port, an RSS sample or a summary.
 */
export function reply<T extends Record<string, unknown>>(
  child: ChildProcess,
  key: string,
  message?: object,
): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (received: Record<string, unknown>) => {
      if (key in received) {
        child.off('message', onMessage);
        resolve(received as T);
      }
    };
    child.on('message', onMessage);
    if (message !== undefined) child.send(message);
  });
}

/** In a scenario process: answers `{ cmd: 'cpu' }` with `{ cpu }`, its CPU time so far in µs (user + system). */
export function answerCpu(): void {
  process.on('message', (message: { cmd?: string }) => {
    if (message.cmd !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
}

/** From the parent: a process's CPU time so far in µs (it must call {@link answerCpu}). */
export const cpuOf = async (child: ChildProcess): Promise<number> =>
  (await reply<{ cpu: number }>(child, 'cpu', { cmd: 'cpu' })).cpu;

/**
 * Pins `child` and every thread it has to one core (`taskset`; threads it makes later inherit it), so a server and
 * its load generator can run on different cores of the machine instead of taking turns on both.
 */
export function pinToCore(child: ChildProcess, core: number): void {
  execFileSync('taskset', ['-a', '-pc', String(core), String(child.pid)], { stdio: 'ignore' });
}

/** The machine's 1-minute load average, rounded: how busy it was besides the scenario (say it beside the figures). */
export const loadAverage = (): string => loadavg()[0]?.toFixed(1) ?? 'n/a';
