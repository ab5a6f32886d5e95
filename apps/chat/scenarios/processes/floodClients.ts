/**
 * Clients for `chat:flood`, in a process of their own. `--bystanders` users in room `lobby` each send one message
 * a second for a quiet phase and then a flood phase, timing every ack and every delivery to the others. During the
 * flood phase one user floods from `--tabs` connections at once: sends as fast as acks return (up to 50 in flight
 * per connection), malformed requests, and now and then a frame over the size limit; closed connections reconnect.
 * Reports `{result}` to the parent when done.
 */
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { SeededRandom } from '@twohop/testkit';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { sleep } from '@twohop/scenarios';
import { requestSession } from '../../src/client/ChatSession.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    bystanders: { type: 'string', default: '20' },
    tabs: { type: 'string', default: '4' },
    quiet: { type: 'string', default: '5' },
    flood: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
  },
});
const url = values.url;
const random = new SeededRandom(Number(values.seed));

const signIn = (name: string) => requestSession(url, name);

function connect(token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  return new Promise((resolve, reject) =>
    socket.once('connect', () => resolve(socket)).once('connect_error', reject),
  );
}

type Reply = { ok: boolean; error?: { code: string } };
const request = (socket: Socket, event: string, payload: unknown) =>
  socket.timeout(10_000).emitWithAck(event, payload) as Promise<Reply>;

interface Phase {
  ack: LatencyRecorder;
  delivery: LatencyRecorder;
  sent: number;
  refused: number;
  delivered: number;
}
const newPhase = (): Phase => ({
  ack: new LatencyRecorder(),
  delivery: new LatencyRecorder(),
  sent: 0,
  refused: 0,
  delivered: 0,
});
const phases = { quiet: newPhase(), flood: newPhase() };
/** Per 250 ms over the whole run, for the report's charts: deliveries to bystanders, flooder requests and refusals. */
const overTime = {
  delivered: new TimeSeries(),
  flooderRequests: new TimeSeries(),
  rateLimited: new TimeSeries(),
};
let phase: Phase = phases.quiet;
/** When each bystander message was sent, by client id: deliveries are timed against it. */
const sentAt = new Map<string, { at: number; phase: Phase }>();

const bystanders: Socket[] = [];
for (let i = 0; i < Number(values.bystanders); i++) {
  const { token } = await signIn(`bystander-${i}`);
  const socket = await connect(token);
  await request(socket, 'room:join', { room: 'lobby' });
  socket.on('message', (message: { clientId: string }) => {
    const sent = sentAt.get(message.clientId);
    if (sent === undefined) return;
    sent.phase.delivery.record(performance.now() - sent.at);
    sent.phase.delivered++;
    overTime.delivered.count();
  });
  bystanders.push(socket);
}

/** Each bystander sends one message a second, spread over the second. */
async function chatter(name: string, seconds: number): Promise<void> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    await Promise.all(
      bystanders.map(async (socket, i) => {
        await sleep(random.int(0, 900));
        // Unique per message: a reused client id is a retry, which the server acks without storing or sending.
        const clientId = `${name}-b${i}-${n}`;
        const at = performance.now();
        const current = phase;
        sentAt.set(clientId, { at, phase: current });
        current.sent++;
        const reply = await request(socket, 'message:send', { room: 'lobby', clientId, text: `hello ${n}` });
        current.ack.record(performance.now() - at);
        if (!reply.ok) current.refused++;
      }),
    );
    n++;
    await sleep(Math.max(0, 1000 - 900));
  }
}

const flooder = {
  attempts: 0,
  accepted: 0,
  rateLimited: 0,
  invalid: 0,
  oversized: 0,
  closed: 0,
};
async function flood(seconds: number, token: string): Promise<void> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const tab = async (t: number) => {
    while (performance.now() < end) {
      let socket: Socket;
      try {
        socket = await connect(token);
      } catch {
        await sleep(50);
        continue;
      }
      await request(socket, 'room:join', { room: 'lobby' }).catch(() => undefined);
      const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      socket.once('disconnect', () => flooder.closed++);
      const worker = async () => {
        while (socket.connected && performance.now() < end) {
          flooder.attempts++;
          overTime.flooderRequests.count();
          const roll = random.float();
          if (roll < 0.002) {
            // A frame over socket.io's maxHttpBufferSize: the server drops this connection.
            flooder.oversized++;
            socket.emit('message:send', {
              room: 'lobby',
              clientId: `big-${t}-${n++}`,
              text: 'x'.repeat(64_000),
            });
            continue;
          }
          const malformed = roll < 0.1;
          const reply = await request(
            socket,
            'message:send',
            malformed ? { room: 42, text: null } : { room: 'lobby', clientId: `f${t}-${n++}`, text: 'FLOOD' },
          ).catch(() => undefined);
          if (reply === undefined) break;
          if (reply.ok) flooder.accepted++;
          else if (reply.error?.code === 'rate_limited') {
            flooder.rateLimited++;
            overTime.rateLimited.count();
          } else flooder.invalid++;
        }
      };
      await Promise.race([Promise.all(Array.from({ length: 50 }, worker)), closed]);
      socket.disconnect();
    }
  };
  await Promise.all(Array.from({ length: Number(values.tabs) }, (_, t) => tab(t)));
}

const mallory = await signIn('mallory');
process.send?.({ ready: true });
await chatter('quiet', Number(values.quiet));
phase = phases.flood;
await Promise.all([chatter('flood', Number(values.flood)), flood(Number(values.flood), mallory.token)]);
await sleep(1000);
const summary = (p: Phase) => ({
  sent: p.sent,
  refused: p.refused,
  delivered: p.delivered,
  // Everyone in the room gets every message, the sender's own connection included.
  expectedDeliveries: p.sent * bystanders.length,
  ack: p.ack.summary(),
  delivery: p.delivery.summary(),
  distribution: { ack: p.ack.distribution(), delivery: p.delivery.distribution() },
});
process.send?.({
  result: {
    quiet: summary(phases.quiet),
    flood: summary(phases.flood),
    flooder,
    malloryId: mallory.userId,
    perSecond: {
      'bystander deliveries': overTime.delivered.points(),
      'flooder requests': overTime.flooderRequests.points(),
      'flooder refused (rate_limited)': overTime.rateLimited.points(),
    },
  },
});
for (const socket of bystanders) socket.disconnect();
process.exit(0);
