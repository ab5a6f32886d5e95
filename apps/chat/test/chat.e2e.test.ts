import { FakeClock } from '@twohop/testkit';
import { keyedState, Replica, type DeltaMessage, type SnapshotMessage } from '@twohop/snapshot-delta';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteChatStore } from '../src/server/store/SqliteChatStore.js';
import type { ChatServerOptions } from '../src/server/createChatServer.js';
import { losingAcks } from './lostAcks.js';
import { socketClients } from './socketClient.js';
import { startChat } from './startChat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const start = (options: ChatServerOptions = {}) => startChat(cleanups, options);
const { connect, user, request, signIn } = socketClients(cleanups);

describe('chat over socket.io', () => {
  it('refuses a connection without a valid signed session, and says not to retry', async () => {
    const { url } = await start();
    const { token } = await signIn(url, 'ada');
    for (const bad of ['', 'garbage', `${token.split('.')[0]}.AAAA`]) {
      const refused = await connect(url, bad).then(
        () => undefined,
        (error: Error & { data?: unknown }) => ({ message: error.message, data: error.data }),
      );
      expect(refused).toEqual({
        message: 'unauthorized: sign in again',
        data: { code: 'unauthorized', reconnect: false },
      });
    }
  });

  it('delivers a message to everyone in the room, acked with its seq after it is stored', async () => {
    const { url, server } = await start();
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    expect(await request(ada, 'room:create', { room: 'general' })).toEqual({ ok: true });
    await request(ada, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    const received = new Promise<Record<string, unknown>>((resolve) => bob.once('message', resolve));
    const ack = await request(ada, 'message:send', {
      room: 'general',
      clientId: 'c1',
      text: 'hello <b>bob</b>',
    });
    expect(ack).toMatchObject({ ok: true, seq: 1, duplicate: false });
    expect(await received).toMatchObject({ room: 'general', seq: 1, name: 'ada', text: 'hello <b>bob</b>' });
    expect(await server.store.latest('general', 50)).toHaveLength(1);
  });

  it('a send stored but whose ack was lost, retried after reconnecting, is answered duplicate: true and stored once', async () => {
    const lossy = losingAcks(new SqliteChatStore(), (input) => input.clientId === 'retry-me');
    const { url, server } = await start({ store: lossy.store });
    lossy.state.cut = (uid) => server.io.in(`user:${uid}`).disconnectSockets(true);
    const ada = await user(url, 'ada');
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    // The server commits the send, then the connection dies before the ack goes out: the client never sees it.
    const lost = await ada
      .timeout(2000)
      .emitWithAck('message:send', { room: 'general', clientId: 'retry-me', text: 'once' })
      .then(
        () => 'acked',
        () => 'no ack',
      );
    expect([lost, lossy.state.lost]).toEqual(['no ack', 1]);
    const again = await connect(url, ada.signed.token);
    const retry = await request(again, 'message:send', {
      room: 'general',
      clientId: 'retry-me',
      text: 'once',
    });
    expect(retry).toMatchObject({ ok: true, seq: 1, duplicate: true });
    expect((await server.store.latest('general', 50)).map((m) => m.text)).toEqual(['once']);
  });

  it('after a disconnect, joining with the last seq returns exactly what was missed', async () => {
    const { url } = await start();
    const ada = await user(url, 'ada');
    const bobToken = (await signIn(url, 'bob')).token;
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    for (let i = 1; i <= 2; i++)
      await request(ada, 'message:send', { room: 'general', clientId: `a${i}`, text: `m${i}` });
    const bob = await connect(url, bobToken);
    const joined = await request(bob, 'room:join', { room: 'general' });
    const lastSeq = (joined['messages'] as Array<{ seq: number }>).at(-1)?.seq;
    expect(lastSeq).toBe(2);
    bob.disconnect();
    for (let i = 3; i <= 5; i++)
      await request(ada, 'message:send', { room: 'general', clientId: `a${i}`, text: `m${i}` });
    const back = await connect(url, bobToken);
    const caughtUp = await request(back, 'room:join', { room: 'general', after: lastSeq });
    expect(caughtUp['limited']).toBe(false);
    expect(
      (caughtUp['messages'] as Array<{ seq: number; text: string }>).map((m) => [m.seq, m.text]),
    ).toEqual([
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
    ]);
  });

  it('presence is snapshot + delta; a user with several tabs is one user, online until the last tab leaves', async () => {
    const { url } = await start();
    const ada = await signIn(url, 'ada');
    const tab1 = await connect(url, ada.token);
    const tab2 = await connect(url, ada.token);
    await request(tab1, 'room:create', { room: 'general' });
    await request(tab1, 'room:join', { room: 'general' });
    await request(tab2, 'room:join', { room: 'general' });
    const bob = await user(url, 'bob');
    const replica = new Replica({ model: keyedState<{ name: string }>(), onResync: () => {} });
    const deltas: unknown[] = [];
    bob.on('presence', (delta: DeltaMessage<never>) => {
      deltas.push(delta);
      replica.receive(delta);
    });
    const joined = await request(bob, 'room:join', { room: 'general' });
    replica.receive(joined['presence'] as SnapshotMessage<never>);
    const online = () => [...replica.state.values()].map((entry) => entry.name).sort();
    await vi.waitFor(() => expect(online()).toEqual(['ada', 'bob']));
    tab1.disconnect();
    // A round trip of Bob's after the disconnect: the server has handled it by the time this answers.
    await vi.waitFor(async () => expect((await request(bob, 'rooms:list'))['ok']).toBe(true));
    expect(online()).toEqual(['ada', 'bob']); // still one tab open
    const deltasBefore = deltas.length;
    tab2.disconnect();
    await vi.waitFor(() => expect(online()).toEqual(['bob']));
    expect(deltas.length).toBe(deltasBefore + 1);
    expect(replica.stats.resyncs).toBe(0);
  });

  it('typing is broadcast to others at most once per 3 s per user, never to the typist', async () => {
    const { url } = await start();
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    const seen: Array<{ name: string }> = [];
    bob.on('typing', (event: { name: string }) => seen.push(event));
    let adaSaw = 0;
    ada.on('typing', () => adaSaw++);
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await request(ada, 'typing', { room: 'general' }));
    expect(replies.map((reply) => reply['sent'])).toEqual([true, false, false, false, false]);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.name).toBe('ada');
    expect(adaSaw).toBe(0);
    expect(await request(bob, 'typing', { room: 'elsewhere' })).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
  });

  it.each([
    ['a small room: every member gets the full message, room open or not', 100, 'message'],
    ['a large room: members without the room open get only a {room, seq} notice', 1, 'notice'],
  ])('fan-out by room size — %s', async (_name, largeRoom, closedGets) => {
    const { url } = await start({ largeRoom });
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    const carol = await user(url, 'carol');
    await request(ada, 'room:create', { room: 'general' });
    for (const socket of [ada, bob, carol]) await request(socket, 'room:join', { room: 'general' });
    expect(await request(bob, 'room:close', { room: 'general' })).toEqual({ ok: true });
    const got = { bob: [] as string[], carol: [] as string[] };
    for (const [name, socket] of [
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      socket.on('message', () => got[name].push('message'));
      socket.on('notice', (notice: { room: string; seq: number }) =>
        got[name].push(`notice ${notice.room}#${notice.seq}`),
      );
    }
    await request(ada, 'message:send', { room: 'general', clientId: 'c1', text: 'hi all' });
    await vi.waitFor(() => expect(got.bob.length + got.carol.length).toBe(2));
    expect(got.carol).toEqual(['message']);
    expect(got.bob).toEqual([closedGets === 'message' ? 'message' : 'notice general#1']);
  });

  it('in a large room, notices to members not looking are conflated to the newest seq per interval (fake clock)', async () => {
    const clock = new FakeClock(0);
    const { url } = await start({ largeRoom: 1, noticeIntervalMs: 1000, sendBurst: 50, clock });
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    await request(ada, 'room:create', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    await request(bob, 'room:close', { room: 'general' });
    const notices: number[] = [];
    bob.on('notice', (notice: { seq: number }) => notices.push(notice.seq));
    bob.on('message', () => notices.push(-1));
    for (let i = 1; i <= 10; i++)
      await request(ada, 'message:send', { room: 'general', clientId: `c${i}`, text: `m${i}` });
    await request(bob, 'rooms:list'); // a round trip: whatever was sent to Bob before it has arrived
    expect(notices).toEqual([1]);
    clock.advance(1000);
    // The first at once, then one for the other nine: Bob knows how far the room got without ten packets.
    await vi.waitFor(() => expect(notices).toEqual([1, 10]));
  });

  it('read receipts are conflated per room: the newest per user, one broadcast per interval (fake clock)', async () => {
    const clock = new FakeClock(0);
    const { url } = await start({ receiptIntervalMs: 1000, clock });
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    for (let i = 1; i <= 5; i++)
      await request(ada, 'message:send', { room: 'general', clientId: `c${i}`, text: `m${i}` });
    const seen: Array<Array<{ userId: string; seq: number }>> = [];
    ada.on('receipts', (event: { receipts: Array<{ userId: string; seq: number }> }) =>
      seen.push(event.receipts),
    );
    for (let seq = 1; seq <= 5; seq++) await request(bob, 'read', { room: 'general', seq });
    // Never backwards, never past the room's end.
    expect(await request(bob, 'read', { room: 'general', seq: 99 })).toMatchObject({ lastRead: 5 });
    await request(ada, 'rooms:list');
    const bobId = bob.signed.userId;
    expect(seen).toEqual([[{ userId: bobId, seq: 1 }]]);
    clock.advance(1000);
    await vi.waitFor(() => expect(seen).toEqual([[{ userId: bobId, seq: 1 }], [{ userId: bobId, seq: 5 }]]));
    // Joining shows who has read the page.
    const joined = await request(ada, 'room:join', { room: 'general' });
    expect(joined['receipts']).toEqual(expect.arrayContaining([{ userId: bobId, seq: 5 }]));
  });

  it('leaving a room from one tab takes every tab of the user out of it, through the stored membership', async () => {
    const { url } = await start();
    const { token } = await signIn(url, 'ada');
    const tab1 = await connect(url, token);
    const tab2 = await connect(url, token);
    const bob = await user(url, 'bob');
    await request(bob, 'room:create', { room: 'general' });
    for (const socket of [tab1, tab2]) await request(socket, 'room:join', { room: 'general' });
    const got: string[] = [];
    tab1.on('message', () => got.push('tab1'));
    tab2.on('message', () => got.push('tab2'));
    await request(bob, 'message:send', { room: 'general', clientId: 'b1', text: 'before' });
    await vi.waitFor(() => expect(got.sort()).toEqual(['tab1', 'tab2']));
    expect(await request(tab1, 'room:leave', { room: 'general' })).toEqual({ ok: true });
    got.length = 0;
    await request(bob, 'message:send', { room: 'general', clientId: 'b2', text: 'after' });
    // Ada's tabs answer a request after the message was sent: had it been delivered, it would have come first.
    await request(tab1, 'rooms:list');
    await request(tab2, 'rooms:list');
    expect(got).toEqual([]);
    const joined = await request(bob, 'room:join', { room: 'general' });
    const online = (joined['presence'] as { data: Array<[string, { name: string }]> }).data;
    expect(online.map(([, entry]) => entry.name)).toEqual(['bob']);
    expect(await request(tab2, 'room:leave', { room: 'nowhere' })).toMatchObject({
      error: { code: 'unknown_room' },
    });
  });

  it('rate-limits a flooding user with a retry-after; another user is not limited by it', async () => {
    const { url } = await start({ sendRate: 1, sendBurst: 3 });
    const ada = await user(url, 'ada');
    const bob = await user(url, 'bob');
    await request(ada, 'room:create', { room: 'general' });
    const replies = [];
    for (let i = 0; i < 6; i++)
      replies.push(await request(ada, 'message:send', { room: 'general', clientId: `f${i}`, text: 'spam' }));
    expect(replies.map((reply) => reply.ok)).toEqual([true, true, true, false, false, false]);
    expect(replies[3]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // Told when a send will go again: within the second one token takes at 1 a second.
    const retryAfterMs = (replies[3]?.error as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 0;
    expect(retryAfterMs > 0 && retryAfterMs <= 1000).toBe(true);
    await request(bob, 'room:join', { room: 'general' });
    expect(await request(bob, 'message:send', { room: 'general', clientId: 'b1', text: 'hi' })).toMatchObject(
      { ok: true },
    );
    expect(await request(bob, 'message:edit', { room: 'general', seq: 1, text: 'mine' })).toMatchObject({
      ok: false,
      error: { code: 'not_owner' },
    });
  });
});
