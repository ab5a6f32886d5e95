import type { AppManifest } from '@twohop/app-kit';
import {
  ClusterError,
  ensureSystemPackages,
  startCluster,
  type Cluster,
  type SystemPackage,
} from '@twohop/cluster';
import { join } from 'node:path';
import { runApps, type RunningApps } from './runApps.js';

/** What `pnpm start --nodes N` needs from the system. */
export const CLUSTER_PACKAGES: readonly SystemPackage[] = [
  { command: 'redis-server', apt: 'redis-server', usedBy: 'the Redis every node shares' },
  { command: 'nginx', apt: 'nginx', usedBy: 'the load balancer in front of each app’s nodes' },
];

/** Options for {@link startNodes}. */
export interface StartNodesOptions {
  readonly root: string;
  readonly apps: readonly AppManifest[];
  readonly nodes: number;
  readonly offset: number;
  readonly env: Record<string, string | undefined>;
  /** Where the cluster keeps its Redis data (`redis/`) and nginx configuration (`nginx/`). */
  readonly state: string;
}

/** A line of an app's own shutdown, which the launcher already says for it. */
const SHUTDOWN_LINE = /(: |"msg":")(stopping…|stopped(\s*$|"))/;

/**
 * `pnpm start --nodes N`: redis-server (its append-only file in `<state>/redis`, fsynced every second, so
 * the cluster's data outlive a restart as the embedded apps' SQLite files do), the apps with a cluster plan on N nodes each behind nginx on their
 * usual ports, and the others — the portal among them, in redis mode so it lists every node — in one process each.
 * Resolves with the exit code once everything has stopped (after SIGINT or SIGTERM, or a failed start).
 */
export async function startNodes(options: StartNodesOptions): Promise<number> {
  try {
    ensureSystemPackages(CLUSTER_PACKAGES, {
      who: `pnpm start --nodes ${options.nodes}`,
      retry: `run pnpm start --nodes ${options.nodes} again`,
    });
  } catch (error) {
    console.error(`start: ${(error as Error).message}`);
    return 69; // EX_UNAVAILABLE
  }
  const state = options.state;
  let stopSignal: NodeJS.Signals | undefined;
  let stopping: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stopSignal ??= signal;
    stopping?.();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let cluster: Cluster;
  try {
    cluster = await startCluster({
      root: options.root,
      apps: options.apps.filter((app) => app.name !== 'portal'),
      nodes: options.nodes,
      // fsync every second: fsyncing before each reply held the order book's engine (thousands of appends a second)
      // back until its shutdown missed its deadline. The chat says so at start (CHAT_REDIS_DURABILITY=warn).
      redis: { persistence: 'aof', fsync: 'everysec', dir: join(state, 'redis') },
      publicPort: (app) => app.port + options.offset,
      env: options.env,
      nginxDir: join(state, 'nginx'),
      log: (line) => console.log(`start: ${line}`),
      onOutput: (name, line) => {
        if (!SHUTDOWN_LINE.test(line)) console.log(`${name} │ ${line}`);
      },
      onExit: (node, exit) =>
        console.log(
          `start: ${node.name} ended (${exit.signal ?? `exit code ${exit.code}`})` +
            (node.role === 'node' ? '; nginx sends its clients to the other nodes' : ''),
        ),
    });
  } catch (error) {
    console.error(`start: ${error instanceof ClusterError ? error.message : (error as Error).stack}`);
    return 1;
  }
  const clustered = new Set(cluster.apps.map((app) => app.name));
  const single: RunningApps = runApps({
    root: options.root,
    apps: options.apps.filter((app) => !clustered.has(app.name)),
    env: (app) => {
      const env: Record<string, string | undefined> = {
        ...options.env,
        PORT: String(app.port + options.offset),
      };
      // The portal reads the node registry; the apps without a plan stay embedded.
      if (app.name === 'portal') env['TWOHOP_REDIS_URL'] = cluster.redisUrl;
      return env;
    },
    onFailure: () => onSignal('SIGTERM'),
  });
  for (const app of cluster.apps)
    console.log(
      `start: ${app.name} on ${app.publicUrl} (nginx → ${app.nodes.map((node) => node.name).join(', ')})`,
    );
  for (const skipped of cluster.skipped)
    console.log(
      `start: ${skipped.app} runs as one embedded process on :${portOf(options.apps, skipped.app) + options.offset}`,
    );

  await new Promise<void>((resolve) => {
    stopping = resolve;
    if (stopSignal !== undefined) resolve();
  });
  single.stop(stopSignal ?? 'SIGTERM');
  const [singleOk] = await Promise.all([single.done, cluster.stop()]);
  return singleOk ? 0 : 1;
}

const portOf = (apps: readonly AppManifest[], name: string) =>
  apps.find((app) => app.name === name)?.port ?? 0;
