import { listNodes, registerNode } from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../src/index.js';

// The registry app-kit's runApp keeps in redis mode, on a real redis-server: the portal lists what it finds.
let server: RedisServer;
const connections: Redis[] = [];
const registrations: { close(): Promise<void> }[] = [];
const connect = () => {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  connections.push(redis);
  return redis;
};
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const registration of registrations) await registration.close().catch(() => {});
  for (const redis of connections) redis.disconnect();
  await server.stop();
});

describe('the node registry', () => {
  it('lists each beating node; one that stops beating is listed as not beating after its TTL, then forgotten', async () => {
    const reader = connect();
    let wall = 1_000_000;
    const now = () => wall;
    const a = await registerNode({
      redis: connect(),
      app: 'chat',
      node: 'chat-1',
      url: 'http://a',
      ttlMs: 300,
      now,
    });
    const crashing = connect();
    registrations.push(
      a,
      await registerNode({ redis: crashing, app: 'chat', node: 'chat-2', url: 'http://b', ttlMs: 300, now }),
      await registerNode({
        redis: connect(),
        app: 'auction',
        node: 'auction-1',
        url: 'http://c',
        ttlMs: 300,
        now,
      }),
    );

    expect(await listNodes(reader, { now })).toEqual([
      { app: 'auction', node: 'auction-1', url: 'http://c', started: wall, lastBeat: wall, beating: true },
      { app: 'chat', node: 'chat-1', url: 'http://a', started: wall, lastBeat: wall, beating: true },
      { app: 'chat', node: 'chat-2', url: 'http://b', started: wall, lastBeat: wall, beating: true },
    ]);

    // chat-2's process dies: no more beats (its connection is gone), nothing removed on its way out.
    crashing.disconnect();
    await waitFor('chat-2 no longer beating', async () => {
      const listed = await listNodes(reader, { now });
      return listed.find((node) => node.node === 'chat-2')?.beating === false;
    });
    const listed = await listNodes(reader, { now });
    expect(listed.map((node) => [node.node, node.beating, node.url])).toEqual([
      ['auction-1', true, 'http://c'],
      ['chat-1', true, 'http://a'],
      ['chat-2', false, 'http://b'],
    ]);

    // A clean stop removes the node at once.
    await a.close();
    expect((await listNodes(reader, { now })).map((node) => node.node)).toEqual(['auction-1', 'chat-2']);

    // A minute later, the silent node is forgotten; the beating one stays (its beats carry the clock along).
    wall += 61_000;
    await waitFor('auction-1 beat since', async () =>
      (await listNodes(reader, { now, forgetAfterMs: 1e9 })).some((node) => node.lastBeat === wall),
    );
    expect((await listNodes(reader, { now })).map((node) => node.node)).toEqual(['auction-1']);
  });
});
