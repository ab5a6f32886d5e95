import { afterEach, describe, expect, it } from 'vitest';
import type { ChatServerOptions } from '../src/server/createChatServer.js';
import { socketClients } from './socketClient.js';
import { startChat } from './startChat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const start = (options: ChatServerOptions = {}) => startChat(cleanups, options);
const { connect, user, request, signIn } = socketClients(cleanups);

/** A room `general` made by Ada, with Ada in it; Bob signed in but not a member. */
async function roomWithOutsider(options: ChatServerOptions = {}) {
  const running = await start(options);
  const ada = await user(running.url, 'ada');
  const bob = await user(running.url, 'bob');
  await request(ada, 'room:create', { room: 'general' });
  await request(ada, 'room:join', { room: 'general' });
  return { ...running, ada, bob };
}

describe('HTTP errors are JSON with a stable code', () => {
  it('malformed JSON, an oversized body and a bad name on POST /api/session: JSON, no stack, no path', async () => {
    const { url } = await start();
    const post = (body: string) =>
      fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Unknown paths too: a JSON 404, never express's HTML page.
    const missing = await fetch(`${url}/api/nowhere`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: { code: 'not_found', message: expect.any(String) } },
    ]);
    for (const [body, status, code] of [
      ['{"name": "ada"', 400, 'invalid_json'],
      [`{"name": "${'x'.repeat(8000)}"}`, 413, 'payload_too_large'],
      ['{"name": ""}', 400, 'invalid_message'],
    ] as const) {
      const response = await post(body);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code, message: expect.any(String) } });
      expect(text).not.toMatch(/at |\/work|node_modules|<html/i);
    }
  });

  it('sign-ins are limited per address: past the burst, 429 rate_limited with a retry-after', async () => {
    const { url } = await start({ sessionBurst: 3, sessionsPerMinute: 1 });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `u${i}` }),
      });
      statuses.push(response.status);
      if (response.status === 429) {
        const { error } = (await response.json()) as { error: { code: string; retryAfterMs: number } };
        expect(error.code).toBe('rate_limited');
        // One sign-in a minute: the next is at most a minute away.
        expect(error.retryAfterMs > 0 && error.retryAfterMs <= 60_000).toBe(true);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('reads are for members', () => {
  it('room:history for a non-member is refused not_member; for a missing room unknown_room', async () => {
    const { ada, bob } = await roomWithOutsider();
    await request(ada, 'message:send', { room: 'general', clientId: 'c1', text: 'members only' });
    expect(await request(bob, 'room:history', { room: 'general', before: 2 })).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
    expect(await request(bob, 'room:history', { room: 'nowhere', before: 2 })).toMatchObject({
      ok: false,
      error: { code: 'unknown_room' },
    });
    expect(await request(bob, 'read', { room: 'general', seq: 1 })).toMatchObject({
      error: { code: 'not_member' },
    });
    expect(await request(ada, 'room:history', { room: 'general', before: 2 })).toMatchObject({
      ok: true,
      messages: [{ text: 'members only' }],
    });
  });

  it('a user who left a room can no longer edit or delete their messages in it', async () => {
    const { ada, server } = await roomWithOutsider();
    await request(ada, 'message:send', { room: 'general', clientId: 'c1', text: 'said before leaving' });
    await request(ada, 'room:leave', { room: 'general' });
    expect(await request(ada, 'message:edit', { room: 'general', seq: 1, text: 'rewritten' })).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
    expect(await request(ada, 'message:delete', { room: 'general', seq: 1 })).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
    expect(await server.store.latest('general', 5)).toMatchObject([
      { text: 'said before leaving', version: 0 },
    ]);
  });
});

describe('text is stored and served verbatim, or refused', () => {
  it('a lone surrogate is refused invalid_text; any well-formed text reads the same live, on join and in history', async () => {
    const { ada, bob, url } = await roomWithOutsider();
    for (const text of ['a\uD800b', '\uDFFF', 'end\uD83D'])
      expect(
        await request(ada, 'message:send', { room: 'general', clientId: `bad${text.length}`, text }),
      ).toMatchObject({
        ok: false,
        error: { code: 'invalid_text' },
      });
    await request(bob, 'room:join', { room: 'general' });
    const texts = ['\u{1F600} e\u0301 \u0000 <b>&amp;</b>', 'x'.repeat(4000), '\u202Eevil'];
    const live: string[] = [];
    bob.on('message', (message: { text: string }) => live.push(message.text));
    for (const [i, text] of texts.entries())
      expect(await request(ada, 'message:send', { room: 'general', clientId: `ok${i}`, text })).toMatchObject(
        { ok: true },
      );
    expect(await request(ada, 'message:edit', { room: 'general', seq: 1, text: 'bad \uDC00' })).toMatchObject(
      {
        error: { code: 'invalid_text' },
      },
    );
    await request(bob, 'rooms:list');
    const late = await user(url, 'carol');
    const joined = (await request(late, 'room:join', { room: 'general' }))['messages'] as Array<{
      text: string;
    }>;
    const history = (await request(late, 'room:history', { room: 'general', before: 10 }))[
      'messages'
    ] as Array<{
      text: string;
    }>;
    expect(live).toEqual(texts);
    expect(joined.map((m) => m.text)).toEqual(texts);
    expect(history.map((m) => m.text)).toEqual(texts);
  });
});

describe('rooms', () => {
  it('rooms:list is paged by name, at most 100 a page; the user’s own rooms come complete with mine', async () => {
    const names = Array.from({ length: 130 }, (_, i) => `room-${String(i).padStart(3, '0')}`);
    const { url } = await start({ seedRooms: names });
    const ada = await user(url, 'ada');
    await request(ada, 'room:join', { room: 'room-129' });
    const first = await request(ada, 'rooms:list', { limit: 100 });
    expect((first['rooms'] as unknown[]).length).toBe(100);
    expect(first['next']).toBe('room-099');
    const second = await request(ada, 'rooms:list', { limit: 100, after: first['next'] });
    expect((second['rooms'] as Array<{ name: string }>).map((room) => room.name)).toEqual(names.slice(100));
    expect(second['next']).toBeUndefined();
    expect(await request(ada, 'rooms:list', { mine: true })).toMatchObject({
      rooms: [{ name: 'room-129', member: true }],
    });
    expect(await request(ada, 'rooms:list', { limit: 101 })).toMatchObject({
      error: { code: 'invalid_message' },
    });
  });

  it('a room creation is told to its creator’s tabs only, and limited per user over time', async () => {
    const { url } = await start({ roomBurst: 2, roomsPerMinute: 1 });
    const ada = await signIn(url, 'ada');
    const tab1 = await connect(url, ada.token);
    const tab2 = await connect(url, ada.token);
    const bob = await user(url, 'bob');
    const heard = { tab2: [] as string[], bob: [] as string[] };
    tab2.on('room:created', ({ room }: { room: string }) => heard.tab2.push(room));
    bob.on('room:created', ({ room }: { room: string }) => heard.bob.push(room));
    expect(await request(tab1, 'room:create', { room: 'one' })).toEqual({ ok: true });
    expect(await request(tab1, 'room:create', { room: 'two' })).toEqual({ ok: true });
    const third = await request(tab2, 'room:create', { room: 'three' });
    expect(third).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect((third.error as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(50_000);
    await request(tab2, 'rooms:list');
    await request(bob, 'rooms:list');
    expect(heard).toEqual({ tab2: ['one', 'two'], bob: [] });
    // Bob finds them by listing.
    expect(
      ((await request(bob, 'rooms:list'))['rooms'] as Array<{ name: string }>).map((r) => r.name),
    ).toEqual(['one', 'two']);
  });
});

describe('sessions', () => {
  it('a token expires; session:refresh hands back the same user with a later expiry', async () => {
    let now = 1_000_000;
    const { url } = await start({ sessionTtlMs: 60_000, now: () => now });
    const ada = await signIn(url, 'ada');
    expect(ada.expiresAt).toBe(1_060_000);
    const socket = await connect(url, ada.token);
    now += 30_000;
    const refreshed = await request(socket, 'session:refresh');
    expect(refreshed).toMatchObject({ ok: true, expiresAt: 1_090_000 });
    now += 40_000; // the first token has expired; the refreshed one has not
    const refused = await connect(url, ada.token).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(refused).toBe('unauthorized: sign in again');
    const again = await connect(url, refreshed['token'] as string);
    expect(await request(again, 'room:create', { room: 'still-me' })).toEqual({ ok: true });
    expect(await request(again, 'rooms:list', { mine: true })).toMatchObject({
      rooms: [{ name: 'still-me' }],
    });
  });
});

describe('every refusal counts', () => {
  it('10,000 joins of unknown rooms: each refused (unknown_room, then rate_limited), closed for abuse at the strike limit', async () => {
    const { url } = await start({ limits: { maxStrikes: 20 } });
    const mallory = await user(url, 'mallory');
    const bob = await user(url, 'bob');
    const notices: unknown[] = [];
    mallory.on('close-notice', (notice: unknown) => notices.push(notice));
    const codes = new Map<string, number>();
    const closed = new Promise((resolve) => mallory.once('disconnect', resolve));
    // The first join is answered before the flood: whether a handler finishes before the flood's refusals reach the
    // strike limit would otherwise depend on how many frames one TCP read brings in.
    const first = (await request(mallory, 'room:join', { room: 'nowhere' })) as { error?: { code: string } };
    codes.set(first.error?.code ?? 'ok', 1);
    for (let i = 0; i < 10_000 && mallory.connected; i++) {
      mallory.emit('room:join', { room: `nowhere-${i}` }, (reply: { error?: { code: string } }) => {
        const code = reply.error?.code ?? 'ok';
        codes.set(code, (codes.get(code) ?? 0) + 1);
      });
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await closed;
    expect(notices).toMatchObject([{ error: { code: 'protocol_abuse' }, reconnect: false }]);
    // Reads cost too: the joins drain the connection's budget, and every refusal of either kind is a strike.
    expect([...codes.keys()].sort()).toEqual(['rate_limited', 'unknown_room']);
    expect([...codes.values()].reduce((a, b) => a + b)).toBe(21);
    expect(await request(bob, 'rooms:list')).toMatchObject({ ok: true });
  });
});
