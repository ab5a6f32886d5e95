import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatStoreSuite } from '../../../test/chatStoreSuite.js';
import { checkDurability } from './checkDurability.js';
import { NotDurableError, redisBackend } from './redisBackend.js';
import { RedisChatStore } from './RedisChatStore.js';

/** Redis's own persistence settings for an acknowledged write to be on disk: fsync before every answer. */
const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always'];

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer({ args: DURABLE });
});
afterAll(() => redis?.stop());

let stores = 0;
// Each store its own key prefix on the one server: a fresh, empty store, as the suite asks.
chatStoreSuite(
  'RedisChatStore',
  (now) => new RedisChatStore({ redis: new Redis(redis.url), prefix: `t${++stores}:`, now }),
);

describe('RedisChatStore on a Redis server', () => {
  it('keeps what it acknowledged when Redis is killed (SIGKILL) and restarted on its files, dedup included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twohop-chat-redis-'));
    try {
      const first = await startRedisServer({ args: ['--dir', dir, ...DURABLE] });
      const store = new RedisChatStore({ redis: new Redis(first.url, { maxRetriesPerRequest: 1 }) });
      await store.createRoom('general', 'u1', 50);
      const send = { room: 'general', userId: 'u1', name: 'ada', clientId: 'c1', text: 'persisted' };
      const ack = await store.send(send);
      process.kill(first.pid, 'SIGKILL');
      await first.stop();
      await store.close();
      const again = await startRedisServer({ args: ['--dir', dir, ...DURABLE], port: first.port });
      try {
        const reopened = new RedisChatStore({ redis: new Redis(again.url) });
        expect(await reopened.latest('general', 5)).toMatchObject([{ seq: ack.seq, text: 'persisted' }]);
        expect(await reopened.send(send)).toMatchObject({ seq: 1, duplicate: true });
        expect((await reopened.send({ ...send, clientId: 'c2' })).seq).toBe(2);
        await reopened.close();
      } finally {
        await again.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells a server that fsyncs before answering from one that does not; the backend warns, or refuses when required', async () => {
    const volatile = await startRedisServer();
    const everySecond = await startRedisServer({
      args: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
    });
    try {
      // Logged, but up to a second of answered writes may not be on disk yet.
      const logged = new Redis(everySecond.url);
      expect(await checkDurability(logged)).toEqual({
        durable: false,
        detail: 'appendonly yes, appendfsync everysec',
      });
      logged.disconnect();
      const client = new Redis(volatile.url);
      expect(await checkDurability(client)).toEqual({
        durable: false,
        detail: 'appendonly no, appendfsync everysec',
      });
      client.disconnect();
      const durable = new Redis(redis.url);
      expect((await checkDurability(durable)).durable).toBe(true);
      durable.disconnect();

      const warnings: string[] = [];
      const warned = await redisBackend({
        url: volatile.url,
        node: 'n',
        warn: (line) => warnings.push(line),
      });
      expect(warned.durability.durable).toBe(false);
      expect(warnings).toEqual([expect.stringContaining('appendfsync always')]);
      await warned.close();
      await expect(
        redisBackend({ url: volatile.url, node: 'n', durability: 'require' }),
      ).rejects.toBeInstanceOf(NotDurableError);
      const quiet: string[] = [];
      const fine = await redisBackend({
        url: redis.url,
        node: 'n',
        durability: 'require',
        warn: (l) => quiet.push(l),
      });
      expect(quiet).toEqual([]);
      await fine.close();
    } finally {
      await volatile.stop();
      await everySecond.stop();
    }
  });
});
