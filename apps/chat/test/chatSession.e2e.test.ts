import { waitFor } from '@twohop/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatSession, requestSession } from '../src/client/ChatSession.js';
import type { ChatServerOptions } from '../src/server/createChatServer.js';
import { SqliteChatStore } from '../src/server/store/SqliteChatStore.js';
import { losingAcks } from './lostAcks.js';
import { startChat, UNLIMITED } from './startChat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A chat server, and `session(name)`: a ChatSession signed in as `name`, live. */
async function start(options: ChatServerOptions = {}, port = 0) {
  const running = await startChat(cleanups, options, port);
  const { url } = running;
  const session = async (name: string, ackTimeoutMs = 2000, transports = ['websocket']) => {
    const { token, userId } = await requestSession(url, name);
    const chat = new ChatSession({
      url,
      token,
      userId,
      ackTimeoutMs,
      backoff: { baseMs: 20, capMs: 100 },
      socket: { transports },
    });
    cleanups.push(() => chat.close());
    await until(() => chat.state === 'live');
    return chat;
  };
  return { ...running, session };
}

/** Waits for `condition`; a timeout names the condition's source. */
const until = (condition: () => boolean, timeoutMs?: number) =>
  waitFor(condition.toString().replace(/\s+/g, ' ').slice(0, 120), condition, timeoutMs);
const texts = (chat: ChatSession, room: string) => chat.open.get(room)?.messages.map((m) => m.text) ?? [];
const seqs = (chat: ChatSession, room: string) => chat.open.get(room)?.messages.map((m) => m.seq) ?? [];

describe('ChatSession against the chat server', () => {
  it('shows a send as pending until acked, then in every member’s timeline', async () => {
    const { session } = await start();
    const ada = await session('ada');
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    const outgoing = ada.send('general', 'hello');
    expect(ada.outbox).toEqual([outgoing]);
    expect(outgoing.status).toBe('pending');
    await until(() => ada.outbox.length === 0 && texts(bob, 'general').length === 1);
    expect(texts(ada, 'general')).toEqual(['hello']);
    expect(texts(bob, 'general')).toEqual(['hello']);
    expect(bob.rooms.get('general')).toMatchObject({ lastSeq: 1, unread: 1 });
    await bob.markRead('general');
    expect(bob.rooms.get('general')).toMatchObject({ lastRead: 1, unread: 0 });
    // Ada sees how far Bob has read.
    await until(() => ada.open.get('general')?.receipts.get(bob.userId) === 1);
  });

  it('acks lost after the commit while 40 sends are in flight: retries are answered duplicate: true, each message stored once', async () => {
    // Every seventh send is stored and then its sender is cut off before the ack: the session cannot know it was
    // stored, resends it with the same client id after reconnecting, and the store's dedup answers it.
    const lossy = losingAcks(new SqliteChatStore(), (input) => Number(input.text.slice(1)) % 7 === 3);
    const { server, session } = await start({ ...UNLIMITED, store: lossy.store });
    lossy.state.cut = (uid) => server.io.in(`user:${uid}`).disconnectSockets(true);
    const ada = await session('ada', 2000);
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    for (let i = 0; i < 40; i++) ada.send('general', `m${i}`);
    await until(() => ada.outbox.length === 0 && ada.state === 'live', 15_000);
    const stored = await server.store.latest('general', 100);
    expect(stored.map((m) => m.text).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The dedup was reached: acks were lost, and the resends of those messages came back `duplicate: true`.
    expect(lossy.state.lost).toBeGreaterThan(0);
    expect(ada.stats.duplicateAcks).toBeGreaterThan(0);
    expect(ada.stats.resent).toBeGreaterThanOrEqual(ada.stats.duplicateAcks);
    await until(() => seqs(bob, 'general').length === 40 && seqs(ada, 'general').length === 40);
    expect(texts(bob, 'general')).toEqual(stored.map((m) => m.text));
    expect(texts(ada, 'general')).toEqual(stored.map((m) => m.text));
  });

  it('offline past a page: reconnects, pages back to fill the hole, and reports what it caught up on', async () => {
    const { server, session } = await start(UNLIMITED);
    const ada = await session('ada');
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    ada.send('general', 'before');
    await until(() => seqs(bob, 'general').length === 1);
    const caughtUp: number[] = [];
    bob.events.on('caught-up', ({ count }) => caughtUp.push(count));
    bob.offline();
    for (let i = 0; i < 130; i++) ada.send('general', `while away ${i}`);
    await until(() => ada.outbox.length === 0);
    await ada.edit('general', 1, 'before (edited)');
    bob.online();
    await until(() => bob.state === 'live' && caughtUp.length === 1);
    expect(caughtUp).toEqual([130]);
    expect(seqs(bob, 'general')).toEqual(Array.from({ length: 131 }, (_, i) => i + 1));
    expect(texts(bob, 'general')).toEqual((await server.store.latest('general', 200)).map((m) => m.text));
    // The edit made while Bob was away came through the change feed.
    expect(texts(bob, 'general')[0]).toBe('before (edited)');
    expect(bob.stats.duplicates).toBe(0);
  });

  it('detects a missed delivery by seq and fetches it', async () => {
    // The server announces what it stores through its own store; this one, written to directly, announces nothing.
    const store = new SqliteChatStore();
    const { session } = await start({ store });
    const ada = await session('ada');
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    ada.send('general', 'one');
    await until(() => seqs(bob, 'general').length === 1);
    // Stored but never delivered (as a lost packet would be): the next live message arrives beyond a hole.
    await store.send({
      room: 'general',
      userId: ada.userId,
      name: 'ada',
      clientId: 'lost',
      text: 'two',
    });
    ada.send('general', 'three');
    await until(() => seqs(bob, 'general').length === 3);
    expect(texts(bob, 'general')).toEqual(['one', 'two', 'three']);
    expect(bob.stats.gaps).toBe(1);
  });

  it('edits and deletes reach everyone; only the sender may; rendering data stays plain text', async () => {
    const { session } = await start();
    const ada = await session('ada');
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    ada.send('general', '<img src=x onerror=alert(1)>');
    await until(() => seqs(bob, 'general').length === 1);
    await ada.edit('general', 1, 'fixed');
    await until(() => texts(bob, 'general')[0] === 'fixed');
    await expect(bob.edit('general', 1, 'mine')).rejects.toMatchObject({ code: 'not_owner' });
    await ada.remove('general', 1);
    await until(() => bob.open.get('general')?.messages[0]?.deleted === true);
  });

  it('leaving a room ends membership on every tab; the rooms-per-user limit holds', async () => {
    const { session } = await start({ maxRooms: 2 });
    const ada = await session('ada');
    await ada.createRoom('one');
    await ada.createRoom('two');
    await expect(ada.createRoom('three')).rejects.toMatchObject({ code: 'room_limit' });
    await ada.leaveRoom('two');
    expect(ada.rooms.get('two')?.member).toBe(false);
    await ada.createRoom('three');
    expect(ada.rooms.get('three')?.member).toBe(true);
  });

  it('a server restart: clients are told to reconnect, come back to the new process, and nothing is lost', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'twohop-chat-')), 'chat.db');
    cleanups.push(() => rmSync(dirname(database), { recursive: true, force: true }));
    const { stop, port, session } = await start({ database });
    const ada = await session('ada');
    await ada.createRoom('general');
    ada.send('general', 'before the restart');
    await until(() => ada.outbox.length === 0);
    const states: string[] = [];
    ada.events.on('state', (state) => states.push(state));
    await stop();
    await until(() => ada.state === 'reconnecting');
    ada.send('general', 'while the server is down');
    const { server: next } = await startChat(cleanups, { database }, port);
    await until(() => ada.state === 'live' && ada.outbox.length === 0, 10_000);
    expect(states).toEqual(['reconnecting', 'live']);
    expect((await next.store.latest('general', 50)).map((m) => m.text)).toEqual([
      'before the restart',
      'while the server is down',
    ]);
    expect(texts(ada, 'general')).toEqual(['before the restart', 'while the server is down']);
  });
});

describe('ChatSession over the HTTP long-polling fallback', () => {
  it('chats with a client that has no WebSocket at all', async () => {
    const { server, session } = await start();
    const ada = await session('ada', 2000, ['polling']);
    const bob = await session('bob');
    await ada.createRoom('general');
    await bob.openRoom('general');
    ada.send('general', 'over long-polling');
    bob.send('general', 'over websocket');
    await until(() => texts(ada, 'general').length === 2 && texts(bob, 'general').length === 2);
    expect(texts(ada, 'general')).toEqual(texts(bob, 'general'));
    const transports = [...server.io.of('/').sockets.values()]
      .map((socket) => socket.conn.transport.name)
      .sort();
    expect(transports).toEqual(['polling', 'websocket']);
  });
});

describe('room lists', () => {
  it('a room one user creates shows in their other tabs at once; others find it when they list', async () => {
    const { session } = await start();
    const ada = await session('ada');
    const bob = await session('bob');
    await ada.createRoom('new-one');
    expect(ada.rooms.get('new-one')).toMatchObject({ member: true });
    expect(bob.rooms.has('new-one')).toBe(false);
    await bob.refreshRooms();
    expect(bob.rooms.get('new-one')).toMatchObject({ member: false, unread: 0 });
  });

  it('pages through more rooms than one page holds', async () => {
    const names = Array.from({ length: 70 }, (_, i) => `r-${String(i).padStart(2, '0')}`);
    const { session } = await start({ seedRooms: names });
    const ada = await session('ada');
    expect(ada.rooms.size).toBe(50);
    expect((await ada.loadMoreRooms()).rooms).toHaveLength(20);
    expect([...ada.rooms.keys()].sort()).toEqual(names);
    expect((await ada.loadMoreRooms()).rooms).toHaveLength(0);
  });
});

describe('identity on reconnect', () => {
  it('a token the server no longer accepts (its secret changed) ends the session as unauthorized', async () => {
    const { stop, port, session } = await start();
    const ada = await session('ada');
    await stop();
    await startChat(cleanups, { secret: 'another-secret' }, port);
    // Checked on every reconnect, not only the first connect: the session stops and asks for a sign-in.
    await until(() => ada.state === 'unauthorized', 10_000);
  });
});
