/**
 * `pnpm scenario chat:reconnect-storm [--clients 200] [--rooms 20] [--messages 10000] [--rate 500] [--cut-every 50]
 *  [--lose-ack-every 50] [--restarts 1] [--seed S] [--smoke] [--write]`
 *
 * 200 clients, each a member of two of 20 rooms, send 10,000 messages while their connections are cut at random
 * (seeded): a dropped transport every `cut-every` ms, or a spell offline of 0.2–2 s — and the server itself restarts
 * (SIGTERM, then a new process on the same port and store) `restarts` times. Sends cut off are retried with
 * the same client id; re-joins resume from the last seq. Every `lose-ack-every`th stored send loses its ack (the
 * server cuts the sender off after the commit), so retries of stored sends must be answered `duplicate: true` by the
 * store's dedup — and are counted. Afterwards every client's history of every room it is in
 * must be identical to the server's: counts of lost, duplicated and reordered messages, each required to be zero.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reply, sleep } from '@twohop/scenarios';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '20' },
    messages: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    'cut-every': { type: 'string', default: '50' },
    /** Every Nth stored send loses its ack: its sender is cut off after the commit. */
    'lose-ack-every': { type: 'string', default: '50' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    /** How many times the server restarts during the run, evenly spaced (0: never). */
    restarts: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 30 clients, 5 rooms, 600 messages at 100/s. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, {
    clients: '30',
    rooms: '5',
    messages: '600',
    rate: '100',
    'cut-every': '40',
    'lose-ack-every': '20',
  });

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
console.log(
  `chat reconnect-storm: ${values.clients} clients in ${values.rooms} rooms send ${values.messages} messages at ` +
    `${values.rate}/s, a cut every ${values['cut-every']} ms (seed ${values.seed}); ${machine()}`,
);
// Users send ~2.5 messages/s each plus retries: the server's default limits (5/s, burst 20) apply unchanged.
// The store is a file of the scenario's own, so a restarted server carries on from it.
const folder = mkdtempSync(join(tmpdir(), 'twohop-chat-storm-'));
const database = join(folder, 'chat.db');
const startServer = (port = 0) =>
  fork(
    here('./processes/server.ts'),
    ['--database', database, '--port', String(port), '--lose-ack-every', values['lose-ack-every']],
    {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    },
  );
let server = startServer();
const { port } = await reply<{ port: number }>(server, 'port');
const rooms = Array.from({ length: Number(values.rooms) }, (_, i) => `storm-${i}`);
await reply(server, 'created', { cmd: 'rooms', names: rooms });
const clients = fork(
  here('./processes/stormClients.ts'),
  [
    '--url',
    `http://127.0.0.1:${port}`,
    '--clients',
    values.clients,
    '--rooms',
    values.rooms,
    '--messages',
    values.messages,
    '--rate',
    values.rate,
    '--cut-every',
    values['cut-every'],
    '--seed',
    values.seed,
  ],
  { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
);
await reply(clients, 'ready');
const started = Date.now();
const sending = reply<{ cuts: { dropped: number; offline: number } }>(clients, 'sent', { cmd: 'run' });
let restarts = 0;
/** Acks lost and duplicates answered, summed over every server process of the run. */
const lossTotals = { acksLost: 0, duplicates: 0 };
const refused: Record<string, number> = {};
const tally = async () => {
  const { stats } = await reply<{
    stats: { refused: Record<string, number>; acksLost: number; duplicates: number };
  }>(server, 'stats', { cmd: 'stats' });
  lossTotals.acksLost += stats.acksLost;
  lossTotals.duplicates += stats.duplicates;
  for (const [code, count] of Object.entries(stats.refused)) refused[code] = (refused[code] ?? 0) + count;
};
const sendingMs = (Number(values.messages) / Number(values.rate)) * 1000;
for (let i = 1; i <= Number(values.restarts); i++) {
  // The server restarts: SIGTERM (clients are told to reconnect, the store is closed cleanly), then a new process
  // on the same port and store. Sends in flight time out and are retried; re-joins resume from the last seq.
  await sleep(sendingMs / (Number(values.restarts) + 1));
  await tally();
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
  console.log('server stopped (SIGTERM); restarting on the same port and store …');
  server = startServer(port);
  await reply(server, 'port');
  restarts++;
}
const { cuts } = await sending;
console.log(
  `all ${values.messages} messages handed to sessions in ${((Date.now() - started) / 1000).toFixed(1)} s; healing …`,
);
const healed = await reply<{ settled: boolean; live: number; unacknowledged: number; notLive: string[] }>(
  clients,
  'settled',
  {
    cmd: 'heal',
  },
);
const { dump } = await reply<{ dump: Record<string, unknown[]> }>(server, 'dump', { cmd: 'dump', rooms });
const { verdict, latency, perSecond, levels } = await reply<{
  latency: Array<[number, number]>;
  perSecond: Array<[number, number]>;
  levels: { live: Array<[number, number]>; unacknowledged: Array<[number, number]> };
  verdict: {
    /** Timelines that never reached their room's newest seq, waited for after healing. */
    behind: string[];
    histories: number;
    attempted: number;
    stored: number;
    lost: number;
    duplicated: number;
    reordered: number;
    extra: number;
    redundantDeliveries: number;
    gapsDetected: number;
    rejoins: number;
    resent: number;
    duplicateAcks: number;
  };
}>(clients, 'verdict', { cmd: 'verify', dump });
await tally();
clients.send({ cmd: 'exit' });
await new Promise((resolve) => {
  server.once('exit', resolve);
  server.kill('SIGTERM');
});
rmSync(folder, { recursive: true, force: true });

const rows: Array<[string, number | string]> = [
  ['server restarts (SIGTERM, new process)', restarts],
  ['connections dropped', cuts.dropped],
  ['spells offline', cuts.offline],
  ['messages sent (distinct)', verdict.attempted],
  ['messages stored', verdict.stored],
  ['sends retried (same client id)', verdict.resent],
  ['acks lost after the commit (sender cut off)', lossTotals.acksLost],
  ['retries answered duplicate: true (store dedup, server count)', lossTotals.duplicates],
  ['duplicate: true acks received by clients', verdict.duplicateAcks],
  ['rate-limited answers (retried after retry-after)', refused['rate_limited'] ?? 0],
  ['room histories compared', verdict.histories],
  ['re-joins from the last seq', verdict.rejoins],
  ['holes detected by seq and fetched', verdict.gapsDetected],
  ['redundant deliveries ignored', verdict.redundantDeliveries],
  ['**lost**', verdict.lost],
  ['**duplicated**', verdict.duplicated],
  ['**reordered**', verdict.reordered],
];
const table = ['| | count |', '|---|---:|', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join(
  '\n',
);
console.log(table);
const ok = writeScenarioReport({
  scenario: 'chat-reconnect-storm',
  params: { ...values, smoke: values.smoke },
  table: { headers: ['', 'count'], rows: rows.map(([name, value]) => [name.replaceAll('*', ''), value]) },
  invariants: [
    {
      name: 'connections were cut and the server restarted while messages flowed',
      ok: cuts.dropped + cuts.offline > 0 && verdict.rejoins > 0 && restarts === Number(values.restarts),
      detail: `${cuts.dropped} dropped, ${cuts.offline} offline, ${restarts} restarts, ${verdict.rejoins} re-joins`,
    },
    {
      name: 'sends were retried, and retries of stored sends were answered duplicate: true by the store',
      ok: verdict.resent > 0 && lossTotals.acksLost > 0 && lossTotals.duplicates > 0,
      detail: `${verdict.resent} retried, ${lossTotals.acksLost} acks lost, ${lossTotals.duplicates} answered duplicate`,
    },
    {
      name: 'every client live with nothing unacknowledged after healing',
      ok: healed.settled,
      detail: `${healed.live} of ${values.clients} live (others: ${healed.notLive.join(', ') || 'none'}), ${healed.unacknowledged} unacknowledged`,
    },
    {
      name: 'every message sent is stored exactly once',
      ok: verdict.stored === verdict.attempted,
      detail: `${verdict.stored} of ${verdict.attempted}`,
    },
    {
      name: "every member's timeline reached its room's newest message",
      ok: verdict.behind.length === 0,
      detail:
        verdict.behind.length === 0
          ? `${verdict.histories} of ${verdict.histories}`
          : `${verdict.behind.length} behind: ${verdict.behind.slice(0, 10).join(', ')}`,
    },
    { name: 'zero lost', ok: verdict.lost === 0, detail: String(verdict.lost) },
    { name: 'zero duplicated', ok: verdict.duplicated === 0, detail: String(verdict.duplicated) },
    {
      name: 'zero reordered',
      ok: verdict.reordered === 0 && verdict.extra === 0,
      detail: `${verdict.reordered} (${verdict.extra} extra)`,
    },
  ],
  latency: { 'send → member timeline': latency },
  overTime: [
    {
      title: 'Messages into member timelines per second',
      unit: 'deliveries/s',
      series: { delivered: perSecond },
    },
    {
      title: 'Sessions live and sends unacknowledged',
      unit: 'count',
      series: { 'sessions live': levels.live, 'sends unacknowledged': levels.unacknowledged },
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'chat-reconnect-storm',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario chat:reconnect-storm --write\` (seed ${values.seed}) on: ${machine()}.`,
      '',
      `${values.clients} clients in ${values.rooms} rooms (two each) send ${values.messages} messages at ${values.rate}/s; a`,
      `connection is cut every ${values['cut-every']} ms (70 % a dropped transport, 30 % 0.2–2 s offline), and the server`,
      `restarts ${values.restarts === '1' ? 'once' : `${values.restarts} times`} (SIGTERM, then a new process on the same port and store). Every client's`,
      `history of every room it is in is then compared with the server's, message by message.`,
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
