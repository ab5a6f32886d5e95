import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_ERROR_CODES } from '../src/domain/errors.js';
import { isValidText } from '../src/domain/text.js';
import { hostileRequest } from './hostileInputs.js';
import { socketClients, type TestReply } from './socketClient.js';
import { startChat, UNLIMITED } from './startChat.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const { connect, user, request } = socketClients(cleanups);

describe('chat under hostile input', () => {
  it('generated requests shaped per event reach the handlers; each gets a real reply with a documented code; the server and a bystander carry on', async () => {
    // Limits high enough that no refusal closes the connection: every input must be answered.
    const { url, server } = await startChat(cleanups, {
      ...UNLIMITED,
      limits: { ...UNLIMITED.limits, maxStrikes: 1_000_000 },
      maxRooms: 1_000_000,
    });
    const bob = await user(url, 'bob');
    await request(bob, 'room:create', { room: 'general' });
    await request(bob, 'room:create', { room: 'elsewhere' });
    for (let i = 1; i <= 3; i++)
      await request(bob, 'message:send', { room: 'general', clientId: `b${i}`, text: `hi ${i}` });
    const mallory = await user(url, 'mallory');
    await request(mallory, 'room:join', { room: 'general' });
    await request(mallory, 'message:send', { room: 'general', clientId: 'm1', text: 'mine' });
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest({ mine: 'general', theirs: 'elsewhere' }), async ([event, payload]) => {
        // A real reply for every input: a timeout fails the property.
        const reply = (await mallory.timeout(5000).emitWithAck(event, payload)) as TestReply;
        const code = reply.ok ? 'ok' : (reply.error?.code ?? 'missing');
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (!reply.ok) expect(CHAT_ERROR_CODES).toContain(code);
      }),
      { ...seededProperty('chat hostile input', 0xc4a7), numRuns: 400 },
    );
    console.log('replies by code', Object.fromEntries(codes));
    // The inputs got past the schema into the rules: accepted ones, and refusals only a handler can make.
    const count = (code: string) => codes.get(code) ?? 0;
    expect(count('ok')).toBeGreaterThan(40);
    for (const code of ['unknown_room', 'not_member', 'invalid_text', 'not_owner'])
      expect(count(code)).toBeGreaterThan(0);
    expect(count('invalid_message')).toBeLessThan(400 / 2);
    expect(count('internal') + count('missing')).toBe(0);

    // An oversized frame closes that connection (socket.io's maxHttpBufferSize), nobody else's.
    const gone = new Promise((resolve) => mallory.once('disconnect', resolve));
    mallory.emit('message:send', { room: 'general', clientId: 'big', text: 'x'.repeat(100_000) });
    await gone;
    const delivered = new Promise((resolve) => bob.once('message', resolve));
    expect(
      await request(bob, 'message:send', { room: 'general', clientId: 'b9', text: 'still here' }),
    ).toMatchObject({ ok: true });
    await delivered;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // What was stored is gapless and all of it could be served verbatim.
    const stored = await server.store.after('general', 0, 10_000);
    expect(stored.messages.map((m) => m.seq)).toEqual(stored.messages.map((_, i) => i + 1));
    expect(stored.messages.every((m) => m.deleted || isValidText(m.text))).toBe(true);
  }, 120_000);

  it('a connection that keeps sending refused requests is closed with protocol_abuse; others are unaffected', async () => {
    const { url } = await startChat(cleanups, { limits: { maxStrikes: 20 } });
    const hostile = await user(url, 'mallory');
    const bob = await user(url, 'bob');
    const notices: unknown[] = [];
    hostile.on('close-notice', (notice: unknown) => notices.push(notice));
    const closed = new Promise((resolve) => hostile.once('disconnect', resolve));
    let answered = 0;
    for (let i = 0; i < 80; i++) hostile.emit('message:send', { nonsense: i }, () => answered++);
    await closed;
    expect(notices).toMatchObject([{ error: { code: 'protocol_abuse' }, reconnect: false }]);
    expect(answered).toBeLessThanOrEqual(21);
    expect(await request(bob, 'rooms:list')).toMatchObject({ ok: true });
    void connect;
  });
});
