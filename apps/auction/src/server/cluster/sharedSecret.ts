import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

/**
 * The secret every node signs sessions and aliases with, kept in Redis under `<prefix>secret`: the first node to ask
 * makes it, the others read it — so a user signed in on one node is recognised, and has the same alias, on every
 * other. (`AUCTION_SECRET` set on every node does the same without Redis.)
 */
export async function sharedSecret(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.set(`${prefix}secret`, randomBytes(32).toString('hex'), 'NX');
    return (await redis.get(`${prefix}secret`))!;
  } finally {
    redis.disconnect();
  }
}
