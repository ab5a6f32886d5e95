import type { AppManifest } from '@twohop/app-kit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppProcess, type ClusterProcess } from './appProcess.js';
import { freePort } from './freePort.js';
import { startNginx, type NginxServer } from './nginx.js';
import { ROUTE_HEADER, type NginxSite } from './nginxConfig.js';
import { describeExit, type ProcessExit } from './process.js';
import { startRedisServer, type RedisServer, type RedisServerOptions } from './redisServer.js';
import { ClusterError, stopInOrder } from './stopCluster.js';

/** Options for {@link startCluster}. */
export interface ClusterOptions {
  /** The repository: each app runs `apps/<name>/src/server/main.ts` from here. */
  readonly root: string | URL;
  /** The apps (app-kit's `discoverApps`); those without a `cluster` plan are left out, each with a line saying so. */
  readonly apps: readonly AppManifest[];
  /** Serving nodes per app (behind nginx). */
  readonly nodes: number;
  /** The Redis every process shares. @default a `redis-server` started here (see `redis`) */
  readonly redisUrl?: string;
  /** How to start that `redis-server`. @default persistence off, in a temp dir */
  readonly redis?: RedisServerOptions;
  /** The port nginx listens on for `app`. @default a free port */
  readonly publicPort?: (app: AppManifest) => number;
  /** Where nginx and every process listen. @default '127.0.0.1' */
  readonly host?: string;
  /** The environment every process starts from (the plan's and the launcher's variables are added). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The launcher's own lines (`orderbook-2: stopping…`). @default none */
  readonly log?: (line: string) => void;
  /** Each line a process writes, with its name. @default kept (see `ClusterProcess.output`), not printed */
  readonly onOutput?: (process: string, line: string) => void;
  /** A process that exits on its own (a crash, a SIGKILL from outside), after the cluster started. */
  readonly onExit?: (process: ClusterProcess, exit: ProcessExit) => void;
  /** How long each process may take to listen. @default 60000 */
  readonly readyTimeoutMs?: number;
  /** nginx's directory (kept). @default a temp dir, removed on stop */
  readonly nginxDir?: string;
  /** The route header nginx honours (`false`: none). @default {@link ROUTE_HEADER} */
  readonly routeHeader?: string | false;
}

/** One app in a running cluster. */
export interface ClusterApp {
  readonly name: string;
  /** nginx's address for it: what clients connect to. */
  readonly publicUrl: string;
  readonly publicPort: number;
  /** Whether nginx keeps each client address on one node (`hash $remote_addr consistent`). */
  readonly sticky: boolean;
  /** The serving nodes, `<app>-1` … `<app>-N`. */
  readonly nodes: readonly ClusterProcess[];
  readonly singletons: readonly ClusterProcess[];
}

/** A running cluster. Every process is a child of this one, each in a process group of its own. */
export interface Cluster {
  /** The Redis every process uses. */
  readonly redisUrl: string;
  /** The `redis-server` started for the cluster, if one was. */
  readonly redis: RedisServer | undefined;
  readonly nginx: NginxServer;
  readonly apps: readonly ClusterApp[];
  /** The apps left out, and why (no `cluster` plan, no server). */
  readonly skipped: readonly { readonly app: string; readonly reason: string }[];
  /** The app by name; throws when it is not in the cluster. */
  app(name: string): ClusterApp;
  /** A node or singleton by name (`orderbook-2`, `orderbook-engine`); throws when there is none. */
  process(name: string): ClusterProcess;
  /**
   * Headers that make nginx send a request to `node` while it is up (to the app's other nodes while it is down): pass
   * them as socket.io's `extraHeaders`, a WebSocket's or a fetch's headers. Throws when the route header is off.
   */
  routeTo(node: string): Record<string, string>;
  /** Sends `signal` to the process by PID (SIGKILL: a crash) and resolves when it has exited. */
  kill(process: string | ClusterProcess, signal?: NodeJS.Signals): Promise<ProcessExit>;
  /** Starts a stopped or killed process again, on the same port, under the same name; resolves once it listens. */
  restart(process: string | ClusterProcess): Promise<ClusterProcess>;
  /** The PIDs of everything the cluster runs now: nodes, singletons, nginx and the redis-server it started. */
  pids(): number[];
  /** SIGTERM to every node and singleton, then nginx, then the redis-server it started; each by PID. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const pathOf = (root: string | URL) => (typeof root === 'string' ? root : fileURLToPath(root));

/**
 * Starts a local cluster: a `redis-server` (unless given a URL), each app's singletons and N nodes — every one
 * `node --import tsx apps/<app>/src/server/main.ts` with `TWOHOP_REDIS_URL`, `TWOHOP_NODE` and its own `PORT`, plus
 * its plan's environment — and, once all of them listen, nginx in front of each app's nodes. Rejects with a
 * {@link ClusterError} naming every process that did not start, with its output, after stopping the rest.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const root = pathOf(options.root);
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const skipped: { app: string; reason: string }[] = [];
  const planned = options.apps.filter((app) => {
    const main = join(root, 'apps', app.name, 'src', 'server', 'main.ts');
    const reason =
      app.cluster === undefined
        ? 'no cluster plan in its package.json (it does not run on several nodes yet)'
        : !existsSync(main)
          ? `no ${main}`
          : undefined;
    if (reason !== undefined) {
      skipped.push({ app: app.name, reason });
      log(`${app.name}: left out of the cluster: ${reason}`);
    }
    return reason === undefined;
  });
  if (!Number.isInteger(options.nodes) || options.nodes < 1)
    throw new ClusterError('invalid_nodes', `nodes must be a whole number from 1 (got ${options.nodes})`);

  const redis = options.redisUrl === undefined ? await startRedisServer(options.redis ?? {}) : undefined;
  const redisUrl = options.redisUrl ?? redis!.url;
  if (redis !== undefined) log(`redis-server: listening on ${redisUrl} (pid ${redis.pid})`);
  let started = false;
  const processes: AppProcess[] = [];
  const make = (app: AppManifest, name: string, role: 'node' | 'singleton', env: Record<string, string>) => {
    const child: AppProcess = new AppProcess({
      name,
      app: app.name,
      role,
      cwd: join(root, 'apps', app.name),
      main: join(root, 'apps', app.name, 'src', 'server', 'main.ts'),
      host,
      env: { ...(options.env ?? process.env), HOST: host, ...env, TWOHOP_REDIS_URL: redisUrl },
      onLine: (line) => options.onOutput?.(name, line),
      onExit: (exit) => {
        if (started) options.onExit?.(child, exit);
      },
    });
    processes.push(child);
    return child;
  };
  const apps = planned.map((app) => ({
    manifest: app,
    singletons: app.cluster!.singletons.map((s) => make(app, `${app.name}-${s.name}`, 'singleton', s.env)),
    nodes: Array.from({ length: options.nodes }, (_, i) =>
      make(app, `${app.name}-${i + 1}`, 'node', app.cluster!.node),
    ),
  }));

  const stopAll = () => stopInOrder(processes, nginx, redis, log);
  let nginx: NginxServer | undefined;
  // Singletons first (an engine before the gateways that follow it), then every node at once.
  const failures: string[] = [];
  const startAll = async (group: AppProcess[]) => {
    const results = await Promise.allSettled(group.map((child) => child.start(timeoutMs)));
    results.forEach((result, i) => {
      if (result.status === 'rejected') failures.push((result.reason as Error).message);
      else log(`${group[i]!.name}: listening on ${group[i]!.url} (pid ${group[i]!.pid})`);
    });
  };
  await startAll(apps.flatMap((app) => app.singletons));
  if (failures.length === 0) await startAll(apps.flatMap((app) => app.nodes));
  const routeHeader = options.routeHeader ?? ROUTE_HEADER;
  const sites: NginxSite[] = [];
  if (failures.length === 0)
    for (const app of apps) {
      const port = options.publicPort?.(app.manifest) ?? (await freePort());
      sites.push({
        name: app.manifest.name,
        listen: { host, port },
        sticky: app.manifest.cluster!.sticky,
        backends: app.nodes.map((node) => ({ name: node.name, host, port: node.port })),
      });
    }
  try {
    if (failures.length === 0 && sites.length > 0)
      nginx = await startNginx({
        sites,
        routeHeader,
        ...(options.nginxDir === undefined ? {} : { dir: options.nginxDir }),
      });
  } catch (error) {
    failures.push((error as Error).message);
  }
  if (failures.length > 0 || nginx === undefined) {
    await stopAll();
    throw new ClusterError(
      'cluster_start_failed',
      failures.length > 0
        ? `the cluster did not start:\n\n${failures.join('\n\n')}`
        : 'no app has a cluster plan',
    );
  }
  log(
    `nginx: ${sites.map((site) => `${site.name} on ${host}:${site.listen.port}`).join(', ')} (pid ${nginx.pid})`,
  );
  started = true;

  const find = (name: string | ClusterProcess) => {
    const wanted = typeof name === 'string' ? name : name.name;
    const found = processes.find((child) => child.name === wanted);
    if (found === undefined) throw new ClusterError('unknown_process', `no process ${wanted} in the cluster`);
    return found;
  };
  const views: ClusterApp[] = apps.map((app, i) => ({
    name: app.manifest.name,
    publicPort: sites[i]!.listen.port,
    publicUrl: `http://${host}:${sites[i]!.listen.port}`,
    sticky: sites[i]!.sticky,
    nodes: app.nodes,
    singletons: app.singletons,
  }));
  const running = nginx;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopAll());
  return {
    redisUrl,
    redis,
    nginx: running,
    apps: views,
    skipped,
    app: (name) => {
      const found = views.find((app) => app.name === name);
      if (found === undefined) throw new ClusterError('unknown_app', `no app ${name} in the cluster`);
      return found;
    },
    process: find,
    routeTo: (node) => {
      if (routeHeader === false)
        throw new ClusterError('no_route_header', 'this cluster has no route header');
      return { [routeHeader]: find(node).name };
    },
    kill: async (name, signal = 'SIGKILL') => {
      const child = find(name);
      const exit = await child.stop(signal);
      log(`${child.name}: ${describeExit(exit)}`);
      return exit;
    },
    restart: async (name) => {
      const child = find(name);
      if (child.running) await child.stop();
      await child.start(timeoutMs);
      log(`${child.name}: listening on ${child.url} again (pid ${child.pid})`);
      return child;
    },
    pids: () => [
      ...processes.filter((child) => child.running).map((child) => child.pid),
      running.pid,
      ...(redis === undefined ? [] : [redis.pid]),
    ],
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
