/**
 * `pnpm scenario orderbook:fanout [--clients 500] [--tiers retail] [--transports socket.io] [--windows shared]
 *   [--pin] [--rate 1000] [--duration 15] [--seed S] [--smoke] [--write]`
 *
 * The order book app in its own process, the engine at `rate` book changes/s per symbol, and `clients` clients on
 * BTC-USD spread over `tiers` and `transports` (`socket.io`, `ws` for plain WebSocket at /ws), in a fresh process,
 * each keeping a verified replica. Reports per tier (and transport): deliveries/s, bytes/s, engine-to-client latency
 * (each delta's server timestamp to its arrival; a conflated delta carries its newest change's time), resyncs, the
 * frames the plain-WebSocket binding encoded per delivery, and the server's CPU per delivery with the share of the
 * machine's cores the server and the load generator (the clients' process) used while recording.
 *
 * `--windows own,shared` runs the whole thing once per mode, back to back: `own` gives every throttled subscriber a
 * window of its own (and its own frame), `shared` closes a tier's windows together (one frame per window, encoded
 * once). `--pin` puts the server on core 0 and the load generator on core 1 (`taskset`), so the clients' work is not
 * counted in the server's latency where the machine can avoid it.
 *
 * Invariants (correctness, never timing): every group received deltas, no client resynced (every checksum matched),
 * and no client of a throttled tier got more frames than its windows allow. The guide's latency targets (pro p99
 * < 10 ms, retail < 50 ms, mobile < 200 ms) are reported beside the figures, met or not: they depend on the machine.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LatencySummary } from '@twohop/metrics';
import { tiers as tierSpecs } from '@twohop/orderbook/tiers';
import { cpuOf, loadAverage, pinToCore, reply, sleep } from '@twohop/scenarios';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '500' },
    tiers: { type: 'string', default: 'retail' },
    transports: { type: 'string', default: 'socket.io' },
    /** `shared`, `own`, or both (comma-separated, run one after the other). */
    windows: { type: 'string', default: 'shared' },
    /** Server on core 0, load generator on core 1. */
    pin: { type: 'boolean', default: false },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '15' },
    /** Seeds the app's simulated order flow. */
    seed: { type: 'string', default: '11' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 30 clients over every tier on both transports for 3 s. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, {
    clients: '30',
    tiers: 'pro,retail,mobile',
    transports: 'socket.io,ws',
    duration: '3',
  });
const seconds = Number(values.duration);
const modes = values.windows.split(',');
const cores = availableParallelism();

/** The guide's engine-to-client p99 per tier, in ms. */
const TARGET_P99: Record<string, number> = { pro: 10, retail: 50, mobile: 200 };
const intervalOf = (tier: string) => tierSpecs(1).find((spec) => spec.name === tier)?.intervalMs ?? 0;
const streamOf = (tier: string) => (tier === 'pro' ? 'book:BTC-USD' : `book:BTC-USD/${tier}`);

type TierSummary = {
  clients: number;
  deliveries: number;
  bytes: number;
  resyncs: number;
  latency: LatencySummary;
  distribution: Array<[number, number]>;
  perSecond: number[];
  maxPerClient: number;
  recordedMs: number;
};
interface Run {
  mode: string;
  summary: Record<string, TierSummary>;
  encoded: Record<string, number>;
  /** Server CPU time per delivery while recording, µs. */
  cpuPerDelivery: number;
  share: { server: number; clients: number };
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
async function run(mode: string): Promise<Run> {
  const server = fork(
    here('./processes/server.ts'),
    ['--rate', values.rate, '--seed', values.seed, '--shared-windows', String(mode !== 'own')],
    { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
  );
  const port = (await reply<{ port: number }>(server, 'port')).port;
  const clients = fork(
    here('./processes/clients.ts'),
    [
      ...['--url', `http://127.0.0.1:${port}`, '--clients', values.clients],
      ...['--tiers', values.tiers, '--transports', values.transports],
    ],
    { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
  );
  if (values.pin) [server, clients].forEach((child, core) => pinToCore(child, core));
  await reply(clients, 'connected');
  console.log(`${mode} windows: connected; warming up 3 s …`);
  await sleep(3000);
  const encodedBefore = (
    await reply<{ encoded: Record<string, number> }>(server, 'encoded', { cmd: 'encoded' })
  ).encoded;
  clients.send({ cmd: 'record' });
  const started = { at: performance.now(), server: await cpuOf(server), clients: await cpuOf(clients) };
  await sleep(seconds * 1000);
  const ended = { at: performance.now(), server: await cpuOf(server), clients: await cpuOf(clients) };
  const encodedAfter = (
    await reply<{ encoded: Record<string, number> }>(server, 'encoded', { cmd: 'encoded' })
  ).encoded;
  const { summary } = await reply<{ summary: Record<string, TierSummary> }>(clients, 'summary', {
    cmd: 'summary',
  });
  clients.send({ cmd: 'exit' });
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  // What each process used of the machine while recording: the load generator shares the cores with the server.
  const coreUs = (ended.at - started.at) * 1000 * cores;
  const share = (key: 'server' | 'clients') => (100 * (ended[key] - started[key])) / coreUs;
  const delivered = Object.values(summary).reduce((n, s) => n + s.deliveries, 0);
  const encoded = Object.fromEntries(
    Object.entries(encodedAfter).map(([stream, n]) => [stream, n - (encodedBefore[stream] ?? 0)]),
  );
  return {
    mode,
    summary,
    encoded,
    cpuPerDelivery: (ended.server - started.server) / Math.max(1, delivered),
    share: { server: share('server'), clients: share('clients') },
  };
}

console.log(
  `orderbook fan-out: ${values.clients} clients on ${values.tiers} over ${values.transports}, ${modes.join(' then ')} windows${values.pin ? ', server and clients pinned to cores 0 and 1' : ''}, engine at ${values.rate} changes/s per symbol (seed ${values.seed}); ${machine()}`,
);
const load = [loadAverage()];
const runs: Run[] = [];
for (const mode of modes) runs.push(await run(mode));
load.push(loadAverage());

/** Encodings per delivery for a group's stream, over plain WebSocket (the binding that counts them). */
const encodesPerDelivery = (r: Run, group: string, s: TierSummary) => {
  const [tier, transport] = group.split(' over ');
  const viaWs = transport === 'ws' || (transport === undefined && values.transports === 'ws');
  const encoded = r.encoded[streamOf(tier as string)];
  return viaWs && encoded !== undefined && s.deliveries > 0 ? encoded / s.deliveries : undefined;
};
const tierOf = (group: string) => group.split(' over ')[0] as string;
const rowsOf = (r: Run) =>
  Object.entries(r.summary).map(([group, s]) => {
    const perDelivery = encodesPerDelivery(r, group, s);
    const target = TARGET_P99[tierOf(group)];
    return [
      r.mode,
      group,
      s.clients,
      Math.round(s.deliveries / seconds).toLocaleString('en'),
      `${(s.bytes / seconds / 1024).toFixed(0)} KB/s`,
      `${s.latency.p50.toFixed(1)} / ${s.latency.p99.toFixed(1)} / ${s.latency.max.toFixed(1)} ms`,
      target === undefined
        ? ''
        : s.latency.p99 < target
          ? `met (< ${target} ms)`
          : `not met (< ${target} ms)`,
      perDelivery === undefined ? '' : perDelivery.toFixed(3),
      s.resyncs,
    ];
  });
const headers = [
  'windows',
  'tier',
  'clients',
  'deliveries/s',
  'bytes/s',
  'engine → client p50 / p99 / max',
  'p99 target',
  'encodes per delivery (ws)',
  'resyncs',
];
const table = [
  `| ${headers.join(' | ')} |`,
  '|---|---|---:|---:|---:|---:|---|---:|---:|',
  ...runs.flatMap(rowsOf).map((row) => `| ${row.join(' | ')} |`),
].join('\n');
const cpuLines = runs.map(
  (r) =>
    `${r.mode} windows: server ${r.cpuPerDelivery.toFixed(2)} µs CPU per delivery; server ${r.share.server.toFixed(0)}% and load generator ${r.share.clients.toFixed(0)}% of ${cores} cores while recording`,
);
console.log(`${table}\n${cpuLines.join('\n')}\nload average ${load.join(' → ')}`);

const groups = runs.flatMap((r) => Object.entries(r.summary).map(([group, s]) => ({ r, group, s })));
const throttled = groups.filter(({ group }) => intervalOf(tierOf(group)) > 0);
/** Windows a recording of `ms` can touch: one per interval, plus the partial ones at each end. */
const allowed = (group: string, ms: number) => Math.floor(ms / intervalOf(tierOf(group))) + 2;
const ok = writeScenarioReport({
  scenario: 'orderbook-fanout',
  params: { ...values, duration: seconds },
  table: { headers, rows: runs.flatMap(rowsOf) },
  invariants: [
    {
      name: 'every tier received deltas',
      ok: groups.every(({ s }) => s.deliveries > 0),
      detail: groups.map(({ r, group, s }) => `${r.mode} ${group}: ${s.deliveries}`).join(', '),
    },
    {
      name: 'no client resynced (every checksum matched)',
      ok: groups.every(({ s }) => s.resyncs === 0),
      detail: `${groups.reduce((n, { s }) => n + s.resyncs, 0)} resyncs`,
    },
    {
      name: 'no client of a throttled tier got more frames than its windows allow',
      ok: throttled.every(({ group, s }) => s.maxPerClient <= allowed(group, s.recordedMs)),
      detail: throttled
        .map(({ r, group, s }) => `${r.mode} ${group}: ${s.maxPerClient} ≤ ${allowed(group, s.recordedMs)}`)
        .join(', '),
    },
  ],
  latency: Object.fromEntries(groups.map(({ r, group, s }) => [`${r.mode} ${group}`, s.distribution])),
  overTime: [
    {
      title: 'Deliveries per second, by tier',
      unit: 'deliveries/s',
      series: Object.fromEntries(
        groups.map(({ r, group, s }) => [
          `${r.mode} ${group}`,
          s.perSecond.map((n, i) => [i + 1, n] as [number, number]),
        ]),
      ),
    },
  ],
});
if (values.write && !values.smoke) {
  writeBenchmarkSection(
    'orderbook-fanout',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:fanout --clients ${values.clients} --tiers ${values.tiers} --transports ${values.transports} --windows ${values.windows}${values.pin ? ' --pin' : ''} --write\` on: ${machine()}.`,
      '',
      `Load average ${load.join(' → ')} (start → end) on the machine's ${cores} cores besides this run.`,
      '',
      `${values.clients} clients on BTC-USD (${values.tiers}), the engine at ${values.rate} book changes/s per symbol on three symbols,`,
      `${seconds} s after a 3 s warm-up per run. The app runs in its own process; the clients in another, each keeping a replica`,
      'with checksums verified. Latency is from the server timestamp of the newest change in a delta to its arrival.',
      '',
      table,
      '',
      ...cpuLines.map((line) => `CPU: ${line}.`),
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
