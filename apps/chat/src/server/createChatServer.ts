import { metricsHandler, StreamMetrics } from '@twohop/metrics';
import { Counter, Histogram } from 'prom-client';
import { existsSync } from 'node:fs';
import { Throttle } from '@twohop/conflation';
import { TokenBucket } from '@twohop/server';
import express from 'express';
import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import {
  MAX_TEXT,
  TYPING_EVERY_MS,
  TYPING_EXPIRES_MS,
  type ChatMessage,
  type Reply,
} from '../shared/wire.js';
import { ChatError, ChatStore } from '../store/ChatStore.js';
import { Presence } from './Presence.js';
import { signIn, verifySession, type Session } from './sessions.js';

/** Options for {@link createChatServer}. */
export interface ChatServerOptions {
  /** Where the store lives. @default ':memory:' */
  database?: string;
  /** Signs session tokens. @default a random secret (sessions do not survive a restart) */
  secret?: string;
  /** Messages a user may send per second, sustained (token bucket over all their connections). @default 5 */
  sendRate?: number;
  /** …and in a burst. @default 20 */
  sendBurst?: number;
  /**
   * Fan-out by room size: up to this many members, every message goes to every member; above it, only to members
   * with the room open, and the others get a `{room, seq}` notice and fetch on opening the room. @default 100
   */
  largeRoom?: number;
  /**
   * In a large room, notices are conflated: at most one per room per this many ms, carrying the newest seq (a member
   * not looking needs to know how far the room has got, not each message). @default 1000
   */
  noticeIntervalMs?: number;
  /**
   * Read receipts are conflated per room: the newest per user, broadcast at most once per this many ms (every member
   * marking every message read would otherwise be members² events). @default 1000
   */
  receiptIntervalMs?: number;
  /** Rooms a user may be a member of (created or joined). @default 50 */
  maxRooms?: number;
  /** Serves this folder at `/` (the built UI). */
  webRoot?: string;
  /** Rooms that exist from the start (created if missing). */
  seedRooms?: string[];
}

const room = z.string().regex(/^[\w-]{1,64}$/);
const schemas = {
  'room:create': z.strictObject({ room }),
  'room:join': z.strictObject({
    room,
    after: z.number().int().min(0).optional(),
    changesAfter: z.number().int().min(0).optional(),
  }),
  'room:close': z.strictObject({ room }),
  'room:leave': z.strictObject({ room }),
  'room:history': z.strictObject({
    room,
    before: z.number().int().min(1),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  'message:send': z.strictObject({
    room,
    clientId: z.string().min(1).max(64),
    text: z.string().min(1).max(MAX_TEXT),
  }),
  'message:edit': z.strictObject({
    room,
    seq: z.number().int().min(1),
    text: z.string().min(1).max(MAX_TEXT),
  }),
  'message:delete': z.strictObject({ room, seq: z.number().int().min(1) }),
  read: z.strictObject({ room, seq: z.number().int().min(0) }),
  'rooms:list': z.strictObject({}),
  typing: z.strictObject({ room }),
} as const;
type Event = keyof typeof schemas;

/** Refusals that count against a connection: past the allowance, it is closed with `protocol_abuse`. */
const STRIKES = new Set(['invalid_message', 'rate_limited']);
const ABUSE_PER_SECOND = 10;
const ABUSE_BURST = 50;

const fail = (code: string, message: string, extra: { retryAfterMs?: number } = {}): Reply => ({
  ok: false,
  error: { code, message, ...extra },
});

/**
 * The chat server: sign-in by display name (`POST /api/session` → a signed token), socket.io with the token in the
 * handshake's `auth` (checked on every connect and reconnect), and acknowledged requests for rooms and messages. A
 * send is acknowledged only after the store has committed it; a retried send gets the original ack and is not
 * broadcast twice.
 */
export function createChatServer(options: ChatServerOptions = {}) {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const store = new ChatStore(options.database ?? ':memory:');
  for (const name of options.seedRooms ?? []) store.ensureRoom(name);
  const metrics = new StreamMetrics({ defaultLabels: { app: 'chat' } });
  const buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  const largeRoom = options.largeRoom ?? 100;
  const maxRooms = options.maxRooms ?? 50;
  /** Per room, receipts waiting for their (throttled) broadcast: the newest per user. */
  const receiptBatches = new Map<string, { pending: Map<string, number>; throttle: Throttle }>();
  const receiptsOf = (name: string) => {
    let batch = receiptBatches.get(name);
    if (batch === undefined) {
      const pending = new Map<string, number>();
      const throttle = new Throttle({
        intervalMs: options.receiptIntervalMs ?? 1000,
        run: () => {
          const receipts = [...pending].map(([userId, seq]) => ({ userId, seq }));
          pending.clear();
          // The room sees who has read how far; the readers' other tabs update their unread counts.
          io.to([name, ...receipts.map((receipt) => `user:${receipt.userId}`)]).emit('receipts', {
            room: name,
            receipts,
          });
        },
      });
      batch = { pending, throttle };
      receiptBatches.set(name, batch);
    }
    const { pending, throttle } = batch;
    return {
      set(uid: string, seq: number) {
        pending.set(uid, seq);
        throttle.trigger();
      },
    };
  };
  /** The socket.io rooms that reach every connection of every member of `name` (one `user:<uid>` room each). */
  const memberRooms = (name: string) => store.members(name).map((uid) => `user:${uid}`);
  /** Per large room, the throttled notice to members who do not have it open. */
  const notices = new Map<string, Throttle>();
  const noticeOf = (name: string) => {
    let throttle = notices.get(name);
    if (throttle === undefined) {
      throttle = new Throttle({
        intervalMs: options.noticeIntervalMs ?? 1000,
        run: () => {
          io.to(memberRooms(name))
            .except(name)
            .emit('notice', { room: name, seq: store.lastSeq(name) });
        },
      });
      notices.set(name, throttle);
    }
    return throttle;
  };
  const sent = new Counter({
    name: 'chat_messages_total',
    help: 'Messages stored and fanned out (retries of a stored message are not counted).',
    labelNames: ['fanout'] as const,
    registers: [metrics.registry],
  });
  const commitSeconds = new Histogram({
    name: 'chat_send_commit_seconds',
    help: 'Time to commit a send to the store (fsync included) before it is acknowledged.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [metrics.registry],
  });
  const refused = new Counter({
    name: 'chat_requests_refused_total',
    help: 'Requests answered with an error, by code.',
    labelNames: ['code'] as const,
    registers: [metrics.registry],
  });
  const bucketOf = (uid: string) => {
    let entry = buckets.get(uid);
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(options.sendRate ?? 5, options.sendBurst ?? 20), usedAt: 0 };
      buckets.set(uid, entry);
    }
    entry.usedAt = Date.now();
    return entry.bucket;
  };

  const app = express();
  app.use(express.json({ limit: '4kb' }));
  app.post('/api/session', (request, response) => {
    const name = z
      .string()
      .trim()
      .min(1)
      .max(40)
      .safeParse((request.body as { name?: unknown } | undefined)?.name);
    if (!name.success)
      return void response.status(400).json(fail('invalid_message', 'a display name is 1–40 characters'));
    const { session, token } = signIn(name.data, secret);
    response.json({ token, userId: session.uid, name: session.name });
  });
  app.get(
    '/healthz',
    (_request, response) =>
      void response.json({ status: 'ok', mode: 'embedded', node: `${hostname()}:${process.pid}` }),
  );
  app.get('/metrics', metricsHandler(metrics.registry));
  if (options.webRoot !== undefined && existsSync(options.webRoot)) app.use(express.static(options.webRoot));

  const http: HttpServer = createServer(app);
  const io = new Server(http, { maxHttpBufferSize: 16 * 1024 });
  // Presence deltas go to everyone in the room, numbered by the room's presence stream (snapshot in the join reply).
  const presence = new Presence((name, delta) => io.to(name).emit('presence', delta));
  /** When each user last had a typing event broadcast, per room: at most one per TYPING_EVERY_MS. */
  const lastTyping = new Map<string, number>();
  // Forget what no longer limits anyone: a bucket idle for a minute is full again; a typing mark past its window.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, at] of lastTyping) if (now - at >= TYPING_EVERY_MS) lastTyping.delete(key);
    for (const [uid, entry] of buckets) if (now - entry.usedAt > 60_000) buckets.delete(uid);
  }, 10_000);
  sweep.unref();
  io.use((socket, next) => {
    const session = verifySession((socket.handshake.auth as { token?: unknown }).token, secret);
    if (session === undefined) return next(new Error('unauthorized: sign in again'));
    socket.data.session = session;
    next();
  });

  const handlers: {
    [E in Event]: (session: Session, socket: Socket, input: z.infer<(typeof schemas)[E]>) => Reply;
  } = {
    'rooms:list': (session) => ({ ok: true, rooms: store.listRooms(session.uid) }),
    'room:create': (session, _socket, { room: name }) => {
      if (store.roomCount(session.uid) >= maxRooms)
        throw new ChatError('room_limit', `a user may be in at most ${maxRooms} rooms`);
      store.createRoom(name, session.uid);
      // Everyone's room list learns of it.
      io.emit('room:created', { room: name });
      return { ok: true };
    },
    'room:join': (session, socket, { room: name, after, changesAfter }) => {
      if (!store.hasRoom(name)) throw new ChatError('unknown_room', `no room ${name}`);
      if (!store.isMember(name, session.uid)) {
        if (store.roomCount(session.uid) >= maxRooms)
          throw new ChatError('room_limit', `a user may be in at most ${maxRooms} rooms`);
        store.addMember(name, session.uid);
      }
      const joined = socket.data.rooms as Set<string>;
      if (!joined.has(name)) {
        joined.add(name);
        void socket.join(name);
        presence.arrive(name, session.uid, session.name);
      }
      // Fresh: the latest page. Resuming: exactly what was missed (or the newest page, limited), and the edits
      // and deletes since the client's last change.
      const page =
        after === undefined ? { messages: store.latest(name), limited: false } : store.after(name, after);
      const changed = changesAfter === undefined ? [] : store.changedSince(name, changesAfter);
      const head = store.head(name);
      return {
        ok: true,
        ...page,
        changed,
        ...head,
        lastRead: store.markRead(name, session.uid, 0),
        // Who has read the page being shown (for "seen by").
        receipts: store.receiptsFrom(name, page.messages[0]?.seq ?? head.lastSeq),
        presence: presence.publisher(name).snapshot(),
      };
    },
    'room:leave': (session, _socket, { room: name }) => {
      store.removeMember(name, session.uid);
      // Every tab of the user's leaves the room: their connections are the user's own socket.io room.
      const { sockets, adapter } = io.of('/');
      for (const id of adapter.rooms.get(`user:${session.uid}`) ?? []) {
        const tab = sockets.get(id);
        if (tab !== undefined && (tab.data.rooms as Set<string>).delete(name)) {
          void tab.leave(name);
          presence.leave(name, session.uid);
        }
      }
      return { ok: true };
    },
    'room:close': (session, socket, { room: name }) => {
      const joined = socket.data.rooms as Set<string>;
      if (joined.delete(name)) {
        void socket.leave(name);
        presence.leave(name, session.uid);
      }
      return { ok: true };
    },
    typing: (session, socket, { room: name }) => {
      if (!(socket.data.rooms as Set<string>).has(name))
        throw new ChatError('unknown_room', `not in ${name}`);
      const key = `${name}\u0000${session.uid}`;
      const now = Date.now();
      // Slack's rule: one typing event per user per 3 s; clients expire it after 6 s.
      if (now - (lastTyping.get(key) ?? 0) < TYPING_EVERY_MS) return { ok: true, sent: false };
      lastTyping.set(key, now);
      socket.to(name).emit('typing', {
        room: name,
        userId: session.uid,
        name: session.name,
        until: now + TYPING_EXPIRES_MS,
      });
      return { ok: true, sent: true };
    },
    'room:history': (_session, _socket, { room: name, before, limit }) => ({
      ok: true,
      messages: store.before(name, before, limit),
    }),
    'message:send': (session, _socket, { room: name, clientId, text }) => {
      const bucket = bucketOf(session.uid);
      if (!bucket.take())
        return fail('rate_limited', 'slow down', { retryAfterMs: Math.ceil(1000 / bucket.perSecond) });
      if (!store.isMember(name, session.uid)) throw new ChatError('not_member', `join ${name} first`);
      const stopTimer = commitSeconds.startTimer();
      const ack = store.send({ room: name, userId: session.uid, name: session.name, clientId, text });
      stopTimer();
      if (!ack.duplicate) {
        // What you sent, you have read.
        store.markRead(name, session.uid, ack.seq);
        // A message ends the sender's typing: their next keystroke may say so again at once.
        lastTyping.delete(`${name}\u0000${session.uid}`);
        const message: ChatMessage = {
          room: name,
          seq: ack.seq,
          ts: ack.ts,
          userId: session.uid,
          name: session.name,
          clientId,
          text,
          version: 0,
          deleted: false,
          change: 0,
        };
        const members = memberRooms(name);
        const onWrite = members.length <= largeRoom;
        sent.inc({ fanout: onWrite ? 'write' : 'read' });
        if (onWrite) {
          // Fan-out on write: every member's connections get the message, open or not (one broadcast).
          io.to([name, ...members]).emit('message', message);
        } else {
          // Fan-out on read: full messages only where the room is open; the other members get a notice of the
          // newest seq, conflated to one per interval however many messages came.
          io.to(name).emit('message', message);
          noticeOf(name).trigger();
        }
      }
      return { ok: true, ...ack };
    },
    'message:edit': (session, _socket, { room: name, seq, text }) => {
      io.to(name).emit('message:changed', store.edit(name, seq, session.uid, text));
      return { ok: true };
    },
    'message:delete': (session, _socket, { room: name, seq }) => {
      io.to(name).emit('message:changed', store.delete(name, seq, session.uid));
      return { ok: true };
    },
    read: (session, _socket, { room: name, seq }) => {
      if (!store.isMember(name, session.uid)) throw new ChatError('not_member', `join ${name} first`);
      const lastRead = store.markRead(name, session.uid, Math.min(seq, store.lastSeq(name)));
      receiptsOf(name).set(session.uid, lastRead);
      return { ok: true, lastRead };
    },
  };

  io.on('connection', (socket) => {
    metrics.connectedClients.inc({ transport: 'socket.io' });
    socket.data.rooms = new Set<string>();
    /** Refused requests (malformed, or over the rate) a connection may make before it is closed for abuse. */
    const strikes = new TokenBucket(ABUSE_PER_SECOND, ABUSE_BURST);
    // Every connection of a user hears what is addressed to that user (notices, small-room messages).
    void socket.join(`user:${(socket.data.session as Session).uid}`);
    socket.on('disconnect', () => {
      metrics.connectedClients.dec({ transport: 'socket.io' });
      const session = socket.data.session as Session;
      for (const name of socket.data.rooms as Set<string>) presence.leave(name, session.uid);
    });
    /** Answers one request: validates it, runs its handler, acks with the reply or an error code. */
    const handle = (event: unknown, args: unknown[]) => {
      const callback = typeof args.at(-1) === 'function' ? (args.pop() as (reply: Reply) => void) : undefined;
      const ack = (reply: Reply) => {
        if (!reply.ok) refused.inc({ code: reply.error.code });
        callback?.(reply);
        if (!reply.ok && STRIKES.has(reply.error.code) && !strikes.take() && socket.connected) {
          refused.inc({ code: 'protocol_abuse' });
          socket.emit('close-notice', {
            error: { code: 'protocol_abuse', message: 'too many refused requests' },
            reconnect: false,
          });
          socket.disconnect(true);
        }
      };
      const session = socket.data.session as Session;
      if (typeof event !== 'string' || !Object.hasOwn(schemas, event))
        return ack(fail('invalid_message', 'unknown event'));
      const parsed = schemas[event as Event].safeParse(args[0] ?? {});
      if (!parsed.success)
        return ack(fail('invalid_message', parsed.error.issues[0]?.message ?? 'malformed'));
      try {
        ack(
          (handlers[event as Event] as (s: Session, k: Socket, i: unknown) => Reply)(
            session,
            socket,
            parsed.data,
          ),
        );
      } catch (error) {
        const reply =
          error instanceof ChatError
            ? fail(error.code, error.message)
            : fail('internal', 'the request failed');
        if (!(error instanceof ChatError)) console.error('chat: request failed', event, error);
        ack(reply);
      }
    };
    // One listener per known event, so socket.io's own middleware (`socket.use`) sees every request first; anything
    // else is answered `invalid_message` (an `onAny` listener runs before middleware, so it only takes the unknown).
    for (const event of Object.keys(schemas)) socket.on(event, (...args: unknown[]) => handle(event, args));
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event !== 'string' || !Object.hasOwn(schemas, event)) handle(event, args);
    });
  });

  return {
    http,
    io,
    store,
    metrics,
    async close() {
      clearInterval(sweep);
      for (const throttle of notices.values()) throttle.cancel();
      for (const batch of receiptBatches.values()) batch.throttle.cancel();
      io.emit('close-notice', {
        error: { code: 'server_shutdown', message: 'reconnect shortly' },
        reconnect: true,
      });
      await io.close();
      store.close();
    },
  };
}
