import { jsonCodec, type DeltaMessage, type ServerMessage } from '@twohop/protocol';
import { keyedState, Replica, StreamPublisher } from '@twohop/snapshot-delta';
import { testSeed } from '@twohop/testkit';
import { connectStallableSocket, startTestServer } from '@twohop/testkit/node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams, sseStreams, StreamCatalog } from '../src/index.js';
import { catalogOf, levelsPublisher, publishChanges, sameState, sleep, waitFor } from './helpers.js';

const SEED = testSeed('SSE hostile requests', 0x55e);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('subscriptions', () => {
  it('a socket receives only the streams it subscribed to', async () => {
    const book = levelsPublisher('book:A');
    const other = levelsPublisher('book:B');
    const server = await startTestServer(
      ({ io }) => void attachSocketIoStreams(io, { catalog: catalogOf(book, other) }),
    );
    cleanups.push(() => server.close());
    const socket = await connectStallableSocket(server.url);
    cleanups.push(() => socket.disconnect());
    const streams: string[] = [];
    let lastSeq = 0;
    socket.on('m', (frame: string) => {
      const message = jsonCodec.decode(frame);
      if (message.type === 'heartbeat') return;
      streams.push(message.stream);
      if (message.type !== 'batch') lastSeq = message.seq;
    });
    await socket.emitWithAck('subscribe', { stream: 'book:A' });
    publishChanges(book, 5);
    publishChanges(other, 5);
    // Quick successive deltas may arrive partly conflated: wait for the last seq, not a frame count.
    await waitFor('book:A', () => lastSeq === 5);
    await sleep(100);
    expect(new Set(streams)).toEqual(new Set(['book:A']));

    await socket.emitWithAck('unsubscribe', { stream: 'book:A' });
    const framesBefore = streams.length;
    publishChanges(book, 5, 20, 5);
    await sleep(100);
    expect(streams).toHaveLength(framesBefore);
  });

  it('a reliable stream never merges: when its bounded lane overflows, the subscriber gets a fresh snapshot', async () => {
    // A stream where every delta matters (trades): keyed by trade id, so every change is a new key.
    const trades = new StreamPublisher({
      stream: 'trades:T',
      model: keyedState<string>(),
      historyCapacity: 64,
    });
    const server = await startTestServer(
      ({ io }) =>
        void attachSocketIoStreams(io, {
          catalog: new StreamCatalog().add(trades, { delivery: 'reliable' }),
          limits: { priorityCapacity: 50, maxStallMs: 60_000 },
        }),
      { socketIo: { pingInterval: 25_000, pingTimeout: 20_000 } },
    );
    cleanups.push(() => server.close());
    const socket = await connectStallableSocket(server.url);
    cleanups.push(() => socket.disconnect());
    const received: ServerMessage[] = [];
    const replica = new Replica({
      model: keyedState<string>(),
      onResync: () => void socket.emit('resync', { stream: 'trades:T' }),
    });
    socket.on('m', (frame: string) => {
      const message = jsonCodec.decode(frame);
      received.push(message);
      replica.receive(message as DeltaMessage<never>);
    });
    await socket.emitWithAck('subscribe', { stream: 'trades:T' });
    await waitFor('the snapshot', () => replica.status === 'live');

    socket.stall();
    const pad = 'x'.repeat(500);
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 250; i++)
        trades.publish([{ op: 'set', key: `trade${round * 250 + i}`, value: pad }]);
      await sleep(10);
    }
    socket.resume();
    await waitFor('the replica to converge', () => replica.position?.seq === trades.position.seq, 20_000);
    expect(sameState(replica.state, trades.state)).toBe(true);
    // Never a conflated delta on a reliable stream; the overflow shows as a second snapshot instead.
    const deltas = received.flatMap((m) => (m.type === 'delta' ? [m] : m.type === 'batch' ? m.items : []));
    expect(deltas.every((delta) => delta.from === undefined)).toBe(true);
    expect(received.filter((m) => m.type === 'snapshot').length).toBeGreaterThan(1);
  }, 60_000);
});

describe(`SSE hostile requests (fast-check seed ${SEED})`, () => {
  it('answers any query and Last-Event-ID with 200, 400 or 404 and stays up (property)', async () => {
    const publisher = levelsPublisher();
    const server = await startTestServer(
      ({ app }) => void app.get('/sse', sseStreams({ catalog: catalogOf(publisher) }).handler),
    );
    cleanups.push(() => server.close());
    const anyText = fc.oneof(
      fc.string(),
      fc.constant('book:TEST'),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    publishChanges(publisher, 40);
    // Well-formed `<epoch>:<seq>` ids too — this stream's epoch or another, seqs in the history, ahead of it or
    // absurd — so the resume path runs, not only the parser's refusal.
    const epoch = fc.oneof(fc.constant(publisher.position.epoch), fc.string({ maxLength: 40 }));
    const seq = fc.oneof(fc.integer({ min: -3, max: 60 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.double());
    const wellFormed = fc.tuple(epoch, seq).map(([e, n]) => `${e}:${n}`);
    const stream = fc.oneof(anyText, fc.constant('book:TEST'), fc.constant('book:TEST'));
    await fc.assert(
      fc.asyncProperty(
        stream,
        fc.oneof(anyText, wellFormed),
        fc.boolean(),
        async (name, lastEventId, asHeader) => {
          const query = new URLSearchParams({ stream: name, ...(asHeader ? {} : { lastEventId }) });
          const headers: Record<string, string> = {};
          // Header values must be ByteStrings; what fetch refuses cannot reach the server anyway.
          if (asHeader && /^[\x20-\x7e]*$/.test(lastEventId)) headers['Last-Event-ID'] = lastEventId;
          const response = await fetch(`${server.url}/sse?${query.toString()}`, { headers });
          // A known stream is always served: a resume point it cannot use means a snapshot, never an error.
          if (name === 'book:TEST') expect(response.status).toBe(200);
          else expect([200, 400, 404]).toContain(response.status);
          await response.body?.cancel();
        },
      ),
      { seed: SEED, numRuns: 150, verbose: true },
    );
    const healthy = await fetch(`${server.url}/sse?stream=book:TEST`);
    expect(healthy.status).toBe(200);
    await healthy.body?.cancel();
  }, 60_000);
});
