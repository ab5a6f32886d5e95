import { memoryBus, type Bus } from '@twohop/bus';
import { gracefulShutdown, type Closeable } from '@twohop/server';
import type { z } from 'zod';
import { CONFIG_EXIT_CODE, ConfigError, loadConfig, type AppConfig, type AppMode } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { readAppManifest, type AppManifest } from './manifest.js';
import { registerNode } from './nodeRegistry.js';
import { listen, type AppHandle } from './startApp.js';

/** What an app's factory is given by {@link runApp}. */
export interface AppContext<Settings> {
  readonly manifest: AppManifest;
  /** `PORT`, `HOST`, mode, node id and log settings, validated. */
  readonly config: AppConfig;
  /** The app's own variables, validated by its `settings` schema. */
  readonly settings: Settings;
  readonly logger: Logger;
  /**
   * Hop 2, as the mode asks: the in-process bus (`embedded`), or a Redis bus onto `TWOHOP_REDIS_URL` (`redis`),
   * its keys under `twohop:<app>:`. Pass it to `createApp`; it is closed after the app in any case.
   */
  readonly bus: Bus;
}

/** Options for {@link runApp}. */
export interface RunAppOptions<Settings, T extends AppHandle> {
  /** The app's manifest, or the URL of the package.json holding it (its `twohop` entry). */
  manifest: AppManifest | URL;
  /** A zod schema over the environment for the app's own variables. */
  settings?: z.ZodType<Settings>;
  /**
   * The modes the app can run in. Asked for another (`TWOHOP_REDIS_URL` for an app that does not share its state
   * through Redis yet), it stops at once, naming the app and the mode, with exit 78. @default ['embedded']
   */
  modes?: readonly AppMode[];
  /** Builds the app (not listening). */
  create(context: AppContext<Settings>): T | Promise<T>;
  /** What to add to the "listening on …" line. */
  describe?(server: T): string;
  /** How long a graceful shutdown may take before connections are cut. @default 10000 */
  deadlineMs?: number;
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** @default process.exit */
  exit?: (code: number) => void;
  /** @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[];
}

/** An app {@link runApp} started. */
export interface RunningApp<T extends AppHandle> {
  readonly server: T;
  readonly config: AppConfig;
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  /** The graceful shutdown SIGINT and SIGTERM run; ends with `exit(0)`. */
  stop(reason?: string): Promise<void>;
}

/**
 * An app's `main`: reads and validates its configuration (a problem → every problem on stderr, exit 78), builds the
 * app, listens on `HOST:PORT` and logs `<app>: listening on <url>`; on SIGINT or SIGTERM, stops accepting, tells
 * clients to reconnect elsewhere, closes the app within the deadline, logs `<app>: stopped` and exits 0.
 * Resolves once listening; never resolves when it exits instead.
 */
export async function runApp<Settings, T extends AppHandle>(
  options: RunAppOptions<Settings, T>,
): Promise<RunningApp<T>> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const manifest = options.manifest instanceof URL ? readAppManifest(options.manifest) : options.manifest;
  let loaded: ReturnType<typeof loadConfig<Settings>>;
  try {
    loaded = loadConfig(options.env ?? process.env, {
      defaultPort: manifest.port,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${manifest.name}: ${error.message}\n`);
    exit(CONFIG_EXIT_CODE);
    return new Promise<never>(() => {});
  }
  const { config, settings } = loaded;
  if (!(options.modes ?? ['embedded']).includes(config.mode)) {
    process.stderr.write(
      `${manifest.name}: ${config.mode} mode is not supported by ${manifest.name} yet: it runs embedded only ` +
        `(unset TWOHOP_REDIS_URL and TWOHOP_MODE for it)\n`,
    );
    exit(CONFIG_EXIT_CODE);
    return new Promise<never>(() => {});
  }
  const logger = createLogger({ name: manifest.name, level: config.logLevel, format: config.logFormat });
  let bus: Bus;
  try {
    bus = await openBus(config, manifest.name);
  } catch (error) {
    logger.error((error as Error).message);
    exit(1);
    return new Promise<never>(() => {});
  }
  const server = await options.create({ manifest, config, settings, logger, bus });
  const closeables: Closeable[] = [server, bus];
  // Signals are handled from before the port opens: whoever sees "listening" may stop the app at once.
  const stop = gracefulShutdown({
    server: server.http,
    closeables,
    deadlineMs: options.deadlineMs ?? 10_000,
    log: (line) => logger.info(line),
    exit,
    signals: options.signals ?? ['SIGINT', 'SIGTERM'],
  });
  let port: number;
  try {
    port = await listen(server.http, config.port, config.host);
  } catch (error) {
    logger.error(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    exit(1);
    return new Promise<never>(() => {});
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // In redis mode the node registers itself, and is the first thing its shutdown removes.
  if (config.redisUrl !== undefined)
    closeables.unshift(await registerThisNode(config.redisUrl, manifest.name, config.node, url, logger));
  const detail = options.describe?.(server);
  logger.info(
    `listening on ${url}${detail === undefined ? '' : ` (${detail})`}, ${config.mode} mode, node ${config.node}`,
  );
  return { server, config, url, port, logger, stop };
}

/**
 * Registers this node in the Redis it shares ({@link registerNode}) on a connection of its own. A Redis that does
 * not answer is logged once per outage and never stops the app: the node is listed again when Redis answers.
 */
async function registerThisNode(
  redisUrl: string,
  app: string,
  node: string,
  url: string,
  logger: Logger,
): Promise<Closeable> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {}); // reported through the beats below
  const onError = (error: unknown) => logger.warn(`node registry: ${(error as Error).message}`);
  try {
    await redis.connect();
    const registration = await registerNode({ redis, app, node, url, onError });
    return {
      close: async () => {
        await registration.close().catch(() => {});
        redis.disconnect();
      },
    };
  } catch (error) {
    onError(error);
    redis.disconnect();
    return { close: () => Promise.resolve() };
  }
}

/** The bus the mode asks for. The Redis bus (and ioredis) is loaded only when asked for. */
async function openBus(config: AppConfig, app: string): Promise<Bus> {
  if (config.redisUrl === undefined) return memoryBus();
  const { redisBus } = await import('@twohop/bus-redis');
  return redisBus({ url: config.redisUrl, prefix: `twohop:${app}:` });
}
