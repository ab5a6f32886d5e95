/**
 * `pnpm scenario orderbook:hostile [--inputs 10000] [--flood 10000] [--stall 35] [--quiet 5] [--seed S] [--smoke] [--write]`
 *
 * Throws at the order book what a hostile client would: fast-check inputs shaped per event (seeded, printed;
 * TWOHOP_SEED when set), floods of requests, of stalls and of subscribes to unknown streams, and a reader that stops
 * reading while it keeps asking for snapshots. A bystander in its own process makes one request every 100 ms
 * throughout and records its round trips, quiet and under each attack; the server's RSS is sampled all along.
 * Checks: no crash, every input answered with ok or a documented code, every flooder closed with
 * `protocol_abuse` after at most maxStrikes + 1 refusals, the stalled reader not served, the bystander never
 * refused — and, on a full run, RSS growth under 64 MiB with the stalled reader and a bystander p99 under 500 ms
 * during every flood.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedFromEnv } from '@twohop/testkit';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import {
  attackInvariants,
  bystanderInvariants,
  codesText,
  hostileCharts,
  hostilePhases,
  phaseReportTable,
  phaseTable,
  reply,
  sharedProcess,
  sleep,
  type FloodResult,
  type GeneratedResult,
  type PhaseRow,
} from '@twohop/scenarios';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '10000' },
    flood: { type: 'string', default: '10000' },
    'flood-seconds': { type: 'string', default: '10' },
    stall: { type: 'string', default: '35' },
    quiet: { type: 'string', default: '5' },
    seed: { type: 'string', default: String(seedFromEnv(Date.now() % 2 ** 31)) },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): functional invariants only, no timing or memory ones. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) {
  Object.assign(values, { inputs: '1200', flood: '2000', 'flood-seconds': '1', stall: '3', quiet: '2' });
}
const seed = Number(values.seed);
const MAX_STRIKES = 20;
const MiB = 2 ** 20;
console.log(
  `orderbook hostile: ${values.inputs} generated inputs (seed ${seed}; rerun with TWOHOP_SEED=${seed}), floods of ` +
    `${values.flood}, a ${values.stall} s stalled reader; ${machine()}`,
);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const spawn = (path: string, args: string[]) =>
  fork(path.startsWith('./') ? here(path) : path, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
const server = spawn('./processes/server.ts', ['--rate', '1000', '--seed', '11']);
let serverExit: string | undefined;
server.on('exit', (code, signal) => (serverExit = `exit ${code ?? signal}`));
const { port } = await reply<{ port: number }>(server, 'port');
const url = `http://127.0.0.1:${port}`;
const bystander = spawn(sharedProcess('requestBystander.ts'), ['--url', url]);
const attackers = spawn('./processes/hostileClients.ts', ['--url', url]);
await Promise.all([reply(bystander, 'ready'), reply(attackers, 'ready')]);

// Server RSS sampled live every 200 ms with the phase each sample fell in; the bystander files its round trips by phase.
const tracker = hostilePhases(server, bystander);
const enter = (name: string) => tracker.enter(name);
const ask = <T extends Record<string, unknown>>(child: ChildProcess, key: string, message: object) =>
  reply<T>(child, key, message);

enter('quiet');
await sleep(Number(values.quiet) * 1000);
enter('generated inputs');
const { generated } = await ask<{ generated: GeneratedResult }>(attackers, 'generated', {
  cmd: 'generated',
  total: Number(values.inputs),
  seed,
});
const floods: Record<string, FloodResult> = {};
for (const kind of ['requests', 'faults', 'unknown streams']) {
  enter(`flood: ${kind}`);
  floods[kind] = (
    await ask<{ flood: FloodResult }>(attackers, 'flood', {
      cmd: 'flood',
      kind,
      total: Number(values.flood),
      seconds: Number(values['flood-seconds']),
    })
  ).flood;
}
enter('stalled reader');
await ask(attackers, 'stalling', { cmd: 'stall', perSecond: 10 });
await sleep(Number(values.stall) * 1000);
// The server's view of the stalled reader: the connection subscribed to the three full books, if still open.
type Served = {
  streams: string[];
  queuedBytes: number;
  requests: { handled: number; pending: number; stalled: boolean };
};
const { connections } = await reply<{ connections: Served[] }>(server, 'connections', { cmd: 'connections' });
const stalledServerSide = connections.find(
  (connection) => connection.streams.length === 3 && connection.streams.every((name) => !name.includes('/')),
);
const { stall } = await ask<{ stall: { sent: number; closedWith: string } }>(attackers, 'stall', {
  cmd: 'stall-end',
});
enter('after');
await sleep(1000);
const { summary, distribution, samples } = await tracker.finish();
const health = await fetch(`${url}/healthz`).then(
  (response) => response.status,
  () => 0,
);
attackers.kill('SIGTERM');
server.kill('SIGTERM');

const phaseRss = (name: string) => tracker.rss(name);
const phases: PhaseRow[] = [
  ['quiet', 0, '—'],
  ['generated inputs', generated.inputs, codesText(generated.codes)],
  ...Object.entries(floods).map(([kind, flood]): PhaseRow => [
    `flood: ${kind}`,
    flood.sent,
    `${codesText(flood.codes)}; closed: ${codesText(flood.closes)}`,
  ]),
  [
    'stalled reader',
    stall.sent,
    stalledServerSide === undefined
      ? `closed by the server; the client saw: ${stall.closedWith}`
      : `handled ${stalledServerSide.requests.handled}, ${stalledServerSide.requests.pending} waiting; ended: ${stall.closedWith}`,
  ],
];
const table = phaseTable(phases, summary, phaseRss);
console.log(table);
const floodNames = Object.keys(floods).map((kind) => `flood: ${kind}`);
const ok = writeScenarioReport({
  scenario: 'orderbook-hostile',
  params: { ...values, seed, smoke: values.smoke },
  table: phaseReportTable(phases, summary, phaseRss),
  invariants: [
    ...attackInvariants({
      serverExit,
      health,
      generated,
      inputs: Number(values.inputs),
      reached: ['ok', 'unknown_stream', 'not_subscribed'],
      floods,
      maxStrikes: MAX_STRIKES,
    }),
    {
      // Bounded while it lasts: its queued frames under maxQueuedBytes (8 MiB), its waiting requests under
      // maxPendingRequests (32); once its output backs up past maxStallMs (30 s) it is closed with slow_consumer.
      // On loopback the kernel's socket buffers can absorb a whole run's frames, so either ending is allowed.
      name: 'what the server holds for the stalled reader stays bounded',
      ok:
        stalledServerSide === undefined ||
        (stalledServerSide.queuedBytes <= 8 * MiB && stalledServerSide.requests.pending <= 32),
      detail:
        stalledServerSide === undefined
          ? `closed (client saw: ${stall.closedWith}) after ${stall.sent} requests`
          : `open: ${(stalledServerSide.queuedBytes / MiB).toFixed(2)} MiB queued, ${stalledServerSide.requests.handled} of ${stall.sent} requests handled, ${stalledServerSide.requests.pending} waiting`,
    },
    ...bystanderInvariants({
      bystander: summary,
      rss: phaseRss,
      floods: floodNames,
      stalledPhase: 'stalled reader',
      smoke: values.smoke,
    }),
  ],
  ...hostileCharts(distribution, tracker.rssSeries(), samples),
});
if (values.write) {
  writeBenchmarkSection(
    'orderbook-hostile',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:hostile --write\` (seed ${seed}) on: ${machine()}.`,
      '',
      `The order book at 1,000 book changes/s per symbol, attacked from one process: ${values.inputs} fast-check inputs shaped`,
      `per event (a fresh connection every 20), floods of at least ${values.flood} requests (and ${values['flood-seconds']} s) each from four connections, and a reader`,
      `that stops reading for ${values.stall} s while asking for a snapshot ten times a second. A bystander in its own process`,
      'makes one request (a resync) every 100 ms throughout; its round trips are client-measured on loopback. Server RSS',
      "is sampled live every 200 ms. On loopback the kernel's socket buffers absorbed the stalled reader's frames for the",
      'whole stall, so the server held almost nothing for it (under its 8 MiB and 32-request bounds either way).',
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
