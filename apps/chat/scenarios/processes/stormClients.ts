/**
 * Chat clients for `chat:reconnect-storm`, in a process of their own: `--clients` ChatSessions, each a member of two
 * of `--rooms` rooms, sending `--messages` in all at `--rate` messages/s while their connections are cut (seeded)
 * every `--cut-every` ms — a dropped transport (the session reconnects with backoff) or a spell offline.
 *
 * IPC from the parent: `{cmd:'run'}` starts sending and cutting (→ `{sent}` when every message was handed to a
 * session); `{cmd:'heal'}` stops the cuts and waits until every session is live with nothing unacknowledged (→
 * `{settled}`); `{cmd:'verify', dump}` waits (at most 30 s) until every session's timeline of every room reaches the
 * room's newest seq in the dump, then compares each with the server's (→ `{verdict}`, naming the timelines that never
 * reached it). Deliveries are timed from the send to each member's timeline (one process, one clock) and counted per
 * 250 ms, with the sessions live and the sends unacknowledged, for the report's charts.
 */
import { ChatSession } from '../../src/client/ChatSession.js';
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { SeededRandom } from '@twohop/testkit';
import { parseArgs } from 'node:util';
import { sleep } from '@twohop/scenarios';
import { requestSession } from '../../src/client/ChatSession.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    clients: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '20' },
    messages: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    'cut-every': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
  },
});
const random = new SeededRandom(Number(values.seed));
const roomCount = Number(values.rooms);
const rooms = Array.from({ length: roomCount }, (_, i) => `storm-${i}`);

interface Client {
  index: number;
  session: ChatSession;
  rooms: string[];
  /** Every text this client handed to its session (each unique). */
  attempted: string[];
}

const signIn = (name: string) => requestSession(values.url, name);

/** When each text was handed to its session: a message's arrival in a member's timeline is timed against it. */
const sentAt = new Map<string, number>();
/** Send to arrival in each member's timeline; cuts and spells offline included. */
const delivery = new LatencyRecorder();
const overTime = { delivered: new TimeSeries(), live: new TimeSeries(), unacknowledged: new TimeSeries() };

/** Times every message new to one of `session`'s timelines (a timeline holds each message once). */
function timeDeliveries(session: ChatSession): void {
  const seen = new Set<string>();
  const held = new Map<string, number>();
  const arrived = (text: string, now: number) => {
    seen.add(text);
    const at = sentAt.get(text);
    if (at === undefined) return;
    delivery.record(now - at);
    overTime.delivered.count();
  };
  session.events.on('change', () => {
    const now = performance.now();
    for (const [room, { messages }] of session.open) {
      const grown = messages.length - (held.get(room) ?? 0);
      if (grown <= 0) continue;
      held.set(room, messages.length);
      // New messages land at the tail; a fetched hole lands inside, and then the whole timeline is looked at.
      let found = 0;
      for (let i = messages.length - 1; i >= 0 && !seen.has(messages[i]!.text); i--, found++)
        arrived(messages[i]!.text, now);
      if (found < grown) for (const { text } of messages) if (!seen.has(text)) arrived(text, now);
    }
  });
}

const clients: Client[] = [];
for (let index = 0; index < Number(values.clients); index++) {
  const { token, userId } = await signIn(`user-${index}`);
  const session = new ChatSession({
    url: values.url,
    token,
    userId,
    ackTimeoutMs: 2000,
    backoff: { baseMs: 100, capMs: 2000, random: () => random.float() },
    socket: { transports: ['websocket'] },
  });
  // Two rooms each, spread so that every room has members from all over the range.
  const mine = [...new Set([rooms[index % roomCount]!, rooms[(index * 7 + 3) % roomCount]!])];
  clients.push({ index, session, rooms: mine, attempted: [] });
  timeDeliveries(session);
}
const allLive = () => clients.every((client) => client.session.state === 'live');
while (!allLive()) await sleep(50);
for (const client of clients) for (const room of client.rooms) await client.session.openRoom(room);
process.send?.({ ready: clients.length });

let cutting = false;
const cuts = { dropped: 0, offline: 0 };

/** Retries what timed out, as a user pressing "retry" would (same client id). */
const retryFailed = setInterval(() => {
  for (const { session } of clients) {
    if (session.state !== 'live') continue;
    for (const outgoing of session.outbox) if (outgoing.status === 'failed') session.retry(outgoing.clientId);
  }
}, 250);

async function cut(): Promise<void> {
  while (cutting) {
    await sleep(Number(values['cut-every']));
    if (!cutting) break;
    const client = random.pick(clients);
    if (client.session.state !== 'live') continue;
    if (random.chance(0.7)) {
      cuts.dropped++;
      client.session.drop();
    } else {
      cuts.offline++;
      client.session.offline();
      const away = random.int(200, 2000);
      setTimeout(() => client.session.online(), away);
    }
  }
}

async function send(): Promise<void> {
  const total = Number(values.messages);
  const rate = Number(values.rate);
  const start = performance.now();
  let handed = 0;
  while (handed < total) {
    await sleep(5);
    // Paced by the clock: as many as are due by now, so timer drift does not lower the rate.
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    for (; handed < due; handed++) {
      const client = clients[handed % clients.length]!;
      const room = random.pick(client.rooms);
      const text = `${client.index}:${client.attempted.length}`;
      client.attempted.push(text);
      sentAt.set(text, performance.now());
      client.session.send(room, text);
    }
  }
}

process.on(
  'message',
  async (message: { cmd: string; dump?: Record<string, Array<[number, string, string]>> }) => {
    if (message.cmd === 'run') {
      cutting = true;
      void sampleLevels();
      void cut();
      await send();
      process.send?.({ sent: true, cuts });
    }
    if (message.cmd === 'heal') {
      cutting = false;
      for (const { session } of clients) if (session.state === 'reconnecting') session.online();
      const deadline = Date.now() + 60_000;
      const settled = () => allLive() && clients.every(({ session }) => session.outbox.length === 0);
      while (!settled() && Date.now() < deadline) await sleep(100);
      clearInterval(retryFailed);
      process.send?.({
        settled: settled(),
        live: clients.filter(({ session }) => session.state === 'live').length,
        notLive: clients
          .filter(({ session }) => session.state !== 'live')
          .map(({ session }) => session.state),
        unacknowledged: clients.reduce((n, { session }) => n + session.outbox.length, 0),
        cuts,
      });
    }
    if (message.cmd === 'verify') {
      const dump = message.dump ?? {};
      const behind = await caughtUp(dump);
      sampling = false;
      process.send?.({
        verdict: { ...verify(dump), behind },
        latency: delivery.distribution(),
        perSecond: overTime.delivered.points(),
        levels: { live: overTime.live.points(), unacknowledged: overTime.unacknowledged.points() },
      });
    }
    if (message.cmd === 'exit') {
      for (const { session } of clients) session.close();
      process.exit(0);
    }
  },
);

let sampling = true;
/** The sessions live and the sends unacknowledged, every 250 ms until the verdict. */
async function sampleLevels(): Promise<void> {
  while (sampling) {
    overTime.live.level(clients.filter(({ session }) => session.state === 'live').length);
    overTime.unacknowledged.level(clients.reduce((n, { session }) => n + session.outbox.length, 0));
    await sleep(250);
  }
}

/** The room's newest seq in the server's dump. */
const head = (messages: Array<[number, string, string]> | undefined) =>
  (messages ?? []).reduce((newest, [seq]) => Math.max(newest, seq), 0);

/**
 * Waits, at most 30 s, until every client's timeline of every room it is in holds every message up to the room's
 * head with nothing missing (the last broadcasts and hole fetches may still be on their way after healing); returns
 * the timelines that never got there, as `user-N/room at seq S of H`.
 */
async function caughtUp(dump: Record<string, Array<[number, string, string]>>): Promise<string[]> {
  const lagging = () =>
    clients.flatMap((client) =>
      client.rooms.flatMap((room) => {
        const reached = client.session.open.get(room)?.lastSeq ?? 0;
        const newest = head(dump[room]);
        return reached >= newest ? [] : [`user-${client.index}/${room} at seq ${reached} of ${newest}`];
      }),
    );
  const deadline = Date.now() + 30_000;
  while (lagging().length > 0 && Date.now() < deadline) await sleep(100);
  return lagging();
}

/**
 * Lost: a message the server stored that a member's timeline lacks, or a message a client sent that the server
 * never stored. Duplicated: a message twice in the store or in a timeline. Reordered: a timeline whose message at
 * some position is not the server's message there.
 */
function verify(dump: Record<string, Array<[number, string, string]>>) {
  let lost = 0;
  let duplicated = 0;
  let reordered = 0;
  let extra = 0;
  let histories = 0;
  let stored = 0;
  const storedIds = new Map<string, number>();
  for (const [, messages] of Object.entries(dump)) {
    stored += messages.length;
    for (const [, userId, clientId] of messages) {
      const key = `${userId}/${clientId}`;
      storedIds.set(key, (storedIds.get(key) ?? 0) + 1);
    }
  }
  for (const count of storedIds.values()) if (count > 1) duplicated += count - 1;
  let attempted = 0;
  for (const client of clients) {
    attempted += client.attempted.length;
    for (const room of client.rooms) {
      histories++;
      const server = dump[room] ?? [];
      const mine = client.session.open.get(room)?.messages ?? [];
      const seen = new Set<string>();
      for (const message of mine) {
        const key = `${message.userId}/${message.clientId}`;
        if (seen.has(key)) duplicated++;
        seen.add(key);
      }
      const bySeq = new Map(mine.map((message) => [message.seq, message]));
      for (const [seq, userId, clientId] of server) {
        const held = bySeq.get(seq);
        if (held === undefined) lost++;
        else if (held.userId !== userId || held.clientId !== clientId) reordered++;
      }
      extra += Math.max(0, mine.length - server.length);
      for (let i = 1; i < mine.length; i++) if (mine[i]!.seq <= mine[i - 1]!.seq) reordered++;
    }
  }
  // Every message a client sent is in the store exactly once: as many stored as attempted, none twice.
  const unsent = attempted - storedIds.size;
  return {
    histories,
    attempted,
    stored,
    lost: lost + Math.max(0, unsent),
    duplicated,
    reordered,
    extra,
    redundantDeliveries: clients.reduce((n, { session }) => n + session.stats.duplicates, 0),
    gapsDetected: clients.reduce((n, { session }) => n + session.stats.gaps, 0),
    rejoins: clients.reduce((n, { session }) => n + session.stats.rejoins, 0),
    resent: clients.reduce((n, { session }) => n + session.stats.resent, 0),
    duplicateAcks: clients.reduce((n, { session }) => n + session.stats.duplicateAcks, 0),
  };
}
