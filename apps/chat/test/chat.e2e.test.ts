import { io, type Socket } from 'socket.io-client';
import { keyedState, Replica, type DeltaMessage, type SnapshotMessage } from '@twohop/snapshot-delta';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatServerOptions } from '../src/server/createChatServer.js';
import { startChat } from './startChat.js';
import { requestSession } from '../src/client/requestSession.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const start = (options: ChatServerOptions = {}) => startChat(cleanups, options);

const signIn = requestSession;

async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  cleanups.push(() => socket.disconnect());
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  return socket;
}

const request = (socket: Socket, event: string, payload: unknown = {}) =>
  socket.timeout(5000).emitWithAck(event, payload) as Promise<Record<string, unknown> & { ok: boolean }>;

describe('chat over socket.io', () => {
  it('refuses a connection without a valid signed session', async () => {
    const { url } = await start();
    const { token } = await signIn(url, 'ada');
    const forged = `${token.split('.')[0]}.AAAA`;
    for (const bad of ['', 'garbage', forged]) {
      const socket = io(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token: bad },
      });
      cleanups.push(() => socket.disconnect());
      await expect(
        new Promise((resolve, reject) =>
          socket.once('connect', () => resolve(undefined)).once('connect_error', reject),
        ),
      ).rejects.toThrow(/unauthorized/);
    }
  });

  it('delivers a message to everyone in the room, acked with its seq after it is stored', async () => {
    const { url, server } = await start();
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
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
    expect(server.store.latest('general')).toHaveLength(1);
  });

  it('a send cut off by a disconnect and retried after reconnecting is stored exactly once', async () => {
    const { url, server, dropConnections } = await start();
    const { token } = await signIn(url, 'ada');
    const ada = await connect(url, token);
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    // The send leaves, then the network fails before (or after) the server answers: the client never sees the ack.
    ada.emit('message:send', { room: 'general', clientId: 'retry-me', text: 'once' }, () => {});
    dropConnections();
    const again = await connect(url, token);
    await request(again, 'room:join', { room: 'general' });
    const ack = await request(again, 'message:send', { room: 'general', clientId: 'retry-me', text: 'once' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    expect(server.store.latest('general').map((m) => m.text)).toEqual(['once']);
  });

  it('after a disconnect, joining with the last seq returns exactly what was missed', async () => {
    const { url } = await start();
    const ada = await connect(url, (await signIn(url, 'ada')).token);
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
    const bob = await connect(url, (await signIn(url, 'bob')).token);
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
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(online()).toEqual(['ada', 'bob']); // still one tab open
    const deltasBefore = deltas.length;
    tab2.disconnect();
    await vi.waitFor(() => expect(online()).toEqual(['bob']));
    expect(deltas.length).toBe(deltasBefore + 1);
    expect(replica.stats.resyncs).toBe(0);
  });

  it('typing is broadcast to others at most once per 3 s per user, expiring after 6 s', async () => {
    const { url } = await start();
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    await request(ada, 'room:create', { room: 'general' });
    await request(ada, 'room:join', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    const seen: Array<{ name: string; until: number }> = [];
    bob.on('typing', (event: { name: string; until: number }) => seen.push(event));
    let adaSaw = 0;
    ada.on('typing', () => adaSaw++);
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await request(ada, 'typing', { room: 'general' }));
    expect(replies.map((reply) => reply['sent'])).toEqual([true, false, false, false, false]);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.name).toBe('ada');
    expect(seen[0]!.until - Date.now()).toBeGreaterThan(5000);
    expect(adaSaw).toBe(0); // never echoed to the typist
    expect(await request(bob, 'typing', { room: 'elsewhere' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_room' },
    });
  });

  it.each([
    ['a small room: every member gets the full message, room open or not', 100, 'message'],
    ['a large room: members without the room open get only a {room, seq} notice', 1, 'notice'],
  ])('fan-out by room size — %s', async (_name, largeRoom, closedGets) => {
    const { url } = await start({ largeRoom });
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    const carol = await connect(url, (await signIn(url, 'carol')).token);
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
    expect(got.carol).toEqual(['message']); // the room is open: always the full message, once
    expect(got.bob).toEqual([closedGets === 'message' ? 'message' : 'notice general#1']);
  });

  it('in a large room, notices to members not looking are conflated to the newest seq per interval', async () => {
    const { url } = await start({ largeRoom: 1, noticeIntervalMs: 300, sendBurst: 50 });
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    await request(ada, 'room:create', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    await request(bob, 'room:close', { room: 'general' });
    const notices: number[] = [];
    bob.on('notice', (notice: { seq: number }) => notices.push(notice.seq));
    bob.on('message', () => notices.push(-1));
    for (let i = 1; i <= 10; i++)
      await request(ada, 'message:send', { room: 'general', clientId: `c${i}`, text: `m${i}` });
    await vi.waitFor(() => expect(notices.at(-1)).toBe(10), { timeout: 2000 });
    // The first at once, then one for the rest: Bob knows how far the room got without ten packets.
    expect(notices).toEqual([1, 10]);
  });

  it('read receipts are conflated per room: the newest per user, at most one broadcast per interval', async () => {
    const { url } = await start({ receiptIntervalMs: 300 });
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
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
    await vi.waitFor(() => expect(seen.flat().at(-1)?.seq).toBe(5), { timeout: 2000 });
    expect(seen.length).toBeLessThanOrEqual(2); // the first at once, the rest folded into one
    // Joining shows who has read the page.
    const joined = await request(ada, 'room:join', { room: 'general' });
    expect(joined['receipts']).toEqual(expect.arrayContaining([{ userId: expect.any(String), seq: 5 }]));
  });

  it('leaving a room from one tab takes every tab of the user out of it', async () => {
    const { url } = await start();
    const { token } = await signIn(url, 'ada');
    const tab1 = await connect(url, token);
    const tab2 = await connect(url, token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
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
    await request(bob, 'rooms:list');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toEqual([]);
    // Presence: Ada is gone from the room with her last tab.
    const joined = await request(bob, 'room:join', { room: 'general' });
    const online = (joined['presence'] as { data: Array<[string, { name: string }]> }).data;
    expect(online.map(([, entry]) => entry.name)).toEqual(['bob']);
  });

  it('rate-limits a flooding user with a retry-after, and answers malformed requests with codes', async () => {
    const { url } = await start({ sendRate: 1, sendBurst: 3 });
    const ada = await connect(url, (await signIn(url, 'ada')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    await request(ada, 'room:create', { room: 'general' });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(ada, 'message:send', { room: 'general', clientId: `f${i}`, text: 'spam' }),
      ),
    );
    const limited = replies.filter((reply) => !reply.ok);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(limited[0]).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: 1000 } });
    // Another user is not limited by ada's flood (once a member: sending to a room you are not in is refused).
    expect(await request(bob, 'message:send', { room: 'general', clientId: 'b0', text: 'hi' })).toMatchObject(
      { ok: false, error: { code: 'not_member' } },
    );
    await request(bob, 'room:join', { room: 'general' });
    expect(await request(bob, 'message:send', { room: 'general', clientId: 'b1', text: 'hi' })).toMatchObject(
      { ok: true },
    );
    expect(await request(bob, 'nonsense', { x: 1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
    expect(
      await request(bob, 'message:send', { room: 'general', clientId: 'b2', text: 'x'.repeat(5000) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
    expect(await request(bob, 'room:join', { room: 'nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_room' },
    });
    expect(await request(bob, 'message:edit', { room: 'general', seq: 1, text: 'mine' })).toMatchObject({
      ok: false,
      error: { code: 'not_owner' },
    });
  });
});

const SEED = 0xc4a7;

describe('chat under hostile input', () => {
  it(`random events and payloads (fast-check seed ${SEED}) get error codes; the server and a bystander carry on`, async () => {
    console.log(`fast-check seed ${SEED}`);
    const { url, server } = await start();
    const { token } = await signIn(url, 'mallory');
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    await request(bob, 'room:create', { room: 'general' });
    await request(bob, 'room:join', { room: 'general' });
    let hostile = await connect(url, token);
    const events = fc.oneof(
      fc.constantFrom(
        'message:send',
        'room:join',
        'room:create',
        'room:history',
        'message:edit',
        'message:delete',
        'read',
        'typing',
        'room:leave',
        'rooms:list',
      ),
      fc.string({ maxLength: 30 }),
    );
    const payloads = fc.oneof(
      fc.anything(),
      fc.record({
        room: fc.oneof(fc.constant('general'), fc.string({ maxLength: 80 })),
        seq: fc.oneof(fc.integer(), fc.double(), fc.string()),
        text: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('x'.repeat(4001)), fc.anything()),
        clientId: fc.oneof(fc.string({ maxLength: 80 }), fc.integer()),
        before: fc.anything(),
        after: fc.anything(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(events, payloads, async (event, payload) => {
        if (!hostile.connected) {
          hostile = await connect(url, token);
        }
        let reply: Record<string, unknown> & { ok: boolean };
        try {
          reply = await hostile.timeout(2000).emitWithAck(event, payload);
        } catch {
          return; // closed for abuse mid-request: allowed
        }
        if (!reply.ok) expect((reply['error'] as { code: string }).code).toMatch(/^[a-z_]+$/);
      }),
      { seed: SEED, numRuns: 300 },
    );
    // An oversized frame closes that connection (socket.io's maxHttpBufferSize), nobody else's.
    const gone = new Promise((resolve) => hostile.once('disconnect', resolve));
    hostile.emit('message:send', { room: 'general', clientId: 'big', text: 'x'.repeat(100_000) });
    await gone;
    const delivered = new Promise((resolve) => bob.once('message', resolve));
    expect(
      await request(bob, 'message:send', { room: 'general', clientId: 'b1', text: 'still here' }),
    ).toMatchObject({
      ok: true,
    });
    await delivered;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(server.store.latest('general').every((m) => m.userId !== undefined)).toBe(true);
  }, 60_000);

  it('a connection that keeps sending refused requests is closed with protocol_abuse; others are unaffected', async () => {
    const { url } = await start();
    const hostile = await connect(url, (await signIn(url, 'mallory')).token);
    const bob = await connect(url, (await signIn(url, 'bob')).token);
    const notices: unknown[] = [];
    hostile.on('close-notice', (notice: unknown) => notices.push(notice));
    const closed = new Promise((resolve) => hostile.once('disconnect', resolve));
    for (let i = 0; i < 80; i++) hostile.emit('message:send', { nonsense: i }, () => {});
    await closed;
    expect(notices).toEqual([
      { error: { code: 'protocol_abuse', message: 'too many refused requests' }, reconnect: false },
    ]);
    expect(await request(bob, 'rooms:list')).toMatchObject({ ok: true });
  });
});
