import { StreamClient, socketIoTransport } from '@twohop/client';
import { ERROR_CODES, isErrorCode, type CloseNotice } from '@twohop/protocol';
import { keyedState } from '@twohop/snapshot-delta';
import { testSeed } from '@twohop/testkit';
import { startTestServer } from '@twohop/testkit/node';
import fc from 'fast-check';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams, type ConnectionLimits, type SocketIoStreams } from '../src/index.js';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';

const SEED = testSeed('socket.io hostile input', 0x4057113);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(limits: Partial<ConnectionLimits> = {}) {
  const publisher = levelsPublisher();
  const other = levelsPublisher('book:OTHER');
  let streams: SocketIoStreams | undefined;
  const server = await startTestServer(({ io }) => {
    streams = attachSocketIoStreams(io, {
      catalog: catalogOf(publisher as never, other),
      limits,
      allowFaultInjection: true,
    });
  });
  cleanups.push(() => server.close());
  // A well-behaved client that must not notice anything.
  const bystander = new StreamClient({ transport: socketIoTransport(server.url), backoff: { baseMs: 20 } });
  cleanups.push(() => bystander.close());
  const book = bystander.subscribe('book:TEST', { model: keyedState<number>() });
  await waitFor('the bystander', () => book.replica.status === 'live');
  return { server, publisher, book, streams: streams as SocketIoStreams };
}

async function rawSocket(url: string): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  cleanups.push(() => socket.disconnect());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The bystander still receives: publish one change and see it arrive. */
async function bystanderStillReceives(context: Awaited<ReturnType<typeof setup>>) {
  publishChanges(context.publisher, 1, 20, context.publisher.position.seq);
  await waitFor(
    'the bystander to keep receiving',
    () => context.book.replica.position?.seq === context.publisher.position.seq,
  );
  expect(sameState(context.book.replica.state, context.publisher.state)).toBe(true);
}

const event = fc.oneof(
  fc.constantFrom('subscribe', 'unsubscribe', 'resync', 'bogus', '__proto__', 'constructor', 'toString', 'm'),
  fc.string({ maxLength: 30 }),
);
const payload = fc.oneof(
  fc.anything(),
  fc.record({
    stream: fc.oneof(fc.string(), fc.integer(), fc.constant('book:TEST'), fc.constant('book:NOPE')),
  }),
  fc.record({
    stream: fc.constant('book:TEST'),
    resume: fc.record({ epoch: fc.string(), seq: fc.double() }),
  }),
  fc.string({ minLength: 17_000, maxLength: 20_000 }),
);

describe(`socket.io hostile input (fast-check seed ${SEED})`, () => {
  it('answers every malformed message with an error code, stays up, and other clients carry on (property)', async () => {
    const context = await setup({ maxStrikes: 1_000_000, ratePerSecond: 1_000_000, rateBurst: 1_000_000 });
    const hostile = await rawSocket(context.server.url);
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(event, payload, async (name, body) => {
        const reply = (await hostile.timeout(5000).emitWithAck(name, body)) as {
          ok: boolean;
          error?: { code: unknown };
        };
        expect(typeof reply.ok).toBe('boolean');
        if (!reply.ok) {
          expect(isErrorCode(reply.error?.code)).toBe(true);
          codes.add(String(reply.error?.code));
        }
      }),
      { seed: SEED, numRuns: 300, verbose: true },
    );
    expect(hostile.connected).toBe(true);
    expect([...codes].every((code) => (ERROR_CODES as readonly string[]).includes(code))).toBe(true);
    expect(codes).toContain('invalid_message');
    expect(codes).toContain('payload_too_large');
    await bystanderStillReceives(context);
  }, 60_000);

  /** Sends `count` requests at once and collects the replies that came before the close. */
  async function flood(socket: Socket, count: number, event: string, payload: () => unknown) {
    let notice: CloseNotice | undefined;
    socket.on('close-notice', (received: CloseNotice) => (notice = received));
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      socket.emit(event, payload(), (reply: { ok: boolean; error?: { code: string } }) =>
        codes.push(reply.error?.code ?? 'ok'),
      );
    }
    await waitFor('the flooder to be closed', () => !socket.connected);
    return { codes, notice: () => notice };
  }

  it('closes a flood of unknown streams with protocol_abuse exactly at the strike limit, rate_limited included', async () => {
    const context = await setup({ ratePerSecond: 5, rateBurst: 10, maxStrikes: 20 });
    const flooder = await rawSocket(context.server.url);
    const { codes, notice } = await flood(flooder, 10_000, 'subscribe', () => ({ stream: 'book:NOPE' }));
    expect(codes.length).toBeLessThanOrEqual(21);
    expect(codes.filter((code) => code === 'unknown_stream')).toHaveLength(10);
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
    expect(notice()).toEqual({
      error: { code: 'protocol_abuse', message: 'too many refused requests' },
      reconnect: false,
    });
    await bystanderStillReceives(context);
  });

  it('measures maxPayloadBytes in UTF-8 bytes: 6,000 three-byte characters are over a 16 KiB limit', async () => {
    const context = await setup();
    const socket = await rawSocket(context.server.url);
    // 6,000 characters (well under 16,384) but 18,000 bytes.
    const stream = '€'.repeat(6000);
    expect(await socket.emitWithAck('subscribe', { stream })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
    expect(await socket.emitWithAck('subscribe', { stream: 'x'.repeat(6000) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
  });

  it('puts the fault event through the same limits: a flood of stalls is rate-limited and closed', async () => {
    const context = await setup({ ratePerSecond: 5, rateBurst: 10, maxStrikes: 20 });
    const flooder = await rawSocket(context.server.url);
    const { codes, notice } = await flood(flooder, 10_000, 'fault', () => ({ kind: 'stall', ms: 0 }));
    // A fault costs 5 of the 10-token burst: two are served, then every one is a refused strike.
    expect(codes.filter((code) => code === 'ok')).toHaveLength(2);
    expect(codes.length).toBeLessThanOrEqual(2 + 21);
    expect(notice()?.error.code).toBe('protocol_abuse');
    await bystanderStillReceives(context);
  });

  it('refuses a fault that does not match its schema exactly', async () => {
    const context = await setup();
    const socket = await rawSocket(context.server.url);
    const send = (payload: unknown) => socket.emitWithAck('fault', payload);
    expect(await send({ kind: 'stall', ms: 1 })).toEqual({ ok: true });
    for (const payload of [
      { kind: 'stall', ms: 10_001 },
      { kind: 'stall', ms: '5' },
      { kind: 'drop', ms: 5 },
      { kind: 'stall', ms: 5, extra: true },
      JSON.parse('{"kind":"stall","ms":5,"__proto__":{"ms":1}}'),
    ]) {
      expect(await send(payload)).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    }
  });

  it('refuses subscribe options carrying __proto__ or constructor', async () => {
    const context = await setup();
    const socket = await rawSocket(context.server.url);
    for (const options of ['{"__proto__":{"tier":"pro"}}', '{"constructor":"x"}', '{"prototype":1}']) {
      const reply: unknown = await socket.emitWithAck(
        'subscribe',
        JSON.parse(`{"stream":"book:TEST","options":${options}}`),
      );
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    }
    expect(await socket.emitWithAck('subscribe', { stream: 'book:TEST', options: { tier: 'pro' } })).toEqual({
      ok: true,
      recovered: false,
    });
  });

  it('refuses subscriptions past the limit and unknown streams with their codes', async () => {
    const context = await setup({ maxSubscriptions: 1 });
    const socket = await rawSocket(context.server.url);
    expect(await socket.emitWithAck('subscribe', { stream: 'book:NOPE' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_stream' },
    });
    expect(await socket.emitWithAck('resync', { stream: 'book:TEST' })).toMatchObject({
      ok: false,
      error: { code: 'not_subscribed' },
    });
    expect(await socket.emitWithAck('subscribe', { stream: 'book:TEST' })).toEqual({
      ok: true,
      recovered: false,
    });
    expect(await socket.emitWithAck('subscribe', { stream: 'book:OTHER' })).toMatchObject({
      ok: false,
      error: { code: 'too_many_subscriptions' },
    });
    // Subscribing again to the same stream restarts it rather than counting twice.
    expect(await socket.emitWithAck('subscribe', { stream: 'book:TEST' })).toEqual({
      ok: true,
      recovered: false,
    });
    expect(context.streams.inspect().map((stats) => stats.streams)).toContainEqual(['book:TEST']);
  });

  it('survives a frame larger than socket.io accepts: that connection closes, the server stays up', async () => {
    const context = await setup();
    const socket = await rawSocket(context.server.url);
    socket.emit('subscribe', { stream: 'x'.repeat(2_000_000) });
    await waitFor('the oversized connection to close', () => !socket.connected);
    await bystanderStillReceives(context);
  });
});
