import { keyedState } from '@twohop/snapshot-delta';
import { FakeClock, SeededRandom, testSeed } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { Backoff } from './Backoff.js';
import type { SubscribeRequest } from '@twohop/protocol';
import type { ClientTransport, TransportHandlers } from './ClientTransport.js';
import { StreamClient, type ConnectionState } from './StreamClient.js';

const SEED = testSeed('Backoff and StreamClient', 0xbac0ff);

describe(`Backoff (seed ${SEED})`, () => {
  it('grows its ceiling exponentially up to the cap, with every delay jittered below it', () => {
    const random = new SeededRandom(SEED);
    const backoff = new Backoff({ baseMs: 100, capMs: 5000, random: () => random.float() });
    const ceilings: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      ceilings.push(backoff.ceiling);
      delays.push(backoff.next());
    }
    expect(ceilings).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceilings[i] as number);
    });
    // Full jitter: capped attempts still spread over the whole window, not all at the cap.
    expect(new Set(delays.slice(6)).size).toBe(4);
    backoff.reset();
    expect(backoff.ceiling).toBe(100);
  });

  it('spreads a crowd of clients over the window instead of in step', () => {
    const random = new SeededRandom(SEED);
    const delays = Array.from({ length: 1000 }, () =>
      new Backoff({ baseMs: 1000, random: () => random.float() }).next(),
    );
    const buckets = [0, 0, 0, 0];
    for (const delay of delays) buckets[Math.floor(delay / 250)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(180);
  });
});

/** Transports the test opens and closes by hand. */
function fakeTransports() {
  const made: { handlers: TransportHandlers; closed: boolean }[] = [];
  const requests: SubscribeRequest[] = [];
  /** The streams whose `resync` reached each transport, in order. */
  const resyncs: string[] = [];
  const factory = (): ClientTransport => {
    const entry = { handlers: undefined as unknown as TransportHandlers, closed: false };
    made.push(entry);
    return {
      name: 'fake',
      open: (handlers) => {
        entry.handlers = handlers;
      },
      subscribe: async (request) => {
        requests.push(request);
        return { ok: true, recovered: request.resume !== undefined };
      },
      unsubscribe: async () => ({ ok: true }),
      resync: async (stream) => {
        resyncs.push(stream);
        return { ok: true };
      },
      close: () => {
        entry.closed = true;
      },
    };
  };
  const latest = () => made[made.length - 1]!;
  return { factory, made, latest, requests, resyncs };
}

function setup() {
  const clock = new FakeClock();
  const transports = fakeTransports();
  const random = new SeededRandom(SEED);
  const client = new StreamClient({
    transport: transports.factory,
    clock,
    backoff: { baseMs: 100, capMs: 1000, random: () => random.float() },
    healthyAfterMs: 5000,
    heartbeatTimeoutMs: 3000,
  });
  const states: ConnectionState[] = [];
  const retries: { attempt: number; delayMs: number }[] = [];
  client.events.on('state', (state) => states.push(state));
  client.events.on('retry', (retry) => retries.push(retry));
  /** Fails the current attempt and lets the scheduled retry fire. */
  const failAttempt = () => {
    transports.latest().handlers.onClose('connect_error');
    clock.advance(retries[retries.length - 1]!.delayMs);
  };
  return { clock, transports, client, states, retries, failAttempt };
}

describe('StreamClient connection lifecycle (fake clock)', () => {
  it('reconnects with growing, jittered, capped delays', () => {
    const { transports, retries, failAttempt, states } = setup();
    for (let i = 0; i < 8; i++) failAttempt();
    expect(transports.made).toHaveLength(9);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
    retries.forEach(({ delayMs }, i) => expect(delayMs).toBeLessThan(ceilings[i] as number));
    expect(states).toEqual(['reconnecting']);
  });

  it('resets the backoff after a connection that stayed healthy', () => {
    const { clock, transports, retries, failAttempt } = setup();
    for (let i = 0; i < 5; i++) failAttempt();
    transports.latest().handlers.onOpen();
    // Live and hearing heartbeats for the healthy period.
    for (let t = 0; t < 5; t++) {
      clock.advance(1000);
      transports.latest().handlers.onMessage({ type: 'heartbeat', ts: 0 });
    }
    transports.latest().handlers.onClose('transport close');
    expect(retries.at(-1)?.attempt).toBe(1);
    expect(retries.at(-1)?.delayMs).toBeLessThan(100);
  });

  it('keeps the backoff after a connection that dropped before it was healthy', () => {
    const { clock, transports, retries, failAttempt } = setup();
    for (let i = 0; i < 3; i++) failAttempt();
    transports.latest().handlers.onOpen();
    clock.advance(1000);
    transports.latest().handlers.onClose('transport close');
    expect(retries.at(-1)?.attempt).toBe(4);
  });

  it('declares a silent connection dead after the heartbeat timeout', () => {
    const { clock, transports, client } = setup();
    const first = transports.latest();
    first.handlers.onOpen();
    clock.advance(2000);
    first.handlers.onMessage({ type: 'heartbeat', ts: 0 });
    clock.advance(2999);
    expect(client.state).toBe('live');
    clock.advance(1);
    expect(client.state).toBe('reconnecting');
    expect(first.closed).toBe(true);
  });

  it('stops for good when the server says not to come back, and on close()', () => {
    const { transports, client } = setup();
    transports.latest().handlers.onOpen();
    transports.latest().handlers.onClose('io server disconnect', {
      error: { code: 'protocol_abuse', message: 'x' },
      reconnect: false,
    });
    expect(client.state).toBe('failed');
    const other = setup();
    other.client.close();
    expect(other.client.state).toBe('closed');
  });

  it('re-subscribes every stream after a reconnect: live replicas with resume, others for a snapshot', async () => {
    const { clock, transports, client, retries } = setup();
    const book = client.subscribe('book:T', { model: keyedState<number>() });
    const trades = client.subscribe('trades:T', { model: keyedState<number>() });
    transports.latest().handlers.onOpen();
    await Promise.resolve();
    transports
      .latest()
      .handlers.onMessage({ type: 'snapshot', stream: 'book:T', epoch: 'e', seq: 4, data: [] });
    transports.latest().handlers.onMessage({ type: 'delta', stream: 'book:T', epoch: 'e', seq: 5, data: [] });
    expect(book.replica.position).toEqual({ epoch: 'e', seq: 5 });
    expect(trades.replica.status).toBe('awaiting-snapshot');

    transports.latest().handlers.onClose('transport close');
    clock.advance(retries.at(-1)!.delayMs);
    transports.latest().handlers.onOpen();
    await Promise.resolve();
    expect(transports.requests).toEqual([
      { stream: 'book:T' },
      { stream: 'trades:T' },
      { stream: 'book:T', resume: { epoch: 'e', seq: 5 } },
      { stream: 'trades:T' },
    ]);
  });

  it('sends a replica’s resync request to the server while live', async () => {
    const { transports, client } = setup();
    const resyncs: string[] = [];
    client.events.on('resync', ({ stream, reason }) => resyncs.push(`${stream}:${reason}`));
    client.subscribe('book:T', { model: keyedState<number>() });
    transports.latest().handlers.onOpen();
    transports
      .latest()
      .handlers.onMessage({ type: 'snapshot', stream: 'book:T', epoch: 'e', seq: 4, data: [] });
    expect(transports.resyncs).toEqual([]);
    transports.latest().handlers.onMessage({ type: 'delta', stream: 'book:T', epoch: 'e', seq: 9, data: [] });
    expect(resyncs).toEqual(['book:T:gap']);
    // The request reached the transport, once: the event alone would leave the replica waiting forever.
    expect(transports.resyncs).toEqual(['book:T']);
  });
});
