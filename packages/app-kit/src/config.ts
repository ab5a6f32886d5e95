import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * How an app shares state with other nodes: `embedded` (one process, the in-process bus) or `redis` (several nodes
 * through Redis: `TWOHOP_REDIS_URL`).
 */
export type AppMode = 'embedded' | 'redis';

/** What every app knows about where it runs; `/healthz` reports it. */
export interface AppRuntime {
  readonly mode: AppMode;
  /** This process's id among the app's nodes. @default `<hostname>-<pid>` */
  readonly node: string;
}

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every app's configuration, read from the environment by {@link loadConfig}. */
export interface AppConfig extends AppRuntime {
  /** `PORT`: where to listen. @default the app's default port + `portOffset` */
  readonly port: number;
  /** `HOST`. @default '127.0.0.1' */
  readonly host: string;
  /** `TWOHOP_PORT_OFFSET`: added to every app's default port (to run a second set of apps beside the first). @default 0 */
  readonly portOffset: number;
  /** `TWOHOP_LOG_LEVEL`. @default 'info' */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `TWOHOP_LOG_FORMAT`: JSON lines, or one readable line per event. @default 'pretty' at a terminal, else 'json' */
  readonly logFormat: 'json' | 'pretty';
  /** `TWOHOP_REDIS_URL`: the Redis the nodes share; given, the mode is `redis`. */
  readonly redisUrl?: string;
}

/** Thrown by {@link loadConfig}: every problem found, one per line, each naming its variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

/** The exit code of a process that stops on a {@link ConfigError} (sysexits' EX_CONFIG). */
export const CONFIG_EXIT_CODE = 78;

/** An unset or empty variable is "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const wholeNumber = (max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .refine((value) => value <= max, `must be ${what}`);

/** The runtime variables, each on its own. */
const runtimeFields = z.object({
  PORT: optional(wholeNumber(65_535, 'a port number from 0 to 65535')),
  HOST: optional(z.string().regex(/^[\w.:[\]-]+$/, 'must be a host name or an IP address')),
  TWOHOP_PORT_OFFSET: optional(wholeNumber(10_000, 'a whole number from 0 to 10000')),
  TWOHOP_MODE: optional(z.enum(['embedded', 'redis'], { error: 'must be embedded or redis' })),
  TWOHOP_REDIS_URL: optional(
    z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// (or rediss://) URL, e.g. redis://127.0.0.1:6379'),
  ),
  TWOHOP_NODE: optional(z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1–64 letters, digits, and . : _ -')),
  TWOHOP_LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  TWOHOP_LOG_FORMAT: optional(z.enum(['json', 'pretty'], { error: 'must be json or pretty' })),
});

/** …and how they must agree. */
const runtimeEnv = runtimeFields
  .refine((env) => env.TWOHOP_MODE !== 'redis' || env.TWOHOP_REDIS_URL !== undefined, {
    path: ['TWOHOP_MODE'],
    message: 'redis needs TWOHOP_REDIS_URL (the Redis every node shares, e.g. redis://127.0.0.1:6379)',
  })
  .refine((env) => env.TWOHOP_MODE !== 'embedded' || env.TWOHOP_REDIS_URL === undefined, {
    path: ['TWOHOP_MODE'],
    message: 'embedded contradicts TWOHOP_REDIS_URL (unset one of them)',
  });

/** The variables every app reads through {@link loadConfig}: `PORT`, `HOST` and the `TWOHOP_*` ones. */
export const CONFIG_VARIABLES = Object.keys(runtimeFields.shape) as ReadonlyArray<
  keyof typeof runtimeFields.shape
>;

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions<Settings> {
  /** The app's default port (its manifest's `port`). */
  defaultPort: number;
  /** The app's own variables (`CHAT_DB`, `ORDERBOOK_RATE`, …), validated in the same pass. */
  settings?: z.ZodType<Settings>;
  /** Whether stdout is a terminal (for the default log format). @default process.stdout.isTTY */
  tty?: boolean;
}

const describe = (issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string => {
  const name = issue.path.join('.');
  const given = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
  return given === undefined
    ? `${name}: ${issue.message}`
    : `${name}=${JSON.stringify(given)}: ${issue.message}`;
};

/**
 * Reads `PORT`, `HOST`, `TWOHOP_*` and the app's own settings from `env`, all validated at once; throws a
 * {@link ConfigError} listing every problem.
 */
export function loadConfig<Settings = Record<string, never>>(
  env: Record<string, string | undefined>,
  options: LoadConfigOptions<Settings>,
): { config: AppConfig; settings: Settings } {
  const runtime = runtimeEnv.safeParse(env);
  const settings = (options.settings ?? z.object({})).safeParse(env);
  const issues = [...(runtime.error?.issues ?? []), ...(settings.error?.issues ?? [])];
  if (!runtime.success || !settings.success || issues.length > 0)
    throw new ConfigError(issues.map((issue) => describe(issue, env)));
  const parsed = runtime.data;
  const portOffset = parsed.TWOHOP_PORT_OFFSET ?? 0;
  const config: AppConfig = {
    port: parsed.PORT ?? options.defaultPort + portOffset,
    host: parsed.HOST ?? '127.0.0.1',
    portOffset,
    mode: parsed.TWOHOP_REDIS_URL === undefined ? 'embedded' : 'redis',
    node: parsed.TWOHOP_NODE ?? defaultNode(),
    logLevel: parsed.TWOHOP_LOG_LEVEL ?? 'info',
    logFormat: parsed.TWOHOP_LOG_FORMAT ?? ((options.tty ?? process.stdout.isTTY) ? 'pretty' : 'json'),
    ...(parsed.TWOHOP_REDIS_URL === undefined ? {} : { redisUrl: parsed.TWOHOP_REDIS_URL }),
  };
  return { config, settings: settings.data as Settings };
}

/** This process's default node id: `<hostname>-<pid>`. */
export const defaultNode = (): string => `${hostname()}-${process.pid}`;

/** The runtime of an app started without configuration (tests, scripts): embedded, on this process's node id. */
export const embeddedRuntime = (): AppRuntime => ({ mode: 'embedded', node: defaultNode() });
