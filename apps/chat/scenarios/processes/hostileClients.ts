/**
 * The chat's attackers, in a process of their own, each phase on the parent's command:
 * - `setup`: signs in the users the attacks use (within the per-address sign-in limit) and makes them members;
 * - `generated`: fast-check requests shaped per event (the chat's hostile-input generator, seeded), each awaited for
 *   its reply, one worker per user paced to the user's budget, a fresh connection every 20 inputs;
 * - `flood`: requests fired without waiting (joins of unknown rooms, room lists, room creations) from several
 *   connections, each replaced when the server closes it;
 * - `sessions`: sign-ins fired at `POST /api/session`;
 * - `stall` … `stall-end`: members stop reading and keep asking for a full page of long messages.
 * Each phase answers with what it saw, by code.
 */
import { requestSession, type SignedIn } from '../../src/client/ChatSession.js';
import { CHAT_ERROR_CODES } from '../../src/domain/errors.js';
import { hostileRequest } from '../../test/hostileInputs.js';
import { stallable } from '@twohop/testkit/node';
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { sleep } from '@twohop/scenarios';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const url = values.url as string;
const INPUTS_PER_CONNECTION = 20;
/** Inputs each user sends a second. */
const INPUTS_PER_SECOND = 14;
/** The room the attackers are members of, one they are not in, and the stalled reader's. */
const ROOMS = { mine: 'lobby', theirs: 'elsewhere', archive: 'archive' };

type Counts = Record<string, number>;
const count = (counts: Counts, key: string, by = 1) => (counts[key] = (counts[key] ?? 0) + by);
const documented = new Set<string>(CHAT_ERROR_CODES);

async function connect(token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

let users: SignedIn[] = [];

/** Signs in `count` users and makes each a member of the attackers' room. */
async function setup(total: number) {
  users = [];
  for (let i = 0; i < total; i++) users.push(await requestSession(url, `mallory-${i}`));
  for (const user of users) {
    const socket = await connect(user.token);
    await socket.emitWithAck('room:join', { room: ROOMS.mine });
    socket.disconnect();
  }
  return users.length;
}

/** Sends every input, awaiting each reply; `undocumented` counts refusals whose code is not in the chat's list. */
async function generated(total: number, seed: number) {
  const inputs = fc.sample(hostileRequest(ROOMS), { seed, numRuns: total });
  const codes: Counts = {};
  let next = 0;
  let unanswered = 0;
  let undocumented = 0;
  const worker = async (user: SignedIn) => {
    let socket: Socket | undefined;
    let used = 0;
    while (next < inputs.length) {
      const [event, payload] = inputs[next++]!;
      if (socket === undefined || !socket.connected || used >= INPUTS_PER_CONNECTION) {
        socket?.disconnect();
        socket = await connect(user.token);
        used = 0;
      }
      used++;
      const sentAt = performance.now();
      try {
        const reply = (await socket.timeout(5000).emitWithAck(event, payload)) as {
          ok?: unknown;
          error?: { code?: unknown };
        };
        const code = reply.ok === true ? 'ok' : String(reply.error?.code);
        if (code !== 'ok' && !documented.has(code)) undocumented++;
        count(codes, code);
      } catch {
        // Only a connection the server closed may leave a request unanswered.
        if (socket.connected) unanswered++;
        else count(codes, 'closed before the reply');
      }
      // Paced to the user's budget (40 a second at a request's cost, ≈ 2.5 on average), so inputs reach the rules.
      await sleep(Math.max(0, 1000 / INPUTS_PER_SECOND - (performance.now() - sentAt)));
    }
    socket?.disconnect();
  };
  await Promise.all(users.map(worker));
  return { inputs: inputs.length, codes, unanswered, undocumented };
}

const floods: Record<string, (i: number) => [string, unknown]> = {
  'unknown rooms': (i) => ['room:join', { room: `nowhere-${i}` }],
  'room lists': (i) => ['rooms:list', { limit: 100, ...(i % 2 === 0 ? {} : { after: `room-${i % 2000}` }) }],
  'room creations': (i) => ['room:create', { room: `spam-${process.pid}-${i}` }],
};

/** Fires `total` requests of one kind from one connection per user, in bursts of 100; a closed one is replaced. */
async function flood(kind: string, total: number, seconds: number) {
  const until = performance.now() + seconds * 1000;
  const make = floods[kind]!;
  const codes: Counts = {};
  const closes: Counts = {};
  let sent = 0;
  let maxRefusedPerConnection = 0;
  let largestPage = 0;
  const worker = async (user: SignedIn) => {
    while (sent < total || performance.now() < until) {
      const socket = await connect(user.token);
      socket.on('close-notice', (notice: { error: { code: string } }) => count(closes, notice.error.code));
      let answered = 0;
      let refused = 0;
      const burst = 100;
      for (let i = 0; i < burst; i++) {
        const [event, payload] = make(sent++);
        socket.emit(event, payload, (reply: { ok: boolean; error?: { code: string }; rooms?: unknown[] }) => {
          answered++;
          if (!reply.ok) refused++;
          largestPage = Math.max(largestPage, reply.rooms?.length ?? 0);
          count(codes, reply.ok ? 'ok' : (reply.error?.code ?? 'no code'));
        });
      }
      for (let waited = 0; socket.connected && answered < burst && waited < 10_000; waited += 20)
        await sleep(20);
      socket.disconnect();
      maxRefusedPerConnection = Math.max(maxRefusedPerConnection, refused);
    }
  };
  await Promise.all(users.slice(0, 4).map(worker));
  return { sent, codes, closes, maxRefusedPerConnection, largestPage };
}

/** Fires `total` sign-ins, 20 at a time, and counts the answers by HTTP status. */
async function sessions(total: number) {
  const statuses: Counts = {};
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const response = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `sock-puppet-${sent}` }),
      }).catch(() => undefined);
      count(statuses, String(response?.status ?? 'failed'));
      await response?.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return { sent, statuses };
}

/**
 * A member of the archive that stops reading and asks for a full page of long messages: `total` requests,
 * `perSecond` a second (Infinity: all at once), until the returned function is called; then it reads again and
 * reports how it ended.
 */
async function startStall({ token, perSecond, total }: StalledReader) {
  const socket = await connect(token);
  const tcp = stallable(socket);
  let notice: string | undefined;
  socket.on('close-notice', (received: { error: { code: string } }) => (notice = received.error.code));
  await socket.emitWithAck('room:join', { room: ROOMS.archive });
  tcp.stall();
  let sent = 0;
  let stalled = true;
  const sending = (async () => {
    while (stalled && socket.connected && sent < total) {
      socket.emit('room:history', { room: ROOMS.archive, before: 1_000_000, limit: 100 }, () => {});
      sent++;
      if (Number.isFinite(perSecond)) await sleep(1000 / perSecond);
    }
  })();
  return async () => {
    stalled = false;
    await sending;
    tcp.resume();
    await sleep(1500);
    const result = { sent, closedWith: notice ?? (socket.connected ? 'open' : 'closed') };
    socket.disconnect();
    return result;
  };
}
/** A stalled reader's token and pace. */
interface StalledReader {
  token: string;
  perSecond: number;
  total: number;
}
let stopStalls: Array<() => Promise<{ sent: number; closedWith: string }>> = [];

interface Command {
  cmd: 'setup' | 'generated' | 'flood' | 'sessions' | 'stall' | 'stall-end';
  total?: number;
  seed?: number;
  kind?: string;
  seconds?: number;
  readers?: StalledReader[];
}
process.on('message', (message: Command) => {
  const run = async () => {
    switch (message.cmd) {
      case 'setup':
        return { users: await setup(message.total ?? 8) };
      case 'generated':
        return { generated: await generated(message.total ?? 0, message.seed ?? 1) };
      case 'flood':
        return { flood: await flood(message.kind as string, message.total ?? 0, message.seconds ?? 0) };
      case 'sessions':
        return { sessions: await sessions(message.total ?? 0) };
      case 'stall':
        stopStalls = await Promise.all((message.readers ?? []).map(startStall));
        return { stalling: true };
      case 'stall-end':
        return { stall: await Promise.all(stopStalls.map((stop) => stop())) };
    }
  };
  void run().then((result) => process.send?.(result));
});
process.send?.({ ready: true });
