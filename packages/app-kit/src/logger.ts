import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from './config.js';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The app's name, on every line. */
  name: string;
  /** @default 'info' */
  level?: AppConfig['logLevel'];
  /** `json`: one JSON object per line; `pretty`: `12:00:01 orderbook: listening on …`. @default 'json' */
  format?: AppConfig['logFormat'];
}

/**
 * A pino logger carrying the app's name. Both formats write synchronously, so the last lines before `exit` are never
 * lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = { name: options.name, level: options.level ?? 'info' };
  if (options.format === 'pretty')
    return pino(
      settings,
      pretty({
        sync: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,name',
        messageFormat: '{name}: {msg}',
      }),
    );
  return pino(settings, pino.destination({ sync: true }));
}
