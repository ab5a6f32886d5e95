import { requestSession } from '@twohop/client';
import type { ChatMessage } from '@twohop/chat/wire';
import { io, type Socket } from 'socket.io-client';
import type { ClusterAdapter, ClusterDriver, ClusterFollower, LinkFault, Route } from '../ClusterAdapter.js';
import { StreamRecord } from '../StreamRecord.js';

/** The room every round follows (a seed room: every node makes sure it exists). */
const ROOM = 'general';
/** A room's history never restarts: one epoch forever. */
const EPOCH = 'room';
/** The state compared with a fresh client's: the newest messages held (a fresh client's join holds the last 50). */
const COMPARED_TAIL = 20;

type Reply = { ok: boolean; messages?: ChatMessage[]; limited?: boolean };

/**
 * A socket.io connection to the chat through `route`, reconnecting on its own (nginx picks the node) after
 * `reconnectMs`: a follower waits long enough for the room to move on, so its resume has something to replay.
 */
function connect(route: Route, token: string, reconnectMs = 100): Socket {
  return io(route.url, {
    transports: ['websocket'],
    extraHeaders: { ...route.headers },
    auth: { token },
    reconnectionDelay: reconnectMs,
    reconnectionDelayMax: reconnectMs,
    randomizationFactor: 0,
  });
}

/**
 * Follows room `general` as the chat's own client does (`ChatSession`'s requests: `room:join {after}` on every
 * connection, live `message` events applied in seq order), over a raw socket.io connection so that every delivery is
 * recorded as it arrives, before any de-duplication. Live messages that arrive while a join is in flight wait for its
 * reply and only those past it count, as a replica's buffered deltas wait for the snapshot.
 */
function followRoom(route: Route, fault?: LinkFault): ClusterFollower {
  const held = new Map<number, ChatMessage>();
  let lastSeq: number | undefined;
  const record = new StreamRecord(`room:${ROOM}`, 'reliable', () =>
    lastSeq === undefined ? undefined : { epoch: EPOCH, seq: lastSeq },
  );
  let socket: Socket | undefined;
  let closed = false;
  let connections = 0;
  let joining = false;
  let joined = false;
  let pending: ChatMessage[] = [];
  // The canary to apply to the next message delivered (armed on each connection from the second on).
  let armed: LinkFault | undefined;
  /** One delivery as it comes off the wire: recorded, then applied — or lost, or twice, as the armed canary says. */
  const deliver = (message: ChatMessage) => {
    const times = armed === 'drop-one' ? 0 : armed === 'repeat-one' ? 2 : 1;
    armed = undefined;
    for (let i = 0; i < times; i++) {
      record.delivered(message.seq, message.seq, message.ts);
      apply(message);
    }
  };

  /**
   * The newest messages up to the position: what the client shows. Recorded only once that is a full tail (or the
   * whole history from seq 1): a join's page is applied message by message, and a client whose page started later
   * than another's held less at the same position without being wrong.
   */
  const canonical = () => {
    const tail = [...held.values()]
      .filter((m) => m.seq <= (lastSeq ?? 0))
      .sort((a, b) => a.seq - b.seq)
      .slice(-COMPARED_TAIL);
    if (tail.length < COMPARED_TAIL && tail[0]?.seq !== 1) return undefined;
    return tail.map((m) => `${m.seq}:${m.userId}:${m.text}`).join('\n');
  };
  const apply = (message: ChatMessage) => {
    if (lastSeq !== undefined && message.seq <= lastSeq) return;
    held.set(message.seq, message);
    while (held.has((lastSeq ?? 0) + 1) || (lastSeq === undefined && held.size > 0)) {
      lastSeq = lastSeq === undefined ? message.seq : lastSeq + 1;
      const state = canonical();
      if (state !== undefined) record.changed(state);
    }
  };
  const live = (message: ChatMessage) => {
    if (message.room !== ROOM) return;
    if (joining || !joined) return void pending.push(message);
    deliver(message);
    // A hole (a lost delivery): fetched by a re-join from the last seq held, as the chat's client does.
    if (lastSeq !== undefined && message.seq > lastSeq + 1) void join();
  };
  const join = async () => {
    if (socket === undefined || joining) return;
    joining = true;
    const resume = lastSeq !== undefined && !(connections > 1 && fault === 'forget-resume');
    try {
      const reply = (await socket
        .timeout(5000)
        .emitWithAck('room:join', { room: ROOM, ...(resume ? { after: lastSeq } : {}) })) as Reply;
      if (!reply.ok) return;
      const messages = reply.messages ?? [];
      if (!resume) {
        // A fresh page: the client starts over from it (what forgetting the resume position costs).
        held.clear();
        lastSeq = undefined;
      }
      record.subscribed(resume && reply.limited === false);
      for (const message of messages) {
        if (resume) deliver(message);
        else apply(message);
      }
      joined = true;
    } catch {
      // No answer: the next connection joins again.
    } finally {
      joining = false;
      const waiting = pending;
      pending = [];
      for (const message of waiting) if (lastSeq === undefined || message.seq > lastSeq) live(message);
    }
  };

  void (async () => {
    const { token } = await requestSession(route.url, 'follower');
    if (closed) return;
    socket = connect(route, token, 600);
    socket.on('connect', () => {
      connections++;
      joined = false;
      if (connections > 1 && fault !== undefined && fault !== 'forget-resume') armed = fault;
      void join();
    });
    socket.on('message', live);
  })();

  return {
    streams: [record],
    live: () => joined && lastSeq !== undefined && socket?.connected === true,
    close() {
      closed = true;
      socket?.disconnect();
    },
  };
}

/** Senders posting to the room: enough that a client's reconnect always misses some, so its resume must replay. */
const SENDERS = 8;

/**
 * Senders post to the room through the public URL, each about four messages a second (under the chat's send
 * budget), each message with its own client id and resent with it until acknowledged, so a sender whose node dies
 * resends to another and the message is stored once.
 */
async function driveRoom(url: string, seed: number): Promise<ClusterDriver> {
  let caused = 0;
  let stopped = false;
  const senders = await Promise.all(
    Array.from({ length: SENDERS }, async (_, i) => {
      const { token } = await requestSession(url, `sender-${i}`);
      const socket = connect({ url, headers: {} }, token);
      const run = (async () => {
        for (let n = 0; !stopped; n++) {
          const clientId = `s${seed}-${i}-${n}`;
          for (;;) {
            if (stopped) return;
            const reply = await socket
              .timeout(2000)
              .emitWithAck('message:send', { room: ROOM, clientId, text: `sender ${i}: ${n}` })
              .catch(() => undefined);
            if (reply?.ok === true) break;
            if (reply?.error?.code === 'not_member')
              await socket
                .timeout(2000)
                .emitWithAck('room:join', { room: ROOM })
                .catch(() => undefined);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          caused++;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      return { socket, run };
    }),
  );
  return {
    caused: () => caused,
    async stop() {
      stopped = true;
      for (const sender of senders) sender.socket.disconnect();
      await Promise.all(senders.map((sender) => sender.run));
    },
  };
}

/**
 * The chat on several nodes: interchangeable nodes sharing the store, the feed and presence in Redis. Senders post
 * to a room through nginx; a client follows the room (reliable: each message once, in seq order) and, after its node
 * is killed, re-joins from its last seq on another.
 */
export const chatCluster: ClusterAdapter = {
  app: 'chat',
  failsToday: {
    'cluster:redis-restart':
      'the chat keeps its rooms only in Redis, with no epoch to say they were lost: a Redis restarted empty leaves its clients at their old seqs with nothing to tell them (the chat asks for a Redis that fsyncs before answering)',
  },
  // A killed node's users leave within a short lifetime (not judged here, but it keeps presence churn small).
  env: { CHAT_PRESENCE_TTL_MS: '1500' },
  drive: (cluster, seed) => driveRoom(cluster.url, seed),
  follow: followRoom,
};
