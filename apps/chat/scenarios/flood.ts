/**
 * `pnpm scenario chat:flood [--bystanders 20] [--tabs 4] [--quiet 5] [--flood 10] [--seed S] [--smoke] [--write]`
 *
 * Twenty users chat in one room at one message a second each: first quietly, then while another user floods from
 * four tabs at once (as fast as acks return, with malformed requests and oversized frames mixed in). The flooder is
 * held to the per-user rate (5/s, burst 20, over all their connections), connections that keep being refused are
 * closed for abuse, and the bystanders' messages all go through — their ack and delivery latency quiet vs flooded
 * side by side. The server stays up.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LatencySummary } from '@twohop/metrics';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { reply } from '@twohop/scenarios';

const { values } = parseArgs({
  options: {
    bystanders: { type: 'string', default: '20' },
    tabs: { type: 'string', default: '4' },
    quiet: { type: 'string', default: '5' },
    flood: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 6 bystanders, 2 s quiet, 3 s flood. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { bystanders: '6', tabs: '2', quiet: '2', flood: '3' });
const RATE = 5;
const BURST = 20;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
console.log(
  `chat flood: ${values.bystanders} bystanders at 1 msg/s; one user floods from ${values.tabs} tabs for ` +
    `${values.flood} s after ${values.quiet} s quiet (seed ${values.seed}); ${machine()}`,
);
const server = fork(
  here('./processes/server.ts'),
  ['--send-rate', String(RATE), '--send-burst', String(BURST)],
  {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  },
);
const { port } = await reply<{ port: number }>(server, 'port');
await reply(server, 'created', { cmd: 'rooms', names: ['lobby'] });
const clients = fork(
  here('./processes/floodClients.ts'),
  [
    '--url',
    `http://127.0.0.1:${port}`,
    '--bystanders',
    values.bystanders,
    '--tabs',
    values.tabs,
    '--quiet',
    values.quiet,
    '--flood',
    values.flood,
    '--seed',
    values.seed,
  ],
  { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
);
type PhaseSummary = {
  sent: number;
  refused: number;
  delivered: number;
  expectedDeliveries: number;
  ack: LatencySummary;
  delivery: LatencySummary;
  distribution: { ack: Array<[number, number]>; delivery: Array<[number, number]> };
};
const { result } = await reply<{
  result: {
    quiet: PhaseSummary;
    flood: PhaseSummary;
    flooder: Record<string, number>;
    malloryId: string;
    perSecond: Record<string, Array<[number, number]>>;
  };
}>(clients, 'result');
const health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
  (response) => response.status,
  () => 0,
);
const { dump } = await reply<{ dump: Record<string, Array<[number, string, string]>> }>(server, 'dump', {
  cmd: 'dump',
  rooms: ['lobby'],
});
const { stats } = await reply<{
  stats: { refused: Record<string, number>; closed: Record<string, number>; rss: number };
}>(server, 'stats', {
  cmd: 'stats',
});
server.kill('SIGTERM');

const storedFromFlooder = (dump['lobby'] ?? []).filter(([, userId]) => userId === result.malloryId).length;
const allowed = BURST + RATE * (Number(values.flood) + 2);
const ms = (value: number) => value.toFixed(1);
const table = [
  '| bystanders | messages | refused | delivered / expected | ack p50 | ack p99 | delivery p50 | delivery p99 |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...(['quiet', 'flood'] as const).map((name) => {
    const p = result[name];
    return `| ${name === 'quiet' ? 'quiet' : 'during the flood'} | ${p.sent} | ${p.refused} | ${p.delivered} / ${p.expectedDeliveries} | ${ms(p.ack.p50)} ms | ${ms(p.ack.p99)} ms | ${ms(p.delivery.p50)} ms | ${ms(p.delivery.p99)} ms |`;
  }),
].join('\n');
const f = result.flooder;
const flooderTable = [
  '| flooder | count |',
  '|---|---:|',
  `| requests made | ${f['attempts']} |`,
  `| accepted (stored) | ${f['accepted']} (store holds ${storedFromFlooder}; allowed at most ${allowed}) |`,
  `| refused: rate_limited | ${f['rateLimited']} |`,
  `| refused: invalid_message | ${f['invalid']} |`,
  `| oversized frames (connection dropped) | ${f['oversized']} |`,
  `| connections closed (abuse or oversize) | ${f['closed']} |`,
  `| server: protocol_abuse closures | ${stats.closed['protocol_abuse'] ?? 0} |`,
].join('\n');
console.log(table);
console.log(flooderTable);
const ok = writeScenarioReport({
  scenario: 'chat-flood',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: ['phase', 'messages', 'refused', 'delivered', 'expected', 'ack p99 ms', 'delivery p99 ms'],
    rows: (['quiet', 'flood'] as const).map((name) => [
      name,
      result[name].sent,
      result[name].refused,
      result[name].delivered,
      result[name].expectedDeliveries,
      Number(ms(result[name].ack.p99)),
      Number(ms(result[name].delivery.p99)),
    ]),
  },
  invariants: [
    {
      name: 'the flooder was held to its rate',
      ok: (f['rateLimited'] ?? 0) > 0 && storedFromFlooder <= allowed,
      detail: `${f['rateLimited']} rate_limited; ${storedFromFlooder} stored ≤ ${allowed}`,
    },
    {
      name: 'abusive connections were closed',
      ok: (stats.closed['protocol_abuse'] ?? 0) > 0,
      detail: `${stats.closed['protocol_abuse'] ?? 0} protocol_abuse closures, ${f['closed']} connections closed`,
    },
    {
      name: 'no bystander message was refused',
      ok: result.quiet.refused + result.flood.refused === 0,
      detail: `${result.quiet.refused + result.flood.refused}`,
    },
    {
      name: 'every bystander message reached every bystander',
      ok:
        result.quiet.delivered === result.quiet.expectedDeliveries &&
        result.flood.delivered === result.flood.expectedDeliveries,
      detail: `${result.quiet.delivered + result.flood.delivered} of ${result.quiet.expectedDeliveries + result.flood.expectedDeliveries}`,
    },
    {
      name: 'the server stayed up',
      ok: health === 200,
      detail: `/healthz ${health}, RSS ${(stats.rss / 2 ** 20).toFixed(0)} MB`,
    },
  ],
  latency: {
    'delivery, quiet': result.quiet.distribution.delivery,
    'delivery, during the flood': result.flood.distribution.delivery,
    'ack, quiet': result.quiet.distribution.ack,
    'ack, during the flood': result.flood.distribution.ack,
  },
  overTime: [{ title: 'Requests and deliveries per second', unit: 'per second', series: result.perSecond }],
});
if (values.write) {
  writeBenchmarkSection(
    'chat-flood',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario chat:flood --write\` (seed ${values.seed}) on: ${machine()}.`,
      '',
      `${values.bystanders} users in one room send one message a second each, ${values.quiet} s quietly and then ${values.flood} s while`,
      `one user floods from ${values.tabs} tabs (per-user limit ${RATE}/s, burst ${BURST}, over all their connections). Latencies`,
      'are client-measured on loopback, send to ack and send to delivery at every bystander, every message persisted',
      'before its ack.',
      '',
      table,
      '',
      flooderTable,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
