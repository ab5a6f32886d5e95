import { startApp } from '@twohop/app-kit';
import { createChatServer } from '@twohop/chat/server';
import { ChatSession, requestSession } from '@twohop/chat/session';
import { CHAT_ERROR_CODES } from '@twohop/chat/errors';
import { MAX_TEXT } from '@twohop/chat/wire';
import fc from 'fast-check';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { AppAdapter, HistoryClient, HostileSpec, RunningApp, StalledReader } from '../AppAdapter.js';
import { signedStalledReader } from '../rawClients.js';
import { holdConnections } from '../serverEdge.js';
import { lossyParser } from './lossyParser.js';

const ROOM = 'general';
/** What a catch-up reply holds at most (the store's page). */
const PAGE = 50;
/** What the chat may hold unwritten for a reader before it stops serving it (the request layer's high-water mark). */
const REPLY_HIGH_WATER = 1024 * 1024;
/** The chat's error codes: its typed union, which docs/apps/chat.md lists. */
const CODES = [...CHAT_ERROR_CODES];

/** Connection budgets high enough that no property's pace is refused. */
const RATES = { ratePerSecond: 10_000, rateBurst: 10_000 };

const room = fc.oneof(fc.constant(ROOM), fc.stringMatching(/^[\w-]{1,64}$/));
const seq = fc.integer({ min: 0, max: 200 });
const text = fc.string({ minLength: 1, maxLength: 200 });
const hostile: HostileSpec = {
  setup: [{ event: 'room:join', payload: { room: ROOM } }],
  codes: CODES,
  requests: [
    { event: 'rooms:list', valid: fc.constant({}) },
    { event: 'room:create', valid: fc.record({ room }) },
    {
      event: 'room:join',
      valid: fc.record({ room, after: seq, changesAfter: seq }, { requiredKeys: ['room'] }),
    },
    { event: 'room:close', valid: fc.record({ room }) },
    { event: 'room:leave', valid: fc.record({ room }) },
    {
      event: 'room:history',
      valid: fc.record(
        { room, before: seq.map((n) => n + 1), limit: fc.integer({ min: 1, max: 100 }) },
        { requiredKeys: ['room', 'before'] },
      ),
    },
    {
      event: 'message:send',
      valid: fc.record({ room, clientId: fc.string({ minLength: 1, maxLength: 64 }), text }),
    },
    { event: 'message:edit', valid: fc.record({ room, seq: seq.map((n) => n + 1), text }) },
    { event: 'message:delete', valid: fc.record({ room, seq: seq.map((n) => n + 1) }) },
    { event: 'read', valid: fc.record({ room, seq }) },
    { event: 'typing', valid: fc.record({ room }) },
  ],
};

/** The chat, followed in its room `general` by its own `ChatSession`; changes are messages from another user. */
export const chatAdapter: AppAdapter = {
  name: 'chat',
  capabilities: ['requests'],
  async start({ port = 0, heartbeat, dataDir, unboundedReplies }) {
    const server = createChatServer({
      secret: 'conformance',
      database: dataDir === undefined ? ':memory:' : join(dataDir, 'chat.db'),
      seedRooms: [ROOM],
      // Changes come from one writer as fast as the properties make them; the send rate is not what is tested.
      sendRate: 10_000,
      sendBurst: 10_000,
      // Nor are the request budgets: the stalled reader asks for a page every 50 ms, which must not be refused.
      userRate: 10_000,
      userBurst: 10_000,
      // The canary: the request layer's reply bound lifted, so replies pile up for a reader that does not read.
      ...(unboundedReplies === true
        ? {
            limits: {
              ...RATES,
              replyHighWaterBytes: Number.POSITIVE_INFINITY,
              maxQueuedBytes: Number.POSITIVE_INFINITY,
              maxPendingRequests: Number.POSITIVE_INFINITY,
            },
          }
        : { limits: RATES }),
    });
    // The heartbeat is socket.io's ping: a client that hears no ping for interval + timeout declares the line dead.
    // With no ping at all (an interval past the bound), a client has nothing to time: the line is never declared dead.
    if (heartbeat !== undefined) {
      const { beatMs, boundMs } = heartbeat;
      server.io.engine.opts.pingInterval = beatMs;
      server.io.engine.opts.pingTimeout = beatMs < boundMs ? boundMs - beatMs : boundMs;
    }
    const started = await startApp(server, { port });
    const { dropConnections, url, port: bound } = started;
    const history = async () => server.store.latest(ROOM, 1_000_000);

    const connect = async (name = 'hostile', options: { transports?: string[] } = {}): Promise<Socket> => {
      const { token } = await requestSession(url, name);
      const socket = io(url, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...options,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    let writer: Socket | undefined;
    let sent = 0;
    const write = async () => {
      if (writer?.connected !== true) {
        writer = await connect('writer');
        await writer.emitWithAck('room:join', { room: ROOM });
      }
      return writer;
    };

    /** Sends `count` messages from the writer; a send cut off with its connection is retried with the same id. */
    const cause = async (count: number, text?: string) => {
      for (let i = 0; i < count; i++) {
        const message = { room: ROOM, clientId: `w${++sent}`, text: text ?? `message ${sent}` };
        for (let attempt = 1; ; attempt++) {
          const reply = (await (
            await write()
          )
            .timeout(5000)
            .emitWithAck('message:send', message)
            .catch((error: unknown) => ({ ok: false, error }))) as { ok: boolean };
          if (reply.ok) break;
          if (attempt === 3) throw new Error(`send refused: ${JSON.stringify(reply)}`);
          writer?.disconnect();
        }
      }
    };

    const follow = async (options: { heartbeatTimeoutMs?: number } = {}): Promise<HistoryClient> => {
      void options; // the silence bound is the server's ping interval + timeout, sent in the handshake
      const signedIn = await requestSession(url, 'follower');
      const lossy = lossyParser('message');
      const session = new ChatSession({
        url,
        token: signedIn.token,
        userId: signedIn.userId,
        socket: { transports: ['websocket'], parser: lossy.parser },
      });
      const states: string[] = [];
      session.events.on('state', (state) => states.push(state));
      await session.openRoom(ROOM);
      return {
        states,
        stats: session.stats,
        held: () => session.open.get(ROOM)?.messages.length ?? 0,
        loseNextDelivery: lossy.arm,
        holdReconnect: () =>
          // By user, not token: the session refreshes its token on every connect.
          holdConnections(
            server.io,
            (socket) => (socket.data as { session?: { uid: string } }).session?.uid === signedIn.userId,
          ),
        local: session,
        close: () => session.close(),
      };
    };

    /** Whether the session's open room holds exactly this server's history from its first held message on. */
    const caughtUp = async (client: { local: unknown }) => {
      const session = client.local as ChatSession;
      const timeline = session.open.get(ROOM);
      if (session.state !== 'live' || timeline === undefined) return false;
      const held = timeline.messages;
      const truth = (await history()).filter((message) => message.seq >= (held[0]?.seq ?? 1));
      return (
        timeline.lastSeq === (truth.at(-1)?.seq ?? 0) &&
        held.length === truth.length &&
        held.every((message, i) => message.seq === truth[i]?.seq && message.text === truth[i].text)
      );
    };
    const stop = started.close;
    const app: RunningApp = {
      url,
      port: bound,
      http: server.http,
      io: server.io,
      registry: server.metrics.registry,
      countedMetrics: ['chat_messages_total', 'twohop_rejected_requests_total', 'twohop_connected_clients'],
      follow,
      caughtUp,
      cause: (count) => cause(count),
      connect: () => connect(),
      hostile,
      requests: {
        follow,
        pageSize: PAGE,
        resume: { event: 'room:join', fields: ['after', 'changesAfter'] },
        stalledReader: () => stalledReader(server, url, cause),
      },
      dropConnections,
      stop,
      async crash() {
        dropConnections();
        await stop();
      },
    };
    return app;
  },
};

/**
 * A member of the room whose requests each ask for a full page of long messages, and who stops reading. What the
 * server may hold for it: its reply high-water mark plus the reply that crossed it.
 */
async function stalledReader(
  server: ReturnType<typeof createChatServer>,
  url: string,
  write: (count: number, text: string) => Promise<void>,
): Promise<StalledReader> {
  await write(100, 'x'.repeat(MAX_TEXT));
  const { token } = await requestSession(url, 'reader');
  return signedStalledReader({
    io: server.io,
    url,
    token,
    prepare: (socket) => socket.emitWithAck('room:join', { room: ROOM }),
    request: (socket, replied) =>
      socket.emit('room:history', { room: ROOM, before: 1_000_000, limit: 100 }, replied),
    bound: REPLY_HIGH_WATER + 100 * (MAX_TEXT + 300),
  });
}
