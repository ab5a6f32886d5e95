import type { Redis } from 'ioredis';

/** What the Redis server promises about a write it has answered. */
export interface Durability {
  /** True when an answered write is fsynced to the append-only file: `appendonly yes` and `appendfsync always`. */
  readonly durable: boolean;
  /** The server's settings as read, or why they could not be read. */
  readonly detail: string;
}

/**
 * Reads the Redis server's persistence settings. The chat acknowledges a message once Redis has answered its write,
 * so an acknowledged message survives a crash of Redis only when Redis fsyncs its append-only file before answering:
 * `appendonly yes` with `appendfsync always` (with `everysec`, up to a second of answered writes can be lost; with
 * neither, everything since the last snapshot). A server that forbids `CONFIG GET` (a managed one) is reported as
 * unknown, hence not durable.
 */
export async function checkDurability(redis: Redis): Promise<Durability> {
  let settings: string[];
  try {
    const [appendonly, appendfsync] = await Promise.all([
      redis.config('GET', 'appendonly') as Promise<string[]>,
      redis.config('GET', 'appendfsync') as Promise<string[]>,
    ]);
    settings = [appendonly[1] ?? '?', appendfsync[1] ?? '?'];
  } catch (error) {
    return { durable: false, detail: `its settings cannot be read (${(error as Error).message})` };
  }
  const [appendonly, appendfsync] = settings;
  return {
    durable: appendonly === 'yes' && appendfsync === 'always',
    detail: `appendonly ${appendonly}, appendfsync ${appendfsync}`,
  };
}
