import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The bus's Lua scripts, each with how many of its arguments are keys. */
const SCRIPTS = {
  position: 1,
  append: 1,
  read: 1,
  saveSnapshot: 2,
  loadSnapshot: 2,
  reset: 2,
} as const;

/** A bus script's name. */
export type ScriptName = keyof typeof SCRIPTS;

/** Runs one of the bus's scripts: keys first, then arguments. */
export type RunScript = (name: ScriptName, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');

/**
 * Registers every bus script on `redis` (each is `lua/prelude.lua` followed by its own file) and returns how to run
 * them. ioredis runs them by SHA and reloads one that Redis no longer has (after a restart) on its own.
 */
export function defineScripts(redis: Redis): RunScript {
  const prelude = lua('prelude');
  for (const [name, numberOfKeys] of Object.entries(SCRIPTS)) {
    redis.defineCommand(`twohop_${name}`, { numberOfKeys, lua: `${prelude}\n${lua(name)}` });
  }
  const commands = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  return (name, ...keysAndArgs) => commands[`twohop_${name}`]!(...keysAndArgs);
}
