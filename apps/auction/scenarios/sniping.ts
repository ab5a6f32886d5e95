/**
 * `pnpm scenario auction:sniping [--snipers 20] [--rounds 5] [--lot-seconds 15] [--window 3] [--skew 90000] [--seed n] [--smoke] [--write]`
 *
 * Bids in the last seconds. One lot closing in `--lot-seconds`, soft close `--window` s (a bid in the last window
 * moves the close to its receipt + the window). `--snipers` clients, each with its own estimate of the server's
 * clock (the auction's clock runs `--skew` ms from this machine's, so an estimate that ignored the server would be
 * that far off), wait until their countdown shows less than a random part of the window, then bid the minimum; each
 * bids `--rounds` times, then, once its countdown reaches zero and the lot shows closed, once more. Checks, from the
 * audit log: every accepted bid extended the close; none was accepted at or after the close in force when it arrived;
 * the close was recorded at or after the final `endsAt`; every bid after the close was refused `auction_closed`.
 * Measures each client's clock-offset error (its estimate of the server's time against the server's true time, at
 * every bid) beside the bound its own round trips give, and checks every error is within that bound.
 */
import { LatencyRecorder } from '@twohop/metrics';
import { reply, sleep } from '@twohop/scenarios';
import { SeededRandom } from '@twohop/testkit';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { requestSession } from '@twohop/client';
import { parseArgs } from 'node:util';
import { AuctionSession, lotOf } from '../src/client/AuctionSession.js';
import type { AuditEntry } from '../src/domain/index.js';
import { startServer } from './processes/runProcesses.js';

const { values } = parseArgs({
  options: {
    snipers: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    'lot-seconds': { type: 'string', default: '15' },
    window: { type: 'string', default: '3' },
    skew: { type: 'string', default: '90000' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 4 snipers, 2 rounds, a 3 s lot with a 1.5 s window. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { snipers: '4', rounds: '2', 'lot-seconds': '3', window: '1.5' });
const LOT = 'final';
const snipers = Number(values.snipers);
const rounds = Number(values.rounds);
const windowMs = Number(values.window) * 1000;
const skew = Number(values.skew);
// When each sniper fires inside the window: seeded, printed, repeatable with --seed.
const random = new SeededRandom(Number(values.seed));
console.log(`seed ${values.seed} (--seed to repeat)`);
console.log(
  `auction sniping: ${snipers} snipers × ${rounds} rounds, a ${values['lot-seconds']} s lot with a ${values.window} s ` +
    `soft close, the auction's clock ${skew} ms from this machine's; ${machine()}`,
);

const server = await startServer(['--lot', LOT, '--skew', String(skew)]);
const serverNow = () => Date.now() + skew;
const firstEndsAt = serverNow() + Number(values['lot-seconds']) * 1000;
await server.open({
  id: LOT,
  title: 'Last-second lot',
  startPriceCents: 1000,
  startsAt: serverNow() - 1000,
  endsAt: firstEndsAt,
  softClose: { windowMs, extensionMs: windowMs },
});

/** Offset errors (estimate − truth, ms) and the bound each estimate gives (half its slowest kept round trip). */
const errors: Array<{ error: number; bound: number }> = [];
const lateReplies: string[] = [];
let accepted = 0;
let bidIds = 0;
let refused = 0;
const started = performance.now();
const remainingOverTime: Array<[number, number]> = [];

async function sniper(index: number): Promise<void> {
  const signed = await requestSession(server.url, `sniper-${index}`);
  const session = new AuctionSession({
    url: server.url,
    token: signed.token,
    socket: { transports: ['websocket'] },
    newId: () => `s${index}-${++bidIds}`,
  });
  try {
    while (session.client.state !== 'live') await sleep(5);
    await session.serverClock.start();
    const followed = session.follow(LOT);
    const sample = () => {
      const estimate = session.serverClock.estimate;
      const estimated = session.serverClock.now();
      if (estimate === undefined || estimated === undefined) return;
      errors.push({ error: estimated - serverNow(), bound: estimate.maxRoundTripMs / 2 });
    };
    for (let round = 0; round < rounds; round++) {
      // Each round this sniper waits for a random point inside the closing window, by its own countdown.
      const snipeAt = windowMs * (0.2 + 0.6 * random.float());
      for (;;) {
        const lot = lotOf(followed.lot);
        const now = session.serverClock.now();
        if (
          lot !== undefined &&
          now !== undefined &&
          (lot.status === 'closed' || lot.endsAt - now <= snipeAt)
        )
          break;
        await sleep(5);
      }
      const lot = lotOf(followed.lot)!;
      if (lot.status === 'closed') break;
      sample();
      if (index === 0)
        remainingOverTime.push([(performance.now() - started) / 1000, (lot.endsAt - serverNow()) / 1000]);
      const reply = await session.bid(LOT, lot.minBidCents);
      if (reply.ok) accepted++;
      else refused++;
      // Wait for the extension to show before the next round.
      const seen = lot.endsAt;
      while ((lotOf(followed.lot)?.endsAt ?? seen) === seen && lotOf(followed.lot)?.status === 'open')
        await sleep(5);
    }
    // After the close as this client's countdown and the stream see it: one more bid, which must be refused.
    for (;;) {
      const lot = lotOf(followed.lot);
      const now = session.serverClock.now();
      if (lot?.status === 'closed' && now !== undefined && now >= lot.endsAt) break;
      await sleep(10);
    }
    sample();
    const late = await session.bid(LOT, 1_000_000);
    lateReplies.push(late.ok ? 'accepted' : late.error.code);
  } finally {
    session.close();
  }
}

await Promise.all(Array.from({ length: snipers }, (_, index) => sniper(index)));
const { audit } = await reply<{ audit: AuditEntry[] }>(server.process, 'audit', { cmd: 'audit' });
server.stop();

// The audit log, for this lot: every accepted bid against the close in force when it arrived.
const lines = audit.filter(
  (entry) => (entry.kind === 'bid' ? entry.outcome.auctionId : entry.auctionId) === LOT,
);
let inForce = firstEndsAt;
let unextended = 0;
let afterClose = 0;
for (const line of lines) {
  if (line.kind !== 'bid' || !line.outcome.ok || line.duplicate) continue;
  if (line.outcome.receivedAt >= inForce) afterClose++;
  if (!line.outcome.extended) unextended++;
  inForce = line.outcome.endsAt;
}
const close = lines.find((line) => line.kind === 'close');
const acceptedInLog = lines.filter(
  (line) => line.kind === 'bid' && line.outcome.ok && !line.duplicate,
).length;
const offset = new LatencyRecorder();
for (const { error } of errors) offset.record(Math.abs(error));
const bound = new LatencyRecorder();
for (const sample of errors) bound.record(sample.bound);
const outside = errors.filter(({ error, bound: b }) => Math.abs(error) > b + 1).length;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const extensions = acceptedInLog - unextended;
const table = [
  '| | count | p50 | p99 | max |',
  '|---|---:|---:|---:|---:|',
  `| clock-offset error, \\|estimate − server\\| | ${offset.count} | ${ms(offset.percentile(50))} | ${ms(offset.percentile(99))} | ${ms(offset.summary().max)} |`,
  `| its bound (half the slowest kept round trip) | ${bound.count} | ${ms(bound.percentile(50))} | ${ms(bound.percentile(99))} | ${ms(bound.summary().max)} |`,
].join('\n');
const summary = `${acceptedInLog} bids accepted in the closing seconds (${refused} refused as too low in a race), ${extensions} extensions; the close moved from +${values['lot-seconds']} s to +${((inForce - firstEndsAt) / 1000 + Number(values['lot-seconds'])).toFixed(1)} s`;
console.log(summary);
console.log(table);
const ok = writeScenarioReport({
  scenario: 'auction-sniping',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: ['', 'count', 'p50 ms', 'p99 ms', 'max ms'],
    rows: [
      [
        'clock-offset error |estimate − server|',
        offset.count,
        offset.percentile(50),
        offset.percentile(99),
        offset.summary().max,
      ],
      [
        'its bound (half the slowest kept round trip)',
        bound.count,
        bound.percentile(50),
        bound.percentile(99),
        bound.summary().max,
      ],
    ],
  },
  invariants: [
    { name: 'bids were accepted in the closing seconds', ok: acceptedInLog >= rounds, detail: summary },
    { name: 'every accepted bid extended the close', ok: unextended === 0, detail: `${unextended} did not` },
    {
      name: 'no bid accepted at or after the close in force when it arrived',
      ok: afterClose === 0 && accepted === acceptedInLog,
      detail: `${afterClose} after the close; ${accepted} acks, ${acceptedInLog} in the log`,
    },
    {
      name: 'the close was recorded at or after the final endsAt',
      ok: close?.kind === 'close' && close.at >= inForce,
      detail: close?.kind === 'close' ? `${close.at - inForce} ms after` : 'no close recorded',
    },
    {
      name: 'every bid after the close was refused auction_closed',
      ok: lateReplies.length === snipers && lateReplies.every((code) => code === 'auction_closed'),
      detail: lateReplies.join(', '),
    },
    {
      name: "every client's estimate of the server's clock within its own bound (half its slowest kept round trip, +1 ms)",
      ok: outside === 0 && errors.length > 0,
      detail: `${outside} of ${errors.length} outside; worst ${ms(offset.summary().max)} with a ${skew} ms skew`,
    },
  ],
  latency: { 'clock-offset error': offset.distribution(), 'its bound': bound.distribution() },
  overTime: [{ title: 'Time left when sniper 0 bid', unit: 's', series: { 'time left': remainingOverTime } }],
});
if (values.write) {
  writeBenchmarkSection(
    'auction-sniping',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario auction:sniping --write\` on: ${machine()}.`,
      '',
      `${snipers} clients snipe one lot, ${rounds} times each, inside its ${values.window} s soft-close window; the auction's clock`,
      `runs ${skew / 1000} s from this machine's. ${summary}. Every accepted bid extended the close, none was accepted after it,`,
      `and every bid after it was refused \`auction_closed\`. Each client's estimate of the server's clock (five \`time\``,
      "round trips, slow ones discarded) against the server's true time at every bid:",
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
