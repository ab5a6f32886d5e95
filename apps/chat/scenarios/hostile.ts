/**
 * `pnpm scenario chat:hostile [--inputs 10000] [--flood 10000] [--sessions 10000] [--rooms 2025] [--stall 20]
 *  [--quiet 5] [--seed S] [--smoke] [--write]`
 *
 * Throws at the chat what a hostile client would: fast-check requests shaped per event (seeded, printed;
 * TWOHOP_SEED when set), floods of joins of unknown rooms, of room lists over thousands of rooms and of room
 * creations, a flood of sign-ins, and a member that stops reading while it keeps asking for a full page of long
 * messages. A bystander in its own process makes one request every 100 ms throughout and records its round trips,
 * quiet and under each attack; the server's RSS is sampled all along. Checks: no crash; every input answered with ok
 * or a documented code, and the inputs reached the handlers; every flooder closed with `protocol_abuse` after at
 * most maxStrikes + 1 refusals; room pages bounded; sign-ins and creations held to their limits; the stalled reader
 * not served; the bystander never refused — and, on a full run, RSS growth under 64 MiB with the stalled reader and
 * a bystander p99 under 500 ms during every flood.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { requestSession } from '../src/client/ChatSession.js';
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
    sessions: { type: 'string', default: '10000' },
    rooms: { type: 'string', default: '2025' },
    stall: { type: 'string', default: '25' },
    quiet: { type: 'string', default: '5' },
    seed: { type: 'string', default: String(seedFromEnv(Date.now() % 2 ** 31)) },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): functional invariants only, no timing or memory ones. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) {
  Object.assign(values, {
    inputs: '1200',
    flood: '1000',
    'flood-seconds': '1',
    sessions: '300',
    rooms: '300',
    stall: '3',
    quiet: '2',
  });
}
const seed = Number(values.seed);
const MAX_STRIKES = 20;
/** Sign-ins per address the server allows in a burst (what the setup uses, and what the sign-in flood meets). */
const SESSION_BURST = 20;
const ATTACKERS = 12;
const MiB = 2 ** 20;
const ROOM_BURST = 5;
console.log(
  `chat hostile: ${values.inputs} generated inputs (seed ${seed}; rerun with TWOHOP_SEED=${seed}), floods of ` +
    `${values.flood}, ${values.sessions} sign-ins, ${values.rooms} rooms, a ${values.stall} s stalled reader; ${machine()}`,
);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const spawn = (path: string, args: string[]) =>
  fork(path.startsWith('./') ? here(path) : path, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
// The server's own limits, as deployed: sign-ins 10 a minute per address (burst 20), rooms 1 a minute per user.
const server = spawn('./processes/server.ts', [
  '--sessions-per-minute',
  '10',
  '--session-burst',
  String(SESSION_BURST),
]);
let serverExit: string | undefined;
server.on('exit', (code, signal) => (serverExit = `exit ${code ?? signal}`));
const { port } = await reply<{ port: number }>(server, 'port');
const url = `http://127.0.0.1:${port}`;
const roomNames = Array.from({ length: Number(values.rooms) }, (_, i) => `room-${i}`);
await reply(server, 'created', { cmd: 'rooms', names: ['lobby', 'elsewhere', 'archive', ...roomNames] });
// The stalled reader's room: 100 messages of 4,000 characters, so a page of history is ≈ 400 KiB.
await reply(server, 'stored', { cmd: 'messages', room: 'archive', count: 100, text: 'x'.repeat(4000) });

// Sign-ins, within the per-address burst: the bystander, the attackers, the stalled reader. The budget refills at
// 10 a minute from this first one on: the sign-in flood may get the rest of the burst plus that refill.
const signInsSpentAt = performance.now();
const bystanderUser = await requestSession(url, 'bystander');
// Two readers that stop reading: one paced within its budget (the reply path's bound must stop serving it), one
// firing 500 requests at once (its budget and strikes must).
const pacedReader = await requestSession(url, 'paced-reader');
const burstReader = await requestSession(url, 'burst-reader');
const bystander = spawn(sharedProcess('requestBystander.ts'), [
  '--url',
  url,
  '--token',
  bystanderUser.token,
  '--setup',
  JSON.stringify([['room:join', { room: 'lobby' }]]),
  '--event',
  'read',
  '--payload',
  JSON.stringify({ room: 'lobby', seq: 0 }),
]);
const attackers = spawn('./processes/hostileClients.ts', ['--url', url]);
await Promise.all([reply(bystander, 'ready'), reply(attackers, 'ready')]);
await reply(attackers, 'users', { cmd: 'setup', total: ATTACKERS });
const phases = hostilePhases(server, bystander);
const ask = <T extends Record<string, unknown>>(child: ChildProcess, key: string, message: object) =>
  reply<T>(child, key, message);

phases.enter('quiet');
await sleep(Number(values.quiet) * 1000);
phases.enter('generated inputs');
const { generated } = await ask<{ generated: GeneratedResult }>(attackers, 'generated', {
  cmd: 'generated',
  total: Number(values.inputs),
  seed,
});
type Flood = FloodResult & { largestPage: number };
const floods: Record<string, Flood> = {};
for (const kind of ['unknown rooms', 'room lists', 'room creations']) {
  phases.enter(`flood: ${kind}`);
  floods[kind] = (
    await ask<{ flood: Flood }>(attackers, 'flood', {
      cmd: 'flood',
      kind,
      total: Number(values.flood),
      seconds: Number(values['flood-seconds']),
    })
  ).flood;
}
phases.enter('flood: sign-ins');
const { sessions } = await ask<{ sessions: { sent: number; statuses: Record<string, number> } }>(
  attackers,
  'sessions',
  { cmd: 'sessions', total: Number(values.sessions) },
);
// The setup signed in the bystander, the two readers and the attackers.
const signInsAllowed =
  SESSION_BURST - (3 + ATTACKERS) + Math.ceil(((performance.now() - signInsSpentAt) / 60_000) * 10);
phases.enter('stalled reader');
await ask(attackers, 'stalling', {
  cmd: 'stall',
  readers: [
    // room:history costs 4 against a connection budget of 20 a second: 4 a second stays within it.
    { token: pacedReader.token, perSecond: 4, total: 1_000_000 },
    { token: burstReader.token, perSecond: Number.POSITIVE_INFINITY, total: 500 },
  ],
});
type Served = {
  handled: number;
  refused: number;
  pending: number;
  stalled: boolean;
  peakBufferedBytes?: number;
};
// The most any connection held unflushed, sampled every 500 ms while the readers stall (a connection the server
// closes leaves the list).
let peakBuffered = 0;
for (let waited = 0; waited < Number(values.stall) * 1000; waited += 500) {
  await sleep(500);
  const { connections } = await reply<{ connections: Served[] }>(server, 'connections', {
    cmd: 'connections',
  });
  for (const connection of connections)
    peakBuffered = Math.max(peakBuffered, connection.peakBufferedBytes ?? 0);
}
const {
  stall: [paced, burst],
} = (await ask<{ stall: Array<{ sent: number; closedWith: string }> }>(attackers, 'stall', {
  cmd: 'stall-end',
})) as { stall: [{ sent: number; closedWith: string }, { sent: number; closedWith: string }] };
phases.enter('after');
await sleep(1000);
const { summary, distribution, samples } = await phases.finish();
const { stats } = await reply<{ stats: { refused: Record<string, number>; closed: Record<string, number> } }>(
  server,
  'stats',
  { cmd: 'stats' },
);
const health = await fetch(`${url}/healthz`).then(
  (response) => response.status,
  () => 0,
);
attackers.kill('SIGTERM');
server.kill('SIGTERM');

const floodNames = [...Object.keys(floods).map((kind) => `flood: ${kind}`), 'flood: sign-ins'];
const rows: PhaseRow[] = [
  ['quiet', 0, '—'],
  ['generated inputs', generated.inputs, codesText(generated.codes)],
  ...Object.entries(floods).map(([kind, flood]): PhaseRow => [
    `flood: ${kind}`,
    flood.sent,
    `${codesText(flood.codes)}; closed: ${codesText(flood.closes)}`,
  ]),
  ['flood: sign-ins', sessions.sent, `HTTP ${codesText(sessions.statuses)}`],
  [
    'stalled reader',
    paced.sent + burst.sent,
    `paced (${paced.sent} at 4/s) ended: ${paced.closedWith}; burst (${burst.sent} at once) ended: ${burst.closedWith}`,
  ],
];
const rss = (name: string) => phases.rss(name);
const table = phaseTable(rows, summary, rss);
console.log(table);

const roomsCreated = floods['room creations']?.codes['ok'] ?? 0;
// What a connection may hold unflushed: the reply high-water mark (1 MiB) plus the reply that crossed it.
const REPLY_BOUND = 1024 * 1024 + 500 * 1024;
const ok = writeScenarioReport({
  scenario: 'chat-hostile',
  params: { ...values, seed, smoke: values.smoke },
  table: phaseReportTable(rows, summary, rss),
  invariants: [
    ...attackInvariants({
      serverExit,
      health,
      generated,
      inputs: Number(values.inputs),
      reached: ['ok', 'unknown_room', 'not_member', 'invalid_text'],
      floods,
      maxStrikes: MAX_STRIKES,
    }),
    {
      name: `room lists are paged: no reply holds more than 100 of the ${values.rooms} rooms`,
      ok: (floods['room lists']?.largestPage ?? 0) > 0 && (floods['room lists']?.largestPage ?? 0) <= 100,
      detail: `largest page ${floods['room lists']?.largestPage ?? 0}`,
    },
    {
      name: `room creations held to ${ROOM_BURST} per user (${ATTACKERS} users)`,
      ok: roomsCreated <= ATTACKERS * ROOM_BURST,
      detail: `${roomsCreated} created`,
    },
    {
      name: `sign-ins held to the per-address limit (${SESSION_BURST} in a burst, then 10 a minute)`,
      ok:
        (sessions.statuses['200'] ?? 0) <= signInsAllowed &&
        (sessions.statuses['429'] ?? 0) >= sessions.sent - signInsAllowed,
      detail: `HTTP ${codesText(sessions.statuses)} (at most ${signInsAllowed} allowed after the setup's ${3 + ATTACKERS})`,
    },
    {
      // Served only while its unread replies stay under the high-water mark (1 MiB); then its requests wait (at
      // most 32) until it reads, and it is closed with slow_consumer when it keeps sending or stays stalled. On a
      // short run the kernel's socket buffers may absorb all it was sent: then only the bound is seen.
      name: 'the paced stalled reader: unflushed replies bounded, then closed with slow_consumer',
      // A stalled client may never read its close notice: the server's own count says how it was closed.
      ok: peakBuffered <= REPLY_BOUND && (values.smoke || (stats.closed['slow_consumer'] ?? 0) >= 1),
      detail:
        `${paced.sent} requests sent; ended: ${paced.closedWith}; peak unflushed ${(peakBuffered / MiB).toFixed(2)} MiB` +
        ` (bound ${(REPLY_BOUND / MiB).toFixed(2)}); server closed: ${codesText(stats.closed)}`,
    },
    {
      name: 'the stalled reader firing 500 requests at once was closed',
      ok: burst.closedWith === 'protocol_abuse' || burst.closedWith === 'slow_consumer',
      detail: `${burst.sent} sent; ended: ${burst.closedWith}`,
    },
    ...bystanderInvariants({
      bystander: summary,
      rss,
      floods: floodNames,
      stalledPhase: 'stalled reader',
      smoke: values.smoke,
    }),
  ],
  ...hostileCharts(distribution, phases.rssSeries(), samples),
});
if (values.write) {
  writeBenchmarkSection(
    'chat-hostile',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario chat:hostile --write\` (seed ${seed}) on: ${machine()}.`,
      '',
      `The chat with its deployed limits, attacked from one process by ${ATTACKERS} users: ${values.inputs} fast-check requests`,
      `shaped per event (14 a second per user, a fresh connection every 20), floods (at least ${values.flood} requests each, for at least ${values['flood-seconds']} s) of joins of unknown rooms, room lists over`,
      `${values.rooms} rooms and room creations (from four connections each, replaced when closed), ${values.sessions}`,
      `sign-ins, and two members that stop reading for ${values.stall} s while asking for pages of 100 messages of 4,000`,
      'characters (≈ 400 KiB each): one 4 times a second (within its budget), one 500 at once. A bystander in its own',
      'process makes one request (a read receipt)',
      'every 100 ms throughout; its round trips are client-measured on loopback. Server RSS is sampled live every 200 ms.',
      'A flood sends bursts of 100: the requests of a burst after its connection was closed for abuse are counted as',
      'sent but never answered.',
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
