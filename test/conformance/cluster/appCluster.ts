import { ROUTE_HEADER, startCluster, type Cluster } from '@twohop/cluster';
import type { ClusterAdapter, ClusterView } from './ClusterAdapter.js';

/** One app's cluster as the property and the scenarios drive it: its view, and its nodes' faults. */
export interface AppCluster {
  readonly view: ClusterView;
  /** The launcher's cluster (redis-server, the app's processes, nginx). */
  readonly cluster: Cluster;
  /** The serving nodes running now, in nginx's order. */
  live(): string[];
  /** SIGKILLs `node` and resolves once it has exited. */
  kill(node: string): Promise<void>;
  /** Starts `node` again on its port; resolves once it listens. */
  restart(node: string): Promise<void>;
  stop(): Promise<void>;
}

/** Options for {@link startAppCluster}. */
export interface AppClusterOptions {
  /** Serving nodes behind nginx. @default 3 */
  nodes?: number;
  /** Environment added to every process, over the adapter's. */
  env?: Readonly<Record<string, string>>;
}

/**
 * Starts `adapter`'s app as a cluster through `@twohop/cluster`: redis-server, the app's singletons, `nodes`
 * serving nodes and nginx in front, on free loopback ports.
 */
export async function startAppCluster(
  adapter: ClusterAdapter,
  options: AppClusterOptions = {},
): Promise<AppCluster> {
  const cluster = await startCluster({
    apps: [adapter.app],
    nodes: options.nodes ?? 3,
    env: { ...adapter.env, ...options.env },
  });
  const app = cluster.apps.find((each) => each.name === adapter.app);
  if (app === undefined) throw new Error(`${adapter.app} has no cluster plan`);
  const names = app.nodes.map((node) => node.name);
  const view: ClusterView = {
    url: app.url,
    nodes: names,
    route: (node) => ({ url: app.url, headers: node === undefined ? {} : { [ROUTE_HEADER]: node } }),
  };
  const byName = (name: string) => {
    const node = app.nodes.find((each) => each.name === name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  };
  return {
    view,
    cluster,
    live: () => app.nodes.filter((node) => node.running).map((node) => node.name),
    kill: async (name) => {
      await cluster.kill(byName(name), 'SIGKILL');
    },
    restart: async (name) => {
      await cluster.restart(byName(name));
    },
    stop: () => cluster.stop(),
  };
}
