import { startAppProcess, type AppProcess } from '@twohop/testkit/node';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts the IoT app in `role` on `redisUrl` in a process of its own, as `pnpm start --nodes N` runs it (a small
 * fleet, history in memory, a short broker heartbeat, `env` added), and resolves once it listens. Stop it with
 * `stop()` (SIGTERM, SIGKILL after a grace) or `stop('SIGKILL')` (a crash).
 */
export function clusterProcess(
  redisUrl: string,
  role: 'host' | 'node' | 'simulator',
  name: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  return startAppProcess({
    root,
    app: 'iot',
    name,
    env: {
      TWOHOP_REDIS_URL: redisUrl,
      IOT_ROLE: role,
      IOT_DB: ':memory:',
      IOT_BUILDINGS: '1',
      IOT_FLOORS: '2',
      IOT_DEVICES_PER_FLOOR: '3',
      IOT_RATE: '2',
      IOT_BROKER_HEARTBEAT_MS: '2000',
      ...env,
    },
  });
}
