import { startAppProcess } from '@twohop/cluster';
import { fileURLToPath } from 'node:url';
import type { AppCluster } from '../../test/conformance/cluster/appCluster.js';
import type { ClusterAdapter } from '../../test/conformance/cluster/ClusterAdapter.js';

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
  const child = await startAppProcess({
    root,
    app: adapter.app,
    name: 'embedded',
    env: { ...adapter.env, TWOHOP_REDIS_URL: undefined },
  });
  const url = child.url;
  const refuse = () => Promise.reject(new Error('an embedded app has one node'));
  return {
    adapter,
    view: { url, nodes: ['embedded'], route: () => ({ url, headers: {} }) },
    app: {
      name: adapter.app,
      publicUrl: url,
      publicPort: child.port,
      sticky: false,
      nodes: [],
      singletons: [],
    },
    pid: child.pid,
    routesTo: () => Promise.resolve(true),
    live: () => ['embedded'],
    kill: refuse,
    restart: refuse,
    stop: async () => void (await child.stop()),
  };
}
