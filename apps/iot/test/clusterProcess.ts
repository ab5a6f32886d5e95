import { waitFor } from '@twohop/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));

/** One IoT process of a cluster, as `pnpm start --nodes N` runs it. */
export interface ClusterProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<unknown>;
  /** SIGTERM (a clean stop), then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `src/server/main.ts` in its own process in `role` on `redisUrl` (a small fleet, history in memory, a short
 * broker heartbeat), and resolves with its URL once it listens. Register `stop` for teardown.
 */
export async function clusterProcess(
  redisUrl: string,
  role: 'host' | 'node' | 'simulator',
  name: string,
  env: Record<string, string> = {},
): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      PORT: '0',
      TWOHOP_REDIS_URL: redisUrl,
      TWOHOP_NODE: name,
      TWOHOP_LOG_FORMAT: 'json',
      IOT_ROLE: role,
      IOT_DB: ':memory:',
      IOT_BUILDINGS: '1',
      IOT_FLOORS: '2',
      IOT_DEVICES_PER_FLOOR: '3',
      IOT_RATE: '2',
      IOT_BROKER_HEARTBEAT_MS: '2000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `${name} listening`,
      () => /listening on http/.test(output) || child.exitCode !== null,
      60_000,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`${name} did not start:\n${output}`);
  return { child, url, exited, stop };
}
