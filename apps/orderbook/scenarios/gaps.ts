/**
 * `pnpm scenario orderbook:gaps [--clients 60] [--drop 0.02] [--rate 1000] [--duration 15] [--seed S] [--smoke] [--write]`
 *
 * Clients on every tier lose each delta on arrival with probability `drop` (seeded) while the engine runs at
 * 1,000 changes/s per symbol. Each loss surfaces as a gap at the next delta (protocol rule 3); the replica resyncs.
 * Then the losses stop and, after a few seconds, every client must be live again — converged, its checksums
 * matching. Reports drops, gaps and resyncs per tier; exits non-zero when a client has not converged.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reply, sleep } from '@twohop/scenarios';
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '60' },
    drop: { type: 'string', default: '0.02' },
    /** Book changes/s per symbol. */
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '15' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 15 clients for 3 s. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { clients: '15', duration: '3', drop: '0.05' });
const seconds = Number(values.duration);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
console.log(
  `orderbook gaps: ${values.clients} clients on every tier, drop ${values.drop} (seed ${values.seed}); ${machine()}`,
);
const server = fork(here('./processes/server.ts'), ['--rate', values.rate, '--seed', values.seed], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
const { port } = await reply<{ port: number }>(server, 'port');
const clients = fork(
  here('./processes/clients.ts'),
  [
    '--url',
    `http://127.0.0.1:${port}`,
    '--clients',
    values.clients,
    '--tiers',
    'pro,retail,mobile',
    '--drop',
    values.drop,
    '--seed',
    values.seed,
  ],
  { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
);
await reply(clients, 'connected');
clients.send({ cmd: 'record' });
for (let s = 0; s < seconds; s += 5) {
  await sleep(Math.min(5, seconds - s) * 1000);
  console.log(`… losing deltas: ${Math.min(seconds, s + 5)} / ${seconds} s`);
}
clients.send({ cmd: 'heal' });
console.log('losses stopped; letting every client converge (5 s) …');
await sleep(5000);
type TierSummary = {
  clients: number;
  dropped: number;
  gaps: number;
  resyncs: number;
  distribution: Array<[number, number]>;
  resyncsOverTime: Array<[number, number]>;
};
const { summary, live, liveOverTime } = await reply<{
  summary: Record<string, TierSummary>;
  live: number;
  liveOverTime: Array<[number, number]>;
}>(clients, 'summary', { cmd: 'summary' });
clients.send({ cmd: 'exit' });
server.kill('SIGTERM');

const total = Number(values.clients);
const table = [
  '| tier | clients | deltas dropped | gaps detected | resyncs |',
  '|---|---:|---:|---:|---:|',
  ...Object.entries(summary).map(
    ([tier, s]) => `| ${tier} | ${s.clients} | ${s.dropped} | ${s.gaps} | ${s.resyncs} |`,
  ),
].join('\n');
console.log(table);
console.log(`${live} of ${total} clients live and converged after the losses stopped`);
const gaps = Object.values(summary).reduce((n, s) => n + s.gaps, 0);
const dropped = Object.values(summary).reduce((n, s) => n + s.dropped, 0);
const ok = writeScenarioReport({
  scenario: 'orderbook-gaps',
  params: {
    clients: values.clients,
    drop: values.drop,
    rate: values.rate,
    duration: seconds,
    seed: values.seed,
    smoke: values.smoke,
  },
  table: {
    headers: ['tier', 'clients', 'deltas dropped', 'gaps detected', 'resyncs'],
    rows: Object.entries(summary).map(([tier, s]) => [tier, s.clients, s.dropped, s.gaps, s.resyncs]),
  },
  invariants: [
    {
      name: 'losses happened and were detected as gaps',
      ok: dropped > 0 && gaps > 0,
      detail: `${dropped} dropped, ${gaps} gaps`,
    },
    {
      name: 'every client converged after the losses stopped',
      ok: live === total,
      detail: `${live} of ${total}`,
    },
  ],
  latency: Object.fromEntries(Object.entries(summary).map(([tier, s]) => [tier, s.distribution])),
  overTime: [
    {
      title: 'Resyncs per second, by tier (losses stop at the end of the recording)',
      unit: 'resyncs/s',
      series: Object.fromEntries(Object.entries(summary).map(([tier, s]) => [tier, s.resyncsOverTime])),
    },
    { title: 'Clients live', unit: 'clients', series: { live: liveOverTime } },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'orderbook-gaps',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:gaps --write\` (seed ${values.seed}) on: ${machine()}.`,
      '',
      `${total} clients spread over pro, retail and mobile lose each delta with probability ${values.drop} for ${seconds} s, then`,
      `stop losing; **${live} of ${total}** were live and converged 5 s later.`,
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
