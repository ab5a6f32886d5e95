import type { Redis } from 'ioredis';

/**
 * Every script that announces on the feed starts with this: `KEYS[1]` is the feed (a Redis Stream), `KEYS[2]` its
 * entry count, `ARGV[1]` the feed's length bound. `publish` numbers the entry (`n`, dense: a node that sees `n` jump
 * has missed entries) and appends the event's JSON (`e`), in the same atomic step as the write it announces.
 */
export const FEED_PRELUDE = `
local function publish(event)
  local n = redis.call('INCR', KEYS[2])
  return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'n', n, 'e', event)
end
`;

/** A script as ioredis runs it: keys first, then arguments; the reply as Redis gives it. */
export type Script = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** Registers each script of `scripts` (name → [number of keys, Lua]) on `redis`; ioredis runs them by SHA. */
export function defineScripts<Name extends string>(
  redis: Redis,
  scripts: Record<Name, readonly [number, string]>,
): Record<Name, Script> {
  const commands = redis as unknown as Record<string, Script>;
  const defined = {} as Record<Name, Script>;
  for (const [name, [numberOfKeys, lua]] of Object.entries(scripts) as [Name, readonly [number, string]][]) {
    redis.defineCommand(`chat_${name}`, { numberOfKeys, lua });
    defined[name] = (...keysAndArgs) => commands[`chat_${name}`]!(...keysAndArgs);
  }
  return defined;
}
