import type { ChildProcess } from 'node:child_process';

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
