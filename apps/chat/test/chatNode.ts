import { startAppProcess, type AppProcess } from '@twohop/testkit/node';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts a chat node in redis mode on `redisUrl` in a process of its own, as `pnpm start --nodes N` runs it (`env`
 * added), and resolves once it listens. The cleanup pushed onto `cleanups` kills it (SIGKILL, by PID) if it still runs.
 */
export async function startChatNode(
  cleanups: Array<() => unknown>,
  redisUrl: string,
  name: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const node = await startAppProcess({
    root,
    app: 'chat',
    name,
    env: { TWOHOP_REDIS_URL: redisUrl, ...env },
    timeoutMs: 30_000,
  });
  cleanups.push(() => node.stop('SIGKILL'));
  return node;
}
