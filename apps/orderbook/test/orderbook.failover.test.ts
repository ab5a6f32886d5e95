import { StreamClient, socketIoTransport } from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import { waitFor } from '@twohop/testkit';
import { startAppProcess, startRedisServer } from '@twohop/testkit/node';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bookChecksum, levelBookState } from '../src/domain/LevelBook.js';
import { bookStream, tradesStream, type TradeView } from '../src/domain/streams.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An order book node in a process of its own, as `pnpm start --nodes` runs it; resolves once it listens. */
async function node(redisUrl: string, role: 'engine' | 'gateway', name: string) {
  const started = await startAppProcess({
    root,
    app: 'orderbook',
    name,
    env: { TWOHOP_REDIS_URL: redisUrl, ORDERBOOK_ROLE: role, ORDERBOOK_RATE: '300' },
  });
  cleanups.push(() => started.stop('SIGKILL'));
  return started;
}

/** A stream as a client follows it: its replica's state and position. */
interface Followed {
  readonly stream: string;
  readonly replica: {
    readonly state: { entries(): Iterable<[string, unknown]> };
    readonly position: { seq: number } | undefined;
  };
}

/** What one client saw of a stream: each state it held, by seq, and the seqs of the deltas it was sent. */
function record(client: StreamClient, { stream, replica }: Followed) {
  const states = new Map<number, string>();
  const deltas: { from: number; seq: number }[] = [];
  const subscribed: boolean[] = [];
  const resyncs: string[] = [];
  client.events.on('delta', (delta) => {
    if (delta.stream === stream) deltas.push({ from: delta.from, seq: delta.seq });
  });
  client.events.on('subscribed', (ack) => {
    if (ack.stream === stream) subscribed.push(ack.recovered);
  });
  client.events.on('resync', (event) => {
    if (event.stream === stream) resyncs.push(event.reason);
  });
  client.events.on('change', (event) => {
    if (event.stream !== stream) return;
    queueMicrotask(() =>
      states.set(replica.position?.seq ?? 0, JSON.stringify([...replica.state.entries()])),
    );
  });
  return { states, deltas, subscribed, resyncs };
}

/** Follows BTC-USD's pro book (checksums verified) and its trades on `client`, recording both. */
function followPro(client: StreamClient) {
  const book = client.subscribe(bookStream('BTC-USD', 'pro'), {
    model: levelBookState(),
    checksum: bookChecksum,
  });
  const trades = client.subscribe(tradesStream('BTC-USD', 'pro'), { model: keyedState<TradeView>() });
  return { book, trades, seenBook: record(client, book), seenTrades: record(client, trades) };
}

/** Seqs `a` and `b` both saw, and whether they held the same state at each. */
function compare(a: Map<number, string>, b: Map<number, string>) {
  const common = [...a.keys()].filter((seq) => b.has(seq));
  return { common: common.length, differing: common.filter((seq) => a.get(seq) !== b.get(seq)) };
}

describe('the order book on several nodes', () => {
  it(
    'a client whose gateway is SIGKILLed resumes on another: the book converges exactly, no trade lost, repeated or reordered',
    { timeout: 90_000 },
    async () => {
      const redis = await startRedisServer();
      cleanups.push(() => redis.stop());
      await node(redis.url, 'engine', 'engine');
      const [a, b] = await Promise.all([
        node(redis.url, 'gateway', 'gw-a'),
        node(redis.url, 'gateway', 'gw-b'),
      ]);

      // The client's URL is the one a load balancer would give it: A, then B once A is gone.
      let current = a.url;
      const client = new StreamClient({
        transport: () => socketIoTransport(current)(),
        backoff: { baseMs: 50, capMs: 200 },
      });
      cleanups.push(() => client.close());
      const { book, trades, seenBook, seenTrades } = followPro(client);
      await waitFor(
        'the client live on A',
        () => trades.replica.status === 'live' && book.replica.status === 'live',
      );
      await waitFor('some trades on A', () => seenTrades.deltas.length >= 20, 20_000);

      await a.stop('SIGKILL');
      const before = { book: book.replica.position!, trades: trades.replica.position! };
      // At once, as a load balancer would: B may not have reached the client's position yet, and holds its resume.
      current = b.url;

      // A probe on B, which is also what the client's state is compared with.
      const probe = new StreamClient({ transport: socketIoTransport(b.url) });
      cleanups.push(() => probe.close());
      const { seenBook: probeSeenBook, seenTrades: probeSeenTrades } = followPro(probe);
      await waitFor('the client resumed on B', () => seenTrades.subscribed.length === 2, 20_000);
      const resumedAt = trades.replica.position!.seq;
      await waitFor('more trades on B', () => (trades.replica.position?.seq ?? 0) >= resumedAt + 20, 20_000);

      // Resumed, not restarted: the same epoch, the missed deltas replayed.
      expect(seenTrades.subscribed).toEqual([false, true]);
      expect(seenBook.subscribed).toEqual([false, true]);
      expect(trades.replica.position!.epoch).toBe(before.trades.epoch);
      expect(book.replica.position!.epoch).toBe(before.book.epoch);
      expect(seenTrades.resyncs).toEqual([]);
      expect(seenBook.resyncs).toEqual([]); // and every book checksum matched
      // Reliable trades: one delta per seq, in order, across both nodes.
      const seqs = seenTrades.deltas.map((delta) => delta.seq);
      expect(seenTrades.deltas.every((delta) => delta.from === delta.seq)).toBe(true);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
      // Exact convergence: at every seq both saw since, the client held what a fresh client of B held.
      await waitFor('the probe and the client at a common seq', () => {
        const t = compare(seenTrades.states, probeSeenTrades.states);
        const k = compare(seenBook.states, probeSeenBook.states);
        return t.common >= 10 && k.common >= 10;
      });
      expect(compare(seenTrades.states, probeSeenTrades.states).differing).toEqual([]);
      expect(compare(seenBook.states, probeSeenBook.states).differing).toEqual([]);
    },
  );
});
