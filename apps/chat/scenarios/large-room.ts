/**
 * `pnpm scenario chat:large-room [--members 1000] [--open 100] [--messages 200] [--text 200] [--smoke] [--write]`
 *
 * One room of 1,000 members of whom 100 have it open. The same run twice, side by side: fan-out on read (the room
 * is above the server's `largeRoom` threshold: full messages only to the open members, a `{room, seq}` notice to
 * the rest, who fetch the newest page when they open the room) and fan-out on write (every member's connection gets
 * every message). Compares deliveries, bytes on the wire (fetches included) and server CPU.
 */
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { runRoom } from './processes/runRoom.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000' },
    open: { type: 'string', default: '100' },
    messages: { type: 'string', default: '200' },
    rate: { type: 'string', default: '50' },
    text: { type: 'string', default: '200' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 120 members, 12 open, 100 messages. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { members: '120', open: '12', messages: '100', rate: '50' });
const members = Number(values.members);
console.log(
  `chat large-room: ${members} members, ${values.open} with the room open, ${values.messages} messages of ` +
    `${values.text} characters; fan-out on read vs on write; ${machine()}`,
);

async function run(mode: 'read' | 'write') {
  // The threshold decides the mode: the room's member count is above it (read) or below it (write).
  const largeRoom = mode === 'read' ? Math.floor(members / 10) : members * 10;
  const result = await runRoom(
    ['--large-room', String(largeRoom), '--send-rate', '1000', '--send-burst', '1000'],
    {
      members,
      open: Number(values.open),
      senders: 5,
      rate: Number(values.rate),
      duration: Number(values.messages) / Number(values.rate),
      text: Number(values.text),
    },
  );
  console.log(`fan-out on ${mode}: ${result.sent} messages sent`);
  return result;
}

const read = await run('read');
const write = await run('write');
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
const rows: Array<[string, typeof read]> = [
  ['fan-out on read', read],
  ['fan-out on write', write],
];
const table = [
  '| strategy | full messages delivered | notices | bytes live | bytes fetched on open | total | server CPU | open members p99 |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    ([name, r]) =>
      `| ${name} | ${r.openMessages + r.closedMessages} | ${r.notices} | ${mb(r.bytes)} MB | ${mb(r.fetchBytes)} MB | ${mb(r.bytes + r.fetchBytes)} MB | ${r.cpuMs.toFixed(0)} ms | ${r.latency.p99.toFixed(1)} ms |`,
  ),
].join('\n');
console.log(table);
const sent = read.sent - read.refused;
const closed = members - Number(values.open);
const seconds = Number(values.messages) / Number(values.rate);
const ok = writeScenarioReport({
  scenario: 'chat-large-room',
  params: { ...values, smoke: values.smoke },
  table: {
    headers: [
      'strategy',
      'full messages',
      'notices',
      'bytes live',
      'bytes fetched',
      'server CPU ms',
      'p99 ms',
    ],
    rows: rows.map(([name, r]) => [
      name,
      r.openMessages + r.closedMessages,
      r.notices,
      r.bytes,
      r.fetchBytes,
      Math.round(r.cpuMs),
      r.latency.p99,
    ]),
  },
  invariants: [
    {
      name: 'every open member got every message, in both strategies',
      ok: read.everyOpenMemberGotAll && write.everyOpenMemberGotAll && read.refused + write.refused === 0,
      detail: `${read.sent} + ${write.sent} sent, ${read.refused + write.refused} refused`,
    },
    {
      name: 'on read: members not looking got no full message, and conflated notices up to the newest seq',
      ok:
        read.closedMessages === 0 &&
        read.everyMemberKnowsTheEnd &&
        read.notices <= closed * (Math.ceil(seconds) + 2),
      detail: `${read.notices} notices (at most one a second each) for ${sent} messages × ${closed} members; ${read.closedMessages} full`,
    },
    {
      name: 'on write: every member got every message',
      ok: write.closedMessages === (write.sent - write.refused) * closed && write.notices === 0,
      detail: `${write.closedMessages} full messages to members not looking`,
    },
    {
      name: 'on read moves fewer bytes, fetches included',
      ok: read.bytes + read.fetchBytes < write.bytes + write.fetchBytes,
      detail: `${mb(read.bytes + read.fetchBytes)} MB vs ${mb(write.bytes + write.fetchBytes)} MB`,
    },
  ],
  latency: { 'fan-out on read': read.distribution, 'fan-out on write': write.distribution },
  overTime: [
    {
      title: 'Full messages and notices received per second, over every member',
      unit: 'per second',
      series: {
        'on read: messages': read.perSecond.messages,
        'on read: notices': read.perSecond.notices,
        'on write: messages': write.perSecond.messages,
      },
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'chat-large-room',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario chat:large-room --write\` on: ${machine()}.`,
      '',
      `One room of ${members} members, ${values.open} of them with it open; ${values.messages} messages of ${values.text} characters at`,
      `${values.rate}/s. The same run twice: fan-out on read (room above the \`largeRoom\` threshold; notices conflated to one`,
      'per room per second) and fan-out on write. Afterwards every member not looking opens the room — the worst case',
      'for fan-out on read, which then fetches the newest page.',
      'Bytes are what the members received live (socket.io frames), then the join replies when the members not looking',
      'open the room (the newest page on read; only the presence snapshot on write). Server CPU is the chat process’s user + system time.',
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
