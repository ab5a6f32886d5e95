import { waitFor } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/domain/wire.js';
import type { ChatServerOptions } from '../src/server/createChatServer.js';
import { redisBackend } from '../src/server/redis/redisBackend.js';
import { socketClients } from './socketClient.js';
import { startChat, UNLIMITED } from './startChat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
});
afterAll(() => redis?.stop());
const { connect, request, signIn } = socketClients(cleanups);

let clusters = 0;
/** Nodes of one chat cluster on the test's Redis (a key prefix of its own), each a chat server in this process. */
async function cluster(count: number, options: ChatServerOptions = {}) {
  const prefix = `nodes${++clusters}:`;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const backend = await redisBackend({ url: redis.url, node: `n${i}`, prefix, warn: () => {} });
      return startChat(cleanups, { backend, ...UNLIMITED, ...options });
    }),
  );
}

/** Every `message` a socket receives. */
function inbox(socket: Socket) {
  const messages: ChatMessage[] = [];
  socket.on('message', (message: ChatMessage) => messages.push(message));
  return messages;
}

describe('the chat on several nodes sharing Redis', () => {
  it('messages sent on either node reach every member on both, in seq order, each once; the ack follows the delivery', async () => {
    const [a, b] = await cluster(2);
    const adaSigned = await signIn(a!.url, 'ada');
    const bobSigned = await signIn(a!.url, 'bob');
    const ada = await connect(a!.url, adaSigned.token);
    const bob = await connect(b!.url, bobSigned.token);
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    const [atAda, atBob] = [inbox(ada), inbox(bob)];
    const sendAll = async (socket: Socket, who: string) => {
      for (let i = 0; i < 25; i++) {
        const reply = await request(socket, 'message:send', {
          room: 'general',
          clientId: `${who}${i}`,
          text: `${who} ${i}`,
        });
        // The sender's own node delivered it before acking, as on one node.
        expect((socket === ada ? atAda : atBob).some((m) => m.seq === reply['seq'])).toBe(true);
      }
    };
    await Promise.all([sendAll(ada, 'a'), sendAll(bob, 'b')]);
    await waitFor('both have every message', () => atAda.length >= 50 && atBob.length >= 50);
    const seqs = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(atAda.map((m) => m.seq)).toEqual(seqs);
    expect(atBob.map((m) => m.seq)).toEqual(seqs);
    expect(atBob).toEqual(atAda);
    expect(await b!.server.store.latest('general', 100)).toEqual(atAda);
  });

  it('a retry of a send on another node is answered from the dedup: the same seq, stored and delivered once', async () => {
    const [a, b] = await cluster(2);
    const adaSigned = await signIn(a!.url, 'ada');
    const onA = await connect(a!.url, adaSigned.token);
    const onB = await connect(b!.url, adaSigned.token);
    const bob = await connect(b!.url, (await signIn(b!.url, 'bob')).token);
    await request(onA, 'room:create', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    const atBob = inbox(bob);
    const first = await request(onA, 'message:send', { room: 'general', clientId: 'once', text: 'hi' });
    const retry = await request(onB, 'message:send', { room: 'general', clientId: 'once', text: 'hi' });
    expect(first).toMatchObject({ ok: true, seq: 1, duplicate: false });
    expect(retry).toEqual({ ...first, duplicate: true });
    await request(onB, 'message:send', { room: 'general', clientId: 'next', text: 'after' });
    await waitFor('bob has the next message', () => atBob.some((m) => m.clientId === 'next'));
    expect(atBob.map((m) => [m.seq, m.clientId])).toEqual([
      [1, 'once'],
      [2, 'next'],
    ]);
  });

  it('presence counts the members on every node: one user on two nodes is online until their last connection closes', async () => {
    const [a, b] = await cluster(2);
    const adaSigned = await signIn(a!.url, 'ada');
    const adaA = await connect(a!.url, adaSigned.token);
    const adaB = await connect(b!.url, adaSigned.token);
    const bobSigned = await signIn(b!.url, 'bob');
    const bob = await connect(b!.url, bobSigned.token);
    await request(adaA, 'room:create', { room: 'general' });
    await request(adaA, 'room:join', { room: 'general' });
    const changes: string[] = [];
    adaA.on('presence', (delta: { data: { op: string; key: string }[] }) =>
      changes.push(...delta.data.map((change) => `${change.op} ${change.key}`)),
    );
    const joined = await request(bob, 'room:join', { room: 'general' });
    const online = (reply: Record<string, unknown>) =>
      (reply['presence'] as { data: [string, unknown][] }).data.map(([uid]) => uid).sort();
    // Bob's join on B shows ada, whose connection is on A.
    expect(online(joined)).toEqual([adaSigned.userId, bobSigned.userId].sort());
    await waitFor('A hears that bob arrived', () => changes.length === 1);
    expect(changes).toEqual([`set ${bobSigned.userId}`]);
    await request(adaB, 'room:join', { room: 'general' });
    const bobHears: string[] = [];
    bob.on('presence', (delta: { data: { op: string; key: string }[] }) =>
      bobHears.push(...delta.data.map((change) => `${change.op} ${change.key}`)),
    );
    await request(adaA, 'room:close', { room: 'general' });
    // Still open on B: ada stays online (a join's reply comes after every presence change announced before it).
    expect(online(await request(bob, 'room:join', { room: 'general' }))).toContain(adaSigned.userId);
    expect(bobHears).toEqual([]);
    adaB.disconnect();
    await waitFor('bob hears ada leave', () => bobHears.length === 1);
    expect(bobHears).toEqual([`remove ${adaSigned.userId}`]);
  });

  it('typing, receipts, a leave on every tab and a room creation reach the other node', async () => {
    const [a, b] = await cluster(2, { receiptIntervalMs: 10 });
    const adaSigned = await signIn(a!.url, 'ada');
    const adaA = await connect(a!.url, adaSigned.token);
    const adaB = await connect(b!.url, adaSigned.token);
    const bob = await connect(b!.url, (await signIn(b!.url, 'bob')).token);
    const created = new Promise((resolve) => adaB.once('room:created', resolve));
    await request(adaA, 'room:create', { room: 'general' });
    expect(await created).toEqual({ room: 'general' });
    await request(adaA, 'room:join', { room: 'general' });
    await request(adaB, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });

    const typing = new Promise((resolve) => bob.once('typing', resolve));
    expect(await request(adaA, 'typing', { room: 'general' })).toEqual({ ok: true, sent: true });
    expect(await typing).toMatchObject({ room: 'general', userId: adaSigned.userId, name: 'ada' });

    const receipts = new Promise((resolve) => adaA.once('receipts', resolve));
    await request(adaA, 'message:send', { room: 'general', clientId: 'c1', text: 'read me' });
    await request(bob, 'read', { room: 'general', seq: 1 });
    expect(await receipts).toMatchObject({ room: 'general', receipts: [{ seq: 1 }] });

    // Ada leaves from A: her tab on B closes the room too, and hears no more of it.
    const [atAdaB, atBob] = [inbox(adaB), inbox(bob)];
    await request(adaA, 'room:leave', { room: 'general' });
    await request(bob, 'message:send', { room: 'general', clientId: 'c2', text: 'gone?' });
    // Bob's ack comes once B has delivered his message: had ada's tab on B still been in the room, it had it.
    expect(atBob.map((m) => m.clientId)).toEqual(['c2']);
    expect(atAdaB).toEqual([]);
    expect(await request(adaB, 'typing', { room: 'general' })).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
  });
});
