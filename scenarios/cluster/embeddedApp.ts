import { freePort } from '@twohop/cluster';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppCluster } from '../../test/conformance/cluster/appCluster.js';
import type { ClusterAdapter } from '../../test/conformance/cluster/ClusterAdapter.js';
import { until } from './clusterLoad.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** An app in embedded mode (one process, no Redis), as a one-node "cluster" a load can run against. */
export interface EmbeddedApp extends AppCluster {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs `adapter`'s app as `pnpm start` does in embedded mode — its `src/server/main.ts` in a process of its own on a
 * free loopback port, with the adapter's environment and no `TWOHOP_REDIS_URL` — and resolves once it listens.
 */
export async function startEmbeddedApp(adapter: ClusterAdapter): Promise<EmbeddedApp> {
  const port = await freePort();
  const { TWOHOP_REDIS_URL: _none, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `${root}apps/${adapter.app}/src/server/main.ts`],
    {
      cwd: `${root}apps/${adapter.app}`,
      env: { ...env, ...adapter.env, PORT: String(port), HOST: '127.0.0.1', TWOHOP_NODE: 'embedded' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await until(
      `${adapter.app} (embedded) listening`,
      () => {
        if (child.exitCode !== null) throw new Error(`${adapter.app} exited:\n${output}`);
        return /listening on http/.test(output);
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  const refuse = () => Promise.reject(new Error('an embedded app has one node'));
  return {
    adapter,
    view: { url, nodes: ['embedded'], route: () => ({ url, headers: {} }) },
    app: {
      name: adapter.app,
      publicUrl: url,
      publicPort: port,
      sticky: false,
      nodes: [],
      singletons: [],
    },
    pid: child.pid!,
    routesTo: () => Promise.resolve(true),
    live: () => ['embedded'],
    kill: refuse,
    restart: refuse,
    stop,
  };
}
