import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * An app as its package.json describes it under `twohop`: the one place its default port is written. The portal,
 * `pnpm start` and the app's own `runApp` all read it from there.
 */
export interface AppManifest {
  /** The app's folder name in apps/ (and its name in logs and metrics). */
  readonly name: string;
  readonly title: string;
  /** The default port; `PORT` overrides it and `TWOHOP_PORT_OFFSET` shifts it. */
  readonly port: number;
  readonly summary: string;
  /** Whether the portal lists it (the portal itself is not listed). @default true */
  readonly listed: boolean;
  /** How the app runs on several nodes sharing Redis (`pnpm start --nodes N`); absent while it cannot. */
  readonly cluster?: ClusterPlan;
}

/**
 * The processes of one app in a cluster, each running the app's `src/server/main.ts` in redis mode with the
 * environment given here added: N **nodes** behind the load balancer, interchangeable, serving clients; and the
 * **singletons**, one process each, that the app needs once per cluster (an order book's matching engine, a
 * simulator), reached by no client.
 */
export interface ClusterPlan {
  /** Added to the environment of each serving node. */
  readonly node: Readonly<Record<string, string>>;
  /** The processes run once per cluster beside the nodes, by name. */
  readonly singletons: readonly ClusterSingleton[];
  /**
   * Whether the load balancer must keep each client on one node. socket.io's long-polling needs it (each poll of a
   * session must reach the node holding it); clients that only use WebSocket, SSE or plain HTTP do not, and are
   * better spread by connection count. @default true
   */
  readonly sticky: boolean;
}

/** One process an app runs once per cluster. */
export interface ClusterSingleton {
  /** Its name in logs (`<app>/<name>`). */
  readonly name: string;
  /** Added to its environment. */
  readonly env: Readonly<Record<string, string>>;
}

const environment = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string());

const manifestSchema = z.object({
  name: z.string().optional(),
  twohop: z.object({
    title: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    summary: z.string(),
    listed: z.boolean().default(true),
    cluster: z
      .object({
        node: environment.default({}),
        singletons: z.array(z.object({ name: z.string().min(1), env: environment })).default([]),
        sticky: z.boolean().default(true),
      })
      .optional(),
  }),
});

/**
 * Reads the `twohop` entry of the package.json at `packageJson` (a `file:` URL or path); the app's name is its
 * folder's. Throws when the entry is missing or malformed.
 */
export function readAppManifest(packageJson: URL | string): AppManifest {
  const path = typeof packageJson === 'string' ? packageJson : fileURLToPath(packageJson);
  const parsed = manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const name = path.split(/[\\/]/).at(-2) ?? parsed.name ?? 'app';
  const { cluster, ...rest } = parsed.twohop;
  return { name, ...rest, ...(cluster === undefined ? {} : { cluster }) };
}

/** Every app in `appsDir` whose package.json has a `twohop` entry, sorted by default port. */
export function discoverApps(appsDir: URL | string): AppManifest[] {
  const dir = typeof appsDir === 'string' ? appsDir : fileURLToPath(appsDir);
  const apps: AppManifest[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(`${dir}/${entry.name}/package.json`, 'utf8'));
    } catch {
      continue; // not a package folder
    }
    if ((manifest as { twohop?: unknown }).twohop === undefined) continue;
    apps.push(readAppManifest(`${dir}/${entry.name}/package.json`));
  }
  return apps.sort((a, b) => a.port - b.port);
}
