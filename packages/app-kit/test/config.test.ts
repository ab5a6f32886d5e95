import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, defaultNode, loadConfig } from '../src/index.js';

const load = (env: Record<string, string>) => loadConfig(env, { defaultPort: 4101, tty: false });

/** The problems a configuration is refused for, one per line. */
function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('defaults: the app’s port on 127.0.0.1, embedded, node <hostname>-<pid>, info logs as JSON off a terminal', () => {
    expect(load({}).config).toEqual({
      port: 4101,
      host: '127.0.0.1',
      portOffset: 0,
      mode: 'embedded',
      node: defaultNode(),
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(defaultNode()).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('reads PORT, HOST, TWOHOP_NODE, and shifts the default port by TWOHOP_PORT_OFFSET; empty means unset', () => {
    const { config } = load({ HOST: '0.0.0.0', TWOHOP_NODE: 'node-a', TWOHOP_PORT_OFFSET: '1000', PORT: '' });
    expect(config).toMatchObject({ port: 5101, host: '0.0.0.0', node: 'node-a', portOffset: 1000 });
    expect(load({ PORT: '0', TWOHOP_PORT_OFFSET: '1000' }).config.port).toBe(0);
  });

  it('refuses every bad variable at once, each named with the value it had', () => {
    expect(problems(() => load({ PORT: 'http', TWOHOP_LOG_LEVEL: 'loud', TWOHOP_NODE: 'a b' }))).toEqual([
      'PORT="http": must be a port number from 0 to 65535',
      'TWOHOP_NODE="a b": must be 1–64 letters, digits, and . : _ -',
      'TWOHOP_LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
    expect(problems(() => load({ PORT: '70000' }))).toEqual([
      'PORT="70000": must be a port number from 0 to 65535',
    ]);
  });

  it('TWOHOP_REDIS_URL selects the redis mode; TWOHOP_MODE, when given, must agree with it', () => {
    const url = 'redis://127.0.0.1:6390';
    expect(load({ TWOHOP_REDIS_URL: url }).config).toMatchObject({ mode: 'redis', redisUrl: url });
    expect(load({ TWOHOP_REDIS_URL: url, TWOHOP_MODE: 'redis' }).config.mode).toBe('redis');
    expect(load({}).config).not.toHaveProperty('redisUrl');
    expect(problems(() => load({ TWOHOP_MODE: 'redis' }))[0]).toMatch(
      /^TWOHOP_MODE="redis": redis needs TWOHOP_REDIS_URL/,
    );
    expect(problems(() => load({ TWOHOP_MODE: 'embedded', TWOHOP_REDIS_URL: url }))[0]).toMatch(
      /^TWOHOP_MODE="embedded": embedded contradicts TWOHOP_REDIS_URL/,
    );
    expect(problems(() => load({ TWOHOP_REDIS_URL: 'http://x' }))[0]).toMatch(
      /^TWOHOP_REDIS_URL="http:\/\/x": must be a redis:\/\//,
    );
    expect(problems(() => load({ TWOHOP_MODE: 'cluster' }))[0]).toMatch(
      /^TWOHOP_MODE="cluster": must be embedded or redis/,
    );
    expect(load({ TWOHOP_MODE: 'embedded' }).config.mode).toBe('embedded');
  });

  it('validates the app’s own settings in the same pass', () => {
    const settings = z.object({ ORDERBOOK_RATE: z.coerce.number().int().min(1).default(1000) });
    expect(loadConfig({}, { defaultPort: 1, settings }).settings).toEqual({ ORDERBOOK_RATE: 1000 });
    const refused = problems(() =>
      loadConfig({ PORT: 'x', ORDERBOOK_RATE: '0' }, { defaultPort: 1, settings }),
    );
    expect(refused).toHaveLength(2);
    expect(refused[1]).toMatch(/^ORDERBOOK_RATE="0": /);
  });
});
