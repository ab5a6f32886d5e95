/**
 * Order book clients for scenarios, in a process of their own: `--clients` socket.io clients spread round-robin over
 * `--tiers`, each following `book:<symbol>[/tier]` with a real replica (checksums verified). Messages from the parent:
 * `{ cmd: 'record' }` starts counting, `{ cmd: 'summary' }` → `{ summary }` per tier.
 */
import { parseArgs } from 'node:util';
import { LatencyRecorder, type LatencySummary } from '@twohop/metrics';
import { jsonCodec, protobufCodec, type DeltaMessage, type ServerMessage } from '@twohop/protocol';
import { Replica } from '@twohop/snapshot-delta';
import { bookChecksum, levelBookState } from '@twohop/orderbook/book';
import { orderbookPayloads } from '@twohop/orderbook/wire';
import { SeededRandom } from '@twohop/testkit';
import { io } from 'socket.io-client';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    clients: { type: 'string', default: '500' },
    tiers: { type: 'string', default: 'retail' },
    symbol: { type: 'string', default: 'BTC-USD' },
    /** Probability that a client loses a delta on arrival (the `gaps` scenario); `{ cmd: 'heal' }` sets it to 0. */
    drop: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});
let dropRate = Number(values.drop);
const random = new SeededRandom(Number(values.seed));
const tiers = values.tiers.split(',');
const binary = protobufCodec(orderbookPayloads);

interface TierStats {
  clients: number;
  latency: LatencyRecorder;
  deliveries: number;
  bytes: number;
  resyncs: number;
  dropped: number;
  gaps: number;
  /** Deliveries in each second of the recording. */
  perSecond: number[];
  countedSoFar: number;
}
const replicas: Replica<unknown, unknown, unknown>[] = [];
const stats = new Map<string, TierStats>(
  tiers.map((tier) => [
    tier,
    {
      clients: 0,
      latency: new LatencyRecorder(),
      deliveries: 0,
      bytes: 0,
      resyncs: 0,
      dropped: 0,
      gaps: 0,
      perSecond: [],
      countedSoFar: 0,
    },
  ]),
);
let recording = false;

async function connect(tier: string): Promise<void> {
  const stream = tier === 'pro' ? `book:${values.symbol}` : `book:${values.symbol}/${tier}`;
  const socket = io(values.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query: { codec: tier === 'pro' ? 'protobuf' : 'json' },
  });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  const tierStats = stats.get(tier) as TierStats;
  tierStats.clients++;
  const replica = new Replica({
    model: levelBookState(),
    checksum: bookChecksum,
    onResync: (reason) => {
      tierStats.resyncs++;
      if (reason === 'gap') tierStats.gaps++;
      void socket.emitWithAck('resync', { stream });
    },
  });
  socket.on('m', (frame: string | ArrayBuffer) => {
    const message: ServerMessage =
      typeof frame === 'string' ? jsonCodec.decode(frame) : binary.decode(new Uint8Array(frame));
    if (message.type === 'heartbeat') return;
    if (message.type === 'delta' && random.chance(dropRate)) {
      tierStats.dropped++;
      return;
    }
    if (recording && message.type === 'delta') {
      tierStats.deliveries++;
      tierStats.bytes += typeof frame === 'string' ? frame.length : frame.byteLength;
      if (message.ts !== undefined) tierStats.latency.record(Date.now() - message.ts);
    }
    replica.receive(message as DeltaMessage<never>);
  });
  replicas.push(replica as unknown as Replica<unknown, unknown, unknown>);
  await socket.emitWithAck('subscribe', { stream });
}

const count = Number(values.clients);
for (let i = 0; i < count; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      connect(tiers[(i + j) % tiers.length] as string),
    ),
  );
}
process.send?.({ connected: true });
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'record') {
    for (const tierStats of stats.values()) {
      tierStats.latency.reset();
      tierStats.deliveries = 0;
      tierStats.bytes = 0;
      tierStats.perSecond = [];
      tierStats.countedSoFar = 0;
    }
    recording = true;
    const ticker = setInterval(() => {
      if (!recording) return clearInterval(ticker);
      for (const tierStats of stats.values()) {
        tierStats.perSecond.push(tierStats.deliveries - tierStats.countedSoFar);
        tierStats.countedSoFar = tierStats.deliveries;
      }
    }, 1000);
  } else if (message.cmd === 'summary') {
    recording = false;
    const summary: Record<
      string,
      {
        clients: number;
        deliveries: number;
        bytes: number;
        resyncs: number;
        dropped: number;
        gaps: number;
        latency: LatencySummary;
        distribution: Array<[number, number]>;
        perSecond: number[];
      }
    > = {};
    for (const [tier, s] of stats) {
      summary[tier] = {
        clients: s.clients,
        deliveries: s.deliveries,
        bytes: s.bytes,
        resyncs: s.resyncs,
        dropped: s.dropped,
        gaps: s.gaps,
        latency: s.latency.summary(),
        distribution: s.latency.distribution(),
        perSecond: s.perSecond,
      };
    }
    process.send?.({ summary, live: replicas.filter((replica) => replica.status === 'live').length });
  } else if (message.cmd === 'heal') {
    dropRate = 0;
  } else if (message.cmd === 'exit') process.exit(0);
});
