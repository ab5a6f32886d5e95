/**
 * `pnpm scenario auction:race [--clients 200] [--bids 50] [--auctions 3] [--lease-ms 20] [--seed 29] [--smoke] [--write]`
 *
 * Concurrent bidding through every way of accepting a bid, side by side: the two real stores (in-process, and Redis
 * with its one Lua script), each behind its SQLite audit log as the server runs them, and the teaching variants
 * (naive read-then-write in-process and over Redis, a Redis lease lock whose holders sometimes stall past their
 * lease, and the fenced versions of both). 200 clients place 50 bids each (10,000 bids) on 3 auctions, many of equal
 * amounts at the same instant; the oracle replays each variant's audit log and counts anomalies. The two real stores
 * run twice: behind the app's server, bids sent by 200 signed-in `AuctionSession`s over socket.io (request-to-ack as
 * a bidder sees it), and straight into the store from concurrent client tasks (the store's acceptance plus the
 * durable audit append), with the same stores without the log beside them as the baseline — and once more through
 * two auction nodes sharing the Redis store, half the bidders on each. The teaching variants are driven straight (the
 * server's configuration cannot select them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, startRedisServer, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { totalAnomalies, type AuditLog, type BidStore } from '../src/domain/index.js';
import { createBidStore } from '../src/server/store/createBidStore.js';
import { InProcessBidStore } from '../src/server/store/InProcessBidStore.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import {
  createTeachingStore,
  TEACHING_VARIANTS,
  type TeachingVariant,
} from '../src/server/store/teaching/createTeachingStore.js';
import { gcPauses, raceAuctions, runRace, type RaceResult } from './race/runRace.js';
import { runServerRace } from './race/runServerRace.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    bids: { type: 'string', default: '50' },
    auctions: { type: 'string', default: '3' },
    'lease-ms': { type: 'string', default: '20' },
    seed: { type: 'string', default: process.env.TWOHOP_SEED ?? '29' },
    write: { type: 'boolean', default: false },
    /** The test suite's size: 200 clients, 3 bids each. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { bids: '3' });
const size = {
  seed: Number(values.seed),
  clients: Number(values.clients),
  bidsPerClient: Number(values.bids),
  auctions: Number(values.auctions),
};
const leaseMs = Number(values['lease-ms']);
console.log(
  `auction race: ${size.clients} clients × ${size.bidsPerClient} bids on ${size.auctions} auctions, seed ${size.seed}` +
    ` (rerun with --seed ${size.seed}); ${machine()}`,
);

const redis = await startRedisServer();
const dir = mkdtempSync(join(tmpdir(), 'auction-race-'));
let prefixes = 0;

/** Runs the race on a freshly opened store; closes it after. */
async function race(open: () => Promise<{ store: BidStore; audit?: AuditLog; close(): Promise<void> }>) {
  const { store, audit, close } = await open();
  const terms = raceAuctions(size.auctions, await store.now());
  for (const auction of terms) await store.create(auction);
  try {
    return await runRace(store, terms, size, audit);
  } finally {
    await close();
  }
}
const real = (kind: 'in-process' | 'redis') => () =>
  createBidStore({
    store: kind === 'redis' ? { kind, url: redis.url, keyPrefix: `race${++prefixes}:` } : { kind },
    auditPath: join(dir, `${kind}.db`),
  });
/** The same store with no audit log: the baseline that shows what a durable line before every ack costs. */
const unaudited = (kind: 'in-process' | 'redis') => async () => {
  const store =
    kind === 'redis'
      ? new RedisBidStore({ redis: redis.url, keyPrefix: `race${++prefixes}:` })
      : new InProcessBidStore();
  return { store, close: () => store.close() };
};
const teaching = (variant: TeachingVariant) => async () => {
  const store = createTeachingStore(variant, {
    redisUrl: redis.url,
    keyPrefix: `race${++prefixes}:`,
    leaseMs,
    // One lock holder in eight stalls for three leases before it writes (Kleppmann's GC pause).
    pauseMs: gcPauses(leaseMs * 3),
  });
  return { store, close: () => store.close() };
};

const rows: Array<[string, boolean, RaceResult]> = [];
try {
  rows.push(['in-process store (the app, embedded)', true, await race(real('in-process'))]);
  rows.push(['Redis store: one Lua script (the app, several nodes)', true, await race(real('redis'))]);
  for (const kind of ['in-process', 'redis'] as const) {
    const store = kind === 'redis' ? { kind, url: redis.url, keyPrefix: `race${++prefixes}:` } : { kind };
    const terms = raceAuctions(size.auctions, Date.now());
    rows.push([
      `through the server over socket.io: ${kind === 'redis' ? 'Redis' : 'in-process'} store`,
      true,
      await runServerRace(store, terms, size, dir),
    ]);
  }
  rows.push(['baseline: in-process store, no audit log', true, await race(unaudited('in-process'))]);
  rows.push(['baseline: Redis store, no audit log', true, await race(unaudited('redis'))]);
  // The cluster: two auction nodes on the one Redis store, half the bidders on each.
  rows.push([
    'through two nodes over socket.io: Redis store (the cluster)',
    true,
    await runServerRace(
      { kind: 'redis', url: redis.url, keyPrefix: `race${++prefixes}:` },
      raceAuctions(size.auctions, Date.now()),
      size,
      dir,
      2,
    ),
  ]);
  for (const variant of TEACHING_VARIANTS)
    rows.push([variant, variant.includes('+fencing'), await race(teaching(variant))]);
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const count = (n: number) => n.toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / Math.max(b, 0.001)).toFixed(2)}×`;
const table = [
  '| acceptance | bids | accepted | double leaders | lost updates | below increment | price decreases | after close | state ≠ replay | ack p50 | ack p99 |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(([name, , r]) => {
    const a = r.anomalies;
    const p = r.latency.summary();
    return `| ${name} | ${r.bids} | ${r.accepted} | ${a.doubleLeaders} | ${a.lostUpdates} | ${a.belowIncrement} | ${a.priceDecreases} | ${a.acceptedAfterClose} | ${a.stateMismatches} | ${ms(p.p50)} | ${ms(p.p99)} |`;
  }),
].join('\n');
console.log(table);

/** The run whose name starts with `name`. */
const run = (name: string) => rows.find(([row]) => row.startsWith(name))![2];
const [inProcessRun, redisRun] = [run('in-process store'), run('Redis store')];
const [inProcess, redisStore, bareInProcess, bareRedis, servedInProcess, servedRedis, servedCluster] = [
  inProcessRun,
  redisRun,
  run('baseline: in-process'),
  run('baseline: Redis'),
  run('through the server over socket.io: in-process'),
  run('through the server over socket.io: Redis'),
  run('through two nodes'),
].map((r) => r.latency.summary());
const unfenced = rows.filter(([name, correct]) => !correct && !name.includes('+fencing'));
const ok = writeScenarioReport({
  scenario: 'auction-race',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: [
      'acceptance',
      'bids',
      'accepted',
      'double leaders',
      'lost updates',
      'below increment',
      'price decreases',
      'after close',
      'state ≠ replay',
      'ack p50 ms',
      'ack p99 ms',
    ],
    rows: rows.map(([name, , r]) => {
      const a = r.anomalies;
      const p = r.latency.summary();
      return [
        name,
        r.bids,
        r.accepted,
        a.doubleLeaders,
        a.lostUpdates,
        a.belowIncrement,
        a.priceDecreases,
        a.acceptedAfterClose,
        a.stateMismatches,
        p.p50,
        p.p99,
      ];
    }),
  },
  invariants: [
    {
      name: 'the oracle finds no anomaly in either real store or in the fenced variants',
      ok: rows.filter(([, correct]) => correct).every(([, , r]) => totalAnomalies(r.anomalies) === 0),
      detail: rows.map(([name, , r]) => `${name.split(' (')[0]}: ${totalAnomalies(r.anomalies)}`).join('; '),
    },
    {
      name: 'the oracle finds anomalies in every unfenced teaching variant',
      ok: unfenced.every(([, , r]) => r.anomalies.lostUpdates > 0),
      detail: unfenced
        .map(([name, , r]) => `${name.split(' (')[0]}: ${r.anomalies.lostUpdates} lost`)
        .join('; '),
    },
    {
      name: 'every bid was answered and logged, and the race was contended (many accepted, many refused)',
      ok:
        rows.every(([, , r]) => r.bids === size.clients * size.bidsPerClient) &&
        inProcessRun.accepted > size.auctions * 5,
      detail: `${inProcessRun.bids} bids per variant; ${inProcessRun.accepted} accepted by the in-process store, ${redisRun.accepted} by Redis`,
    },
  ],
  latency: Object.fromEntries(rows.slice(0, 7).map(([name, , r]) => [name, r.latency.distribution()])),
  overTime: [
    {
      title: 'Bids acknowledged per second',
      unit: 'acks/s',
      series: Object.fromEntries(rows.slice(0, 7).map(([name, , r]) => [name, r.acks.points()])),
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'auction-race',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario auction:race --write\` on: ${machine()}.`,
      '',
      `${size.clients} concurrent clients place ${size.bidsPerClient} bids each (${count(size.clients * size.bidsPerClient)} bids) on`,
      `${size.auctions} auctions, many of equal amounts at the same instant. "Through the server": the auction app with`,
      `${size.clients} signed-in \`AuctionSession\`s bidding over socket.io, each following the lot list's live price; the`,
      'other rows go straight into each store from concurrent client tasks. Server and clients share one process and its',
      'two cores, so a p99 includes waiting for the other clients’ turns. The real stores run behind their SQLite audit',
      'log, so an ack waits for its line to be',
      `durable (group commit, fsync); the teaching variants keep no log. Lease ${leaseMs} ms; one lock holder in eight`,
      `stalls for ${leaseMs * 3} ms. The race's auctions stay open (closing is covered by the domain's property test).`,
      '',
      table,
      '',
      `Ack latency as ratios. Redis store / in-process store: p50 **${ratio(redisStore!.p50, inProcess!.p50)}**,`,
      `p99 **${ratio(redisStore!.p99, inProcess!.p99)}**. Each real store / the same store without the audit log:`,
      `in-process p50 **${ratio(inProcess!.p50, bareInProcess!.p50)}**, p99 **${ratio(inProcess!.p99, bareInProcess!.p99)}**;`,
      `Redis p50 **${ratio(redisStore!.p50, bareRedis!.p50)}**, p99 **${ratio(redisStore!.p99, bareRedis!.p99)}**.`,
      `Through the server over socket.io, Redis / in-process: p50 **${ratio(servedRedis!.p50, servedInProcess!.p50)}**,`,
      `p99 **${ratio(servedRedis!.p99, servedInProcess!.p99)}**. Two nodes / one node on the Redis store:`,
      `p50 **${ratio(servedCluster!.p50, servedRedis!.p50)}**, p99 **${ratio(servedCluster!.p99, servedRedis!.p99)}**.`,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
