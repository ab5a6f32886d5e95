/**
 * Order book clients for scenarios, in a process of their own: `--clients` clients spread round-robin over `--tiers`
 * and `--transports` (socket.io, plain WebSocket), each following `book:<symbol>[/tier]` with a real replica (checksums verified). Messages from the parent:
 * `{ cmd: 'record' }` starts counting, `{ cmd: 'summary' }` → `{ summary }` per tier, the replicas live now and
 * every 250 ms since recording started (`liveOverTime`).
 */
import { parseArgs } from 'node:util';
import { answerCpu } from '@twohop/scenarios';
import { LatencyRecorder, TimeSeries, type LatencySummary } from '@twohop/metrics';
import { jsonCodec, protobufCodec, type DeltaMessage, type ServerMessage } from '@twohop/protocol';
import { Replica } from '@twohop/snapshot-delta';
import { bookChecksum, levelBookState } from '@twohop/orderbook/book';
import { orderbookPayloads } from '@twohop/orderbook/wire';
import { SeededRandom } from '@twohop/testkit';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    clients: { type: 'string', default: '500' },
    tiers: { type: 'string', default: 'retail' },
    /** `socket.io`, `ws` (plain WebSocket at /ws), or both, comma-separated: clients spread over them. */
    transports: { type: 'string', default: 'socket.io' },
    symbol: { type: 'string', default: 'BTC-USD' },
    /** Probability that a client loses a delta on arrival (the `gaps` scenario); `{ cmd: 'heal' }` sets it to 0. */
    drop: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});
let dropRate = Number(values.drop);
const random = new SeededRandom(Number(values.seed));
const tiers = values.tiers.split(',');
const transports = values.transports.split(',');
/** Results are grouped by tier, and by transport too when there are several: `retail`, or `retail over ws`. */
const groupOf = (tier: string, transport: string) =>
  transports.length === 1 ? tier : `${tier} over ${transport}`;
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
  /** Deliveries to each client while recording, by client (for the tier's maximum frequency). */
  perClient: Map<number, number>;
  /** Resyncs per 250 ms from the start of the recording. */
  resyncsOverTime: TimeSeries;
  countedSoFar: number;
}
const replicas: Replica<unknown, unknown, unknown>[] = [];
const stats = new Map<string, TierStats>(
  tiers
    .flatMap((tier) => transports.map((transport) => groupOf(tier, transport)))
    .map((group) => [
      group,
      {
        clients: 0,
        latency: new LatencyRecorder(),
        deliveries: 0,
        bytes: 0,
        resyncs: 0,
        dropped: 0,
        gaps: 0,
        perSecond: [],
        perClient: new Map<number, number>(),
        resyncsOverTime: new TimeSeries(),
        countedSoFar: 0,
      },
    ]),
);
/** When recording started (`performance.now()`), for the recording's length. */
let recordingSince = 0;
let nextClient = 0;
let recording = false;
/** Replicas live, sampled every 250 ms from the start of the recording. */
let liveOverTime = new TimeSeries();

/** One client's connection, over either transport: requests with replies, and every frame it receives. */
interface Link {
  request(method: string, params: unknown): Promise<unknown>;
  onFrame(listener: (frame: string | Uint8Array) => void): void;
}

/** socket.io: requests are events with acks, frames are the `m` event. */
async function socketIoLink(binaryFrames: boolean): Promise<Link> {
  const socket = io(values.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query: { codec: binaryFrames ? 'protobuf' : 'json' },
  });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  return {
    request: (method, params) => socket.emitWithAck(method, params),
    onFrame: (listener) =>
      socket.on('m', (frame: string | ArrayBuffer) =>
        listener(typeof frame === 'string' ? frame : new Uint8Array(frame)),
      ),
  };
}

/** Plain WebSocket at `/ws` (docs/protocol.md): `{id, method, params}` requests, `reply` frames, stream frames. */
async function webSocketLink(binaryFrames: boolean): Promise<Link> {
  const socket = new WebSocket(
    `${values.url.replace('http', 'ws')}/ws${binaryFrames ? '?codec=protobuf' : ''}`,
  );
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waiting = new Map<number, (reply: unknown) => void>();
  let nextId = 1;
  let listener: (frame: string | Uint8Array) => void = () => undefined;
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return listener(new Uint8Array(data));
    const text = String(data);
    // Replies are the only frames whose type is `reply`; everything else is a stream message.
    if (text.startsWith('{"type":"reply"')) {
      const reply = JSON.parse(text) as { id: number; reply: unknown };
      waiting.get(reply.id)?.(reply.reply);
      waiting.delete(reply.id);
    } else listener(text);
  });
  return {
    request: (method, params) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    onFrame: (received) => {
      listener = received;
    },
  };
}

async function connect(tier: string, transport: string): Promise<void> {
  const stream = tier === 'pro' ? `book:${values.symbol}` : `book:${values.symbol}/${tier}`;
  const link = await (transport === 'ws' ? webSocketLink : socketIoLink)(tier === 'pro');
  const tierStats = stats.get(groupOf(tier, transport)) as TierStats;
  tierStats.clients++;
  const client = nextClient++;
  const replica = new Replica({
    model: levelBookState(),
    checksum: bookChecksum,
    onResync: (reason) => {
      tierStats.resyncs++;
      if (recording) tierStats.resyncsOverTime.count();
      if (reason === 'gap') tierStats.gaps++;
      void link.request('resync', { stream });
    },
  });
  link.onFrame((frame) => {
    const message: ServerMessage = typeof frame === 'string' ? jsonCodec.decode(frame) : binary.decode(frame);
    if (message.type === 'heartbeat') return;
    if (message.type === 'delta' && random.chance(dropRate)) {
      tierStats.dropped++;
      return;
    }
    if (recording && message.type === 'delta') {
      tierStats.deliveries++;
      tierStats.perClient.set(client, (tierStats.perClient.get(client) ?? 0) + 1);
      tierStats.bytes += typeof frame === 'string' ? frame.length : frame.byteLength;
      if (message.ts !== undefined) tierStats.latency.record(Date.now() - message.ts);
    }
    replica.receive(message as DeltaMessage<never>);
  });
  replicas.push(replica as unknown as Replica<unknown, unknown, unknown>);
  await link.request('subscribe', { stream });
}

const count = Number(values.clients);
/** Clients go round-robin over every tier on every transport. */
const groups = tiers.flatMap((tier) => transports.map((transport) => [tier, transport] as const));
for (let i = 0; i < count; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, count - i) }, (_, j) => {
      const [tier, transport] = groups[(i + j) % groups.length] as readonly [string, string];
      return connect(tier, transport);
    }),
  );
}
process.send?.({ connected: true });
answerCpu();
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'record') {
    for (const tierStats of stats.values()) {
      tierStats.latency.reset();
      tierStats.deliveries = 0;
      tierStats.bytes = 0;
      tierStats.perSecond = [];
      tierStats.perClient.clear();
      tierStats.resyncsOverTime = new TimeSeries();
      tierStats.countedSoFar = 0;
    }
    recording = true;
    recordingSince = performance.now();
    liveOverTime = new TimeSeries();
    const sampler = setInterval(() => {
      if (!recording) return clearInterval(sampler);
      liveOverTime.level(replicas.filter((replica) => replica.status === 'live').length);
    }, 250);
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
        /** The most deltas any one client of the group received while recording. */
        maxPerClient: number;
        /** How long the recording lasted here, ms. */
        recordedMs: number;
        resyncsOverTime: Array<[number, number]>;
      }
    > = {};
    const recordedMs = performance.now() - recordingSince;
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
        maxPerClient: Math.max(0, ...s.perClient.values()),
        recordedMs,
        resyncsOverTime: s.resyncsOverTime.points(),
      };
    }
    process.send?.({
      summary,
      live: replicas.filter((replica) => replica.status === 'live').length,
      liveOverTime: liveOverTime.points(),
    });
  } else if (message.cmd === 'heal') {
    dropRate = 0;
  } else if (message.cmd === 'exit') process.exit(0);
});
