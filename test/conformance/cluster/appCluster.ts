import { discoverApps } from '@twohop/app-kit';
import { ROUTE_HEADER, startCluster, type Cluster, type ClusterApp } from '@twohop/cluster';
import type { ClusterAdapter, ClusterView } from './ClusterAdapter.js';

const root = new URL('../../../', import.meta.url);

/** One app of a running cluster as the property and the scenarios drive it: its view, and its nodes' faults. */
export interface AppCluster {
  readonly adapter: ClusterAdapter;
  readonly view: ClusterView;
  /** The launcher's view of the app (its nodes' PIDs and URLs, its singletons). */
  readonly app: ClusterApp;
  /** The serving nodes running now, in nginx's order. */
  live(): string[];
  /** Whether nginx sends a client routed to `node` to that node now (its `/healthz` names the node that answered). */
  routesTo(node: string): Promise<boolean>;
  /** SIGKILLs `node` (a crash) and resolves once it has exited. */
  kill(node: string): Promise<void>;
  /** Starts `node` again on its port; resolves once it listens. */
  restart(node: string): Promise<void>;
}

/** Options for {@link startAppClusters}. */
export interface AppClusterOptions {
  /** Serving nodes per app behind nginx. @default 3 */
  nodes?: number;
  /** A Redis of the caller's (to restart it under load); by default the launcher starts one. */
  redisUrl?: string;
  /** Each line the launcher logs. */
  log?: (line: string) => void;
}

/** The apps' cluster: each app's view, and the launcher's cluster (its Redis, nginx, `stop`). */
export interface AppClusters {
  readonly cluster: Cluster;
  /** One per adapter, in the adapters' order. */
  readonly apps: readonly AppCluster[];
}

/**
 * Starts the apps of `adapters` as one cluster through `@twohop/cluster` — a redis-server, each app's singletons,
 * `nodes` serving nodes per app and nginx in front, on free loopback ports — with each adapter's environment.
 */
export async function startAppClusters(
  adapters: readonly ClusterAdapter[],
  options: AppClusterOptions = {},
): Promise<AppClusters> {
  const wanted = new Set(adapters.map((adapter) => adapter.app));
  const cluster = await startCluster({
    root,
    apps: discoverApps(new URL('apps/', root)).filter((app) => wanted.has(app.name)),
    nodes: options.nodes ?? 3,
    env: { ...process.env, ...Object.assign({}, ...adapters.map((adapter) => adapter.env ?? {})) },
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const apps = adapters.map((adapter): AppCluster => {
    const app = cluster.app(adapter.app);
    // Killed and not listening again yet: a node restarting is running before it listens.
    const down = new Set<string>();
    const view: ClusterView = {
      url: app.publicUrl,
      nodes: app.nodes.map((node) => node.name),
      route: (node) => ({
        url: app.publicUrl,
        headers: node === undefined ? {} : { [ROUTE_HEADER]: node },
      }),
    };
    return {
      adapter,
      view,
      app,
      routesTo: async (node) => {
        const { url, headers } = view.route(node);
        const answer = await fetch(`${url}/healthz`, { headers }).catch(() => undefined);
        if (answer?.ok !== true) return false;
        return ((await answer.json()) as { node?: string }).node === node;
      },
      live: () => app.nodes.filter((node) => node.running && !down.has(node.name)).map((node) => node.name),
      kill: async (node) => {
        down.add(node);
        await cluster.kill(node, 'SIGKILL');
      },
      restart: async (node) => {
        await cluster.restart(node);
        down.delete(node);
      },
    };
  });
  return { cluster, apps };
}
