/**
 * `pnpm scenario auction:watchers [--watchers 5000] [--processes 2] [--rate 5] [--duration 20] [--smoke] [--write]`
 *
 * The guide's figure for the auction: "show current bid within 100 ms". One lot watched by `--watchers` clients
 * (spread over `--processes` client processes, each watcher a twohop `Replica` of `auction:<lot>`), two bidders
 * outbidding each other at `--rate` bids/s through real `bid` requests. Measures accepted-bid-to-watcher latency (the
 * server stamps each delta; one machine, one clock) beside a raw socket.io broadcast of the same bidding in the same
 * run (`io.emit` from the same server process at the instant each bid is published; no replica, no sequence
 * numbers; its own phase, so the two never compete for the machine), and the bidders' request-to-ack latency. Checks that every watcher's replica ends with every bid and that none resynced.
 */
import { LatencyRecorder } from '@twohop/metrics';
import { reply, sleep } from '@twohop/scenarios';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { requestSession } from '@twohop/client';
import { parseArgs } from 'node:util';
import { AuctionSession } from '../src/client/AuctionSession.js';
import { child, startServer } from './processes/runProcesses.js';

const { values } = parseArgs({
  options: {
    watchers: { type: 'string', default: '5000' },
    processes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '5' },
    duration: { type: 'string', default: '20' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 100 watchers for 2 s; no latency invariant. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { watchers: '100', processes: '1', duration: '2' });
const LOT = 'hall';
const TARGET_P99_MS = 100;
const watchers = Number(values.watchers);
const processes = Number(values.processes);
const rate = Number(values.rate);
const duration = Number(values.duration);
console.log(
  `auction watchers: ${watchers} watchers in ${processes} processes, ${rate} bids/s for ${duration} s, ` +
    `twohop stream vs raw socket.io broadcast; ${machine()}`,
);

type Result = { samples: number[]; bidCounts: number[]; resyncs: number };

/**
 * One phase: a fresh server process, `watchers` clients of one kind, two bidders outbidding each other at `rate`/s.
 * The two kinds run one after the other, so neither competes with the other for the machine.
 */
async function phase(mode: 'twohop' | 'raw') {
  const server = await startServer(['--lot', LOT]);
  const now = Date.now();
  await server.open({
    id: LOT,
    title: 'Watched lot',
    startPriceCents: 100,
    startsAt: now - 1000,
    endsAt: now + 3_600_000,
    softClose: { windowMs: 1000, extensionMs: 1000 },
  });
  const fleet = Array.from({ length: processes }, (_, i) =>
    child('./watchers.ts', [
      '--mode',
      mode,
      '--url',
      mode === 'raw' ? server.rawUrl : server.url,
      '--lot',
      LOT,
      '--clients',
      String(Math.ceil(watchers / processes)),
      '--name',
      `${mode}-${i}`,
    ]),
  );
  await Promise.all(fleet.map((process) => reply(process, 'ready')));
  console.log(`${mode}: ${watchers} watchers connected`);
  // Two bidders outbid each other through the app's own client.
  const bidders = await Promise.all(
    ['ada', 'bob'].map(async (name) => {
      const signed = await requestSession(server.url, name);
      const session = new AuctionSession({
        url: server.url,
        token: signed.token,
        socket: { transports: ['websocket'] },
      });
      while (session.client.state !== 'live') await sleep(10);
      return session;
    }),
  );
  for (const process of fleet) process.send({ cmd: 'record' });
  const ack = new LatencyRecorder();
  let accepted = 0;
  let refused = 0;
  const started = performance.now();
  const bidsOverTime: Array<[number, number]> = [];
  for (let i = 0; i < rate * duration; i++) {
    await sleep(Math.max(0, started + (i * 1000) / rate - performance.now()));
    const bidder = bidders[i % 2]!;
    const lot = bidder.catalog.replica.state.get(LOT);
    const sent = performance.now();
    const result = await bidder.bid(LOT, lot === undefined ? 100 : lot.minBidCents + 100 * i);
    ack.record(performance.now() - sent);
    if (result.ok) accepted++;
    else refused++;
    bidsOverTime.push([(performance.now() - started) / 1000, accepted]);
  }
  await sleep(1000);
  const results = (
    await Promise.all(fleet.map((process) => reply<{ result: Result }>(process, 'result', { cmd: 'result' })))
  ).map((r) => r.result);
  for (const bidder of bidders) bidder.close();
  server.stop();
  return { results, ack, accepted, refused, bidsOverTime };
}

const twohop = await phase('twohop');
const raw = await phase('raw');
const accepted = twohop.accepted;
const refused = twohop.refused + raw.refused;
const ack = twohop.ack;
const twohopResults = twohop.results;
const rawResults = raw.results;
const bidsOverTime = twohop.bidsOverTime;

const histogram = (results: Result[]) => {
  const recorder = new LatencyRecorder();
  for (const result of results) for (const sample of result.samples) recorder.record(sample);
  return recorder;
};
const streamLatency = histogram(twohopResults);
const rawLatency = histogram(rawResults);
const finalCounts = twohopResults.flatMap((result) => result.bidCounts);
const resyncs = twohopResults.reduce((sum, result) => sum + result.resyncs, 0);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const rows: Array<[string, LatencyRecorder, number]> = [
  ['twohop stream `auction:<id>` (Replica, seq, resume)', streamLatency, streamLatency.count],
  ['raw socket.io `io.emit` (baseline)', rawLatency, rawLatency.count],
];
const table = [
  '| path | deliveries | p50 | p90 | p99 | max |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(([name, r, count]) => {
    const s = r.summary();
    return `| ${name} | ${count} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  }),
  `| bid request → ack (the bidders) | ${ack.count} | ${ms(ack.summary().p50)} | ${ms(ack.summary().p90)} | ${ms(ack.summary().p99)} | ${ms(ack.summary().max)} |`,
].join('\n');
console.log(table);
const expected = watchers * accepted;
const ok = writeScenarioReport({
  scenario: 'auction-watchers',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: ['path', 'deliveries', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    rows: [
      ...rows.map(([name, r, count]) => {
        const s = r.summary();
        return [name, count, s.p50, s.p90, s.p99, s.max];
      }),
      [
        'bid request → ack',
        ack.count,
        ack.summary().p50,
        ack.summary().p90,
        ack.summary().p99,
        ack.summary().max,
      ],
    ],
  },
  invariants: [
    {
      name: 'every bid was accepted',
      ok: refused === 0 && accepted === rate * duration && raw.accepted === rate * duration,
      detail: `${accepted} and ${raw.accepted} accepted, ${refused} refused`,
    },
    {
      name: "every watcher's replica ends holding every bid, with no resync",
      ok:
        finalCounts.length === watchers && finalCounts.every((count) => count === accepted) && resyncs === 0,
      detail: `${finalCounts.filter((count) => count === accepted).length} of ${watchers}, ${resyncs} resyncs`,
    },
    {
      name: 'every watcher timed every bid, on both paths',
      ok: streamLatency.count === expected && rawLatency.count === watchers * raw.accepted,
      detail: `${streamLatency.count} and ${rawLatency.count} of ${expected}`,
    },
    ...(values.smoke
      ? []
      : [
          {
            name: `accepted bid to watcher p99 under ${TARGET_P99_MS} ms`,
            ok: streamLatency.summary().p99 < TARGET_P99_MS,
            detail: ms(streamLatency.summary().p99),
          },
        ]),
  ],
  latency: {
    'twohop stream': streamLatency.distribution(),
    'raw socket.io broadcast': rawLatency.distribution(),
    'bid → ack': ack.distribution(),
  },
  overTime: [{ title: 'Accepted bids', unit: 'bids', series: { accepted: bidsOverTime } }],
});
if (values.write) {
  writeBenchmarkSection(
    'auction-watchers',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario auction:watchers --write\` on: ${machine()}.`,
      '',
      `One lot watched by ${watchers} clients in ${processes} client processes; two bidders outbid each other at ${rate}`,
      `bids/s for ${duration} s through real \`bid\` requests. Latency runs from the server's stamp on the lot's delta to`,
      `each watcher's receipt (one machine, one clock), beside a raw socket.io broadcast (\`io.emit\` from the same server`,
      `process at the instant each bid is published) to as many raw clients, in a phase of its own in the same run.`,
      `Target (the guide's): p99 under ${TARGET_P99_MS} ms.`,
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
