import {
  createWebApp,
  type AppManifest,
  type AppRuntime,
  type ListedNode,
  type WebApp,
} from '@twohop/app-kit';

/** What a `/healthz` said, or why it could not be asked. */
export type Health = { status: string; mode?: string; node?: string } | { status: 'down'; error: string };

/** One node of an app, as the registry lists it, with what its own `/healthz` said just now. */
export interface NodeStatus extends ListedNode {
  readonly health: Health;
}

/** An app with what its `/healthz` said just now (through the load balancer, on a cluster), and its nodes. */
export interface AppStatus extends AppManifest {
  readonly url: string;
  readonly health: Health;
  /** Its nodes, when the portal reads a node registry (redis mode); none listed when it runs on one process. */
  readonly nodes?: readonly NodeStatus[];
}

/** Options for {@link createPortal}. */
export interface PortalOptions {
  /** The apps to list, each at the port it listens on. */
  apps: readonly AppManifest[];
  /** Where the apps listen. @default '127.0.0.1' */
  host?: string;
  /** How long one health probe may take. @default 1000 */
  timeoutMs?: number;
  /** Mode and node id, as `/healthz` reports them. @default embedded */
  runtime?: AppRuntime;
  /** Every node in the registry (app-kit's `listNodes` on the cluster's Redis); given, each app lists its nodes. */
  nodes?: () => Promise<readonly ListedNode[]>;
}

/**
 * The portal: `/` (its Vue page, built into `dist/web`) lists every app with a link and its live health, and on a
 * cluster each of its nodes with its own (the page polls `/api/apps`, which probes each app's and node's `/healthz`
 * server-side, so the browser needs no cross-origin access). A node that stopped beating is listed as down until the
 * registry forgets it.
 */
export function createPortal(options: PortalOptions): WebApp {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 1000;
  const kit = createWebApp({
    name: 'portal',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: new URL('../../dist/web/', import.meta.url),
    uiHint: 'pnpm --filter @twohop/portal build',
  });
  const probe = async (url: string): Promise<Health> => {
    try {
      const reply = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await reply.json()) as Health;
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  };
  kit.routes.get('/api/apps', async (_request, response) => {
    let nodes: readonly ListedNode[] | undefined;
    try {
      nodes = await options.nodes?.();
    } catch {
      nodes = undefined; // the registry is unreachable: list the apps alone
    }
    const statuses: AppStatus[] = await Promise.all(
      options.apps.map(async (entry) => {
        const url = `http://${host}:${entry.port}`;
        const mine = nodes?.filter((node) => node.app === entry.name);
        return {
          ...entry,
          url,
          health: await probe(url),
          ...(mine === undefined
            ? {}
            : {
                nodes: await Promise.all(
                  mine.map(async (node): Promise<NodeStatus> => ({
                    ...node,
                    health: node.beating
                      ? await probe(node.url)
                      : { status: 'down', error: 'no heartbeat: the node stopped' },
                  })),
                ),
              }),
        };
      }),
    );
    response.json(statuses);
  });
  return kit;
}
