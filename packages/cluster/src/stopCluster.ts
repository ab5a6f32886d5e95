import type { AppProcess } from './appProcess.js';
import type { NginxServer } from './nginx.js';
import { describeExit } from './process.js';
import type { RedisServer } from './redisServer.js';

/** What went wrong in the launcher, by a stable code. */
export type ClusterErrorCode =
  'cluster_start_failed' | 'invalid_nodes' | 'unknown_app' | 'unknown_process' | 'no_route_header';

/** Thrown by the launcher; `code` is stable, the message says what to do. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Stops a cluster's processes by PID, each with a `stopping…` and a `stopped` line: every node and singleton at once
 * (SIGTERM: each closes gracefully), then nginx, then the redis-server (last, so the apps could still write on their
 * way out).
 */
export async function stopInOrder(
  processes: readonly AppProcess[],
  nginx: NginxServer | undefined,
  redis: RedisServer | undefined,
  log: (line: string) => void,
): Promise<void> {
  await Promise.all(
    processes
      .filter((child) => child.running)
      .map(async (child) => {
        log(`${child.name}: stopping… (pid ${child.pid})`);
        const exit = await child.stop('SIGTERM');
        log(`${child.name}: stopped${exit.code === 0 ? '' : ` (${describeExit(exit)})`}`);
      }),
  );
  for (const [name, server] of [
    ['nginx', nginx],
    ['redis-server', redis],
  ] as const) {
    if (server === undefined) continue;
    log(`${name}: stopping… (pid ${server.pid})`);
    await server.stop();
    log(`${name}: stopped`);
  }
}
