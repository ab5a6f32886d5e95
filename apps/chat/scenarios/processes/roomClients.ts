/**
 * Members of one big room for `chat:large-room` and `chat:busy-room`, in a process of their own: `--members` users
 * each join `--room` (becoming members); all but `--open` of them close it again (members who are not looking).
 * `--senders` of the open members then send `--rate` messages/s in all for `--duration` s, each text `--text`
 * characters long. Every member counts full messages, `{room, seq}` notices and bytes received, and times each
 * delivery from its send (senders and members share this process's clock). Afterwards the closed members open the
 * room, fetching what they were told about. Reports `{result}`.
 */
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { RoomResult } from './runRoom.js';
import { sleep } from '@twohop/scenarios';
import { requestSession } from '../../src/client/ChatSession.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    room: { type: 'string', default: 'hall' },
    members: { type: 'string', default: '1000' },
    open: { type: 'string', default: '100' },
    senders: { type: 'string', default: '10' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '4' },
    text: { type: 'string', default: '200' },
  },
});
const { url, room } = values;

interface Member {
  socket: Socket;
  open: boolean;
  messages: number;
  notices: number;
  bytes: number;
  /** Bytes of the reply when the room was opened after the run. */
  fetchBytes: number;
  fetched: number;
  /** The newest seq this member received in full. */
  lastSeq: number;
  /** The newest seq this member knows of, from a message or a notice. */
  knownSeq: number;
}

const signIn = (name: string) => requestSession(url, name);

const latency = new LatencyRecorder();
/** Full messages and notices received per 250 ms, over every member, from the first send (charted in the report). */
let deliveries = new TimeSeries();
let notices = new TimeSeries();
const sentAt = new Map<string, number>();
let counting = false;
const members: Member[] = [];
const total = Number(values.members);
const openCount = Number(values.open);
// Connect in batches: a thousand handshakes at once would be a test of the accept queue, not of fan-out.
for (let start = 0; start < total; start += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, total - start) }, async (_, k) => {
      const index = start + k;
      const { token } = await signIn(`member-${index}`);
      const socket = io(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token },
      });
      await new Promise((resolve, reject) =>
        socket.once('connect', () => resolve(undefined)).once('connect_error', reject),
      );
      const member: Member = {
        socket,
        open: index < openCount,
        messages: 0,
        notices: 0,
        bytes: 0,
        fetchBytes: 0,
        fetched: 0,
        lastSeq: 0,
        knownSeq: 0,
      };
      socket.io.engine.on('data', (data: string | ArrayBuffer) => {
        if (counting) member.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      });
      socket.on('message', (message: { clientId: string; seq: number }) => {
        if (!counting) return;
        member.messages++;
        deliveries.count();
        member.lastSeq = Math.max(member.lastSeq, message.seq);
        member.knownSeq = Math.max(member.knownSeq, message.seq);
        const at = sentAt.get(message.clientId);
        if (at !== undefined) latency.record(performance.now() - at);
      });
      socket.on('notice', (notice: { seq: number }) => {
        if (!counting) return;
        member.notices++;
        notices.count();
        member.knownSeq = Math.max(member.knownSeq, notice.seq);
      });
      const reply = (await socket.timeout(30_000).emitWithAck('room:join', { room })) as { ok: boolean };
      if (!reply.ok) throw new Error(`join failed: ${JSON.stringify(reply)}`);
      if (!member.open) await socket.timeout(30_000).emitWithAck('room:close', { room });
      members[index] = member;
    }),
  );
}
process.send?.({ ready: members.length });

const senders = members.slice(0, Math.min(Number(values.senders), openCount));
const text = 'x'.repeat(Number(values.text));
let sent = 0;
let refused = 0;
/** The newest seq any send was acknowledged with. */
let lastSeq = 0;
const commitAck = new LatencyRecorder();
async function run(): Promise<void> {
  counting = true;
  deliveries = new TimeSeries();
  notices = new TimeSeries();
  const rate = Number(values.rate);
  const start = performance.now();
  const total = Math.round(rate * Number(values.duration));
  const inflight: Promise<void>[] = [];
  while (sent < total) {
    await sleep(5);
    // Paced by the clock, not by the timer: as many as are due by now, so timer drift does not lower the rate.
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) {
      const sender = senders[sent % senders.length]!;
      const clientId = `m${sent++}`;
      const at = performance.now();
      sentAt.set(clientId, at);
      inflight.push(
        (
          sender.socket.timeout(30_000).emitWithAck('message:send', { room, clientId, text }) as Promise<{
            ok: boolean;
            seq?: number;
          }>
        ).then((reply) => {
          commitAck.record(performance.now() - at);
          if (reply.ok) lastSeq = Math.max(lastSeq, reply.seq ?? 0);
          if (!reply.ok) refused++;
        }),
      );
    }
  }
  await Promise.all(inflight);
  // Deliveries still on the wire land within this.
  const deadline = Date.now() + 10_000;
  // Open members: every message; the others: a message or a notice of the newest seq.
  const expected = () =>
    members.every((m) => (m.open ? m.messages >= sent - refused : m.knownSeq >= lastSeq));
  while (!expected() && Date.now() < deadline) await sleep(50);
  await sleep(200);
  counting = false;
  // The members who were not looking open the room, as the UI does: from the last seq they hold (nothing to fetch
  // when every message reached them), or fresh — the newest page — when all they had were notices.
  for (const member of members.filter((m) => !m.open)) {
    const request = member.lastSeq > 0 ? { room, after: member.lastSeq } : { room };
    const reply = (await member.socket.timeout(30_000).emitWithAck('room:join', request)) as {
      messages: unknown[];
    };
    member.fetchBytes = Buffer.byteLength(JSON.stringify(reply));
    member.fetched = reply.messages.length;
  }
}

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd !== 'run') return;
  await run();
  const open = members.filter((m) => m.open);
  const closed = members.filter((m) => !m.open);
  const sum = (list: Member[], pick: (m: Member) => number) => list.reduce((n, m) => n + pick(m), 0);
  const result: RoomResult = {
    sent,
    refused,
    members: members.length,
    open: open.length,
    openMessages: sum(open, (m) => m.messages),
    closedMessages: sum(closed, (m) => m.messages),
    notices: sum(members, (m) => m.notices),
    bytes: sum(members, (m) => m.bytes),
    fetchBytes: sum(closed, (m) => m.fetchBytes),
    fetched: sum(closed, (m) => m.fetched),
    everyOpenMemberGotAll: open.every((m) => m.messages === sent - refused),
    everyMemberKnowsTheEnd: members.every((m) => m.knownSeq === lastSeq),
    latency: latency.summary(),
    distribution: latency.distribution(),
    ack: commitAck.summary(),
    perSecond: { messages: deliveries.points(), notices: notices.points() },
  };
  process.send?.({ result });
  for (const member of members) member.socket.disconnect();
  process.exit(0);
});
