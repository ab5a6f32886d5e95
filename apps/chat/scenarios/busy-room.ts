/**
 * `pnpm scenario chat:busy-room [--members 200] [--rate 200] [--duration 20] [--smoke] [--write]`
 *
 * The chat's latency target: one room of 200 members, all with it open, receiving 200 messages/s from 50 senders
 * (40,000 deliveries/s), every message committed to SQLite (WAL, `synchronous = FULL`) before its ack. Measures
 * sender-to-member latency at every member (HDR histogram) and send-to-ack, and runs the same load against an
 * in-memory store in the same run — the baseline that shows what persisting before the ack costs.
 * Target (full runs): p99 under 100 ms on loopback.
 */
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { runRoom } from './processes/runRoom.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '200' },
    senders: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    text: { type: 'string', default: '120' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 40 members at 50 messages/s for 2 s; no latency invariant. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { members: '40', senders: '10', rate: '50', duration: '2' });
const TARGET_P99_MS = 100;
console.log(
  `chat busy-room: ${values.members} members, ${values.rate} messages/s from ${values.senders} senders for ` +
    `${values.duration} s; durable store vs in-memory baseline; ${machine()}`,
);

const run = (store: 'durable' | 'memory') =>
  runRoom(
    [
      ...(store === 'memory' ? ['--database', ':memory:'] : []),
      '--large-room',
      String(Number(values.members) * 10),
      '--send-rate',
      '1000',
      '--send-burst',
      '1000',
    ],
    {
      members: Number(values.members),
      open: Number(values.members),
      senders: Number(values.senders),
      rate: Number(values.rate),
      duration: Number(values.duration),
      text: Number(values.text),
    },
  );

const durable = await run('durable');
const memory = await run('memory');
const ms = (value: number) => `${value.toFixed(1)} ms`;
const rows: Array<[string, typeof durable]> = [
  ['SQLite, WAL, synchronous = FULL (the app)', durable],
  ['in-memory store (baseline)', memory],
];
const table = [
  '| store | messages | deliveries | delivery p50 | p99 | p99.9 | max | send → ack p99 | commit (mean) | server CPU |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    ([name, r]) =>
      `| ${name} | ${r.sent} | ${r.openMessages} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.p999)} | ${ms(r.latency.max)} | ${ms(r.ack.p99)} | ${r.commitMeanMs.toFixed(2)} ms | ${(r.cpuMs / Number(values.duration) / 10).toFixed(0)} % |`,
  ),
].join('\n');
console.log(table);
const members = Number(values.members);
const ok = writeScenarioReport({
  scenario: 'chat-busy-room',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: ['store', 'messages', 'deliveries', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'ack p99 ms'],
    rows: rows.map(([name, r]) => [
      name,
      r.sent,
      r.openMessages,
      r.latency.p50,
      r.latency.p99,
      r.latency.p999,
      r.latency.max,
      r.ack.p99,
    ]),
  },
  invariants: [
    {
      name: 'every member got every message',
      ok:
        durable.everyOpenMemberGotAll &&
        memory.everyOpenMemberGotAll &&
        durable.refused + memory.refused === 0,
      detail: `${durable.openMessages} deliveries of ${durable.sent} × ${members}`,
    },
    ...(values.smoke
      ? []
      : [
          {
            name: `sender-to-member p99 under ${TARGET_P99_MS} ms with every message persisted before its ack`,
            ok: durable.latency.p99 < TARGET_P99_MS,
            detail: ms(durable.latency.p99),
          },
        ]),
  ],
  latency: { 'SQLite (the app)': durable.distribution, 'in-memory store': memory.distribution },
  overTime: [
    {
      title: 'Messages delivered per second, over every member',
      unit: 'deliveries/s',
      series: {
        'SQLite (the app)': durable.perSecond.messages,
        'in-memory store': memory.perSecond.messages,
      },
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'chat-busy-room',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario chat:busy-room --write\` on: ${machine()}.`,
      '',
      `One room of ${members} members, all with it open, receiving ${values.rate} messages/s of ${values.text} characters from`,
      `${values.senders} senders for ${values.duration} s (${Number(values.rate) * members} deliveries/s). Latency is from the sender's`,
      'send to each member’s receipt (one client process, one clock); the server is a process of its own. Target:',
      `p99 under ${TARGET_P99_MS} ms with every message committed (fsync) before its ack.`,
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
