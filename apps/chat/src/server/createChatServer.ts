import { createApp, signedSessions, type App, type AppRuntime, type Session } from '@twohop/app-kit';
import {
  attachSocketIoRequests,
  IdentityBudgets,
  RequestError,
  RequestRouter,
  type RequestGateStats,
} from '@twohop/server';
import { randomBytes } from 'node:crypto';
import type { ChatStore } from '../domain/ChatStore.js';
import { isChatError } from '../domain/errors.js';
import { ChatRooms, userRoom } from './ChatRooms.js';
import { chatMetrics } from './chatMetrics.js';
import { messageRequests } from './messageRequests.js';
import { resolveOptions, type ChatServerOptions } from './options.js';
import type { ChatContext, ChatDeps, ChatRequest } from './requestTypes.js';
import { roomRequests } from './roomRequests.js';
import { sessionRequests } from './sessionRoutes.js';
import { embeddedBackend } from './feed/ChatBackend.js';
import { SqliteChatStore } from './store/SqliteChatStore.js';

export type { ChatServerOptions } from './options.js';

/** The chat app, assembled but not listening (`runApp` runs it, `startApp` starts it for a test). */
export interface ChatServer extends App {
  readonly store: ChatStore;
  /** Each connection's request counters (handled, refused, waiting, stalled). */
  inspect(): RequestGateStats[];
  /** Resolves once the seed rooms exist and the node follows the feed. */
  readonly ready: Promise<unknown>;
  /** Every request the server serves, with its cost (what docs/apps/chat.md lists). */
  readonly requestCosts: Record<string, number>;
}

/** A chat request whose rule refusals (`ChatError`) reach the request layer as its `RequestError`, code kept. */
function ruled(definition: ChatRequest): ChatRequest {
  return {
    ...definition,
    handle: (input, context) =>
      definition.handle(input, context).catch((error: unknown) => {
        throw isChatError(error) ? new RequestError(error.code, error.message) : error;
      }),
  };
}

/**
 * The chat server on app-kit: sign-in by display name (`POST /api/session` → a signed, expiring token), socket.io
 * with the token in the handshake's `auth` (checked on every connect and reconnect), and acknowledged requests for
 * rooms and messages through the shared request layer. A send is acknowledged only after the store has committed
 * it; a retried send gets the original ack and is not broadcast twice.
 */
export function createChatServer(input: ChatServerOptions & { runtime?: AppRuntime } = {}): ChatServer {
  const options = resolveOptions(input, input.secret ?? randomBytes(32).toString('hex'));
  const backend =
    input.backend ??
    embeddedBackend(
      input.store ?? new SqliteChatStore({ path: input.database ?? ':memory:', now: options.now }),
      options.now,
    );
  const { store } = backend;
  const metrics = chatMetrics();
  const kit = createApp({
    name: 'chat',
    ...(input.runtime === undefined ? {} : { runtime: input.runtime }),
    metrics: metrics.stream,
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    uiHint: 'pnpm --filter @twohop/chat build',
    // Every body the chat takes is a display name.
    jsonLimit: '4kb',
    socketIo: { maxHttpBufferSize: 16 * 1024 },
  });
  const { io } = kit;
  const sessions = signedSessions({
    secret: options.secret,
    ttlMs: options.sessionTtlMs,
    perMinute: options.sessionsPerMinute,
    burst: options.sessionBurst,
    clock: options.clock,
    now: options.now,
  });
  sessions.routes(kit.routes);
  sessions.guard(io);
  const budgets = (ratePerSecond: number, burst: number) =>
    new IdentityBudgets({ ratePerSecond, burst, clock: options.clock });
  const rooms = new ChatRooms(io, backend, options, metrics);
  const deps: ChatDeps = {
    store,
    rooms,
    options,
    metrics,
    sends: budgets(options.sendRate, options.sendBurst),
    creations: budgets(options.roomsPerMinute / 60, options.roomBurst),
  };
  const requests = { ...roomRequests(deps), ...messageRequests(deps), ...sessionRequests(sessions) };
  const router = new RequestRouter<ChatContext>();
  for (const [name, definition] of Object.entries(requests)) router.add(name, ruled(definition));
  const ready = Promise.all([rooms.start(), ...options.seedRooms.map((name) => store.ensureRoom(name))]);

  io.on('connection', (socket) => {
    metrics.stream.connectedClients.inc({ transport: 'socket.io' });
    const session = socket.data.session as Session;
    // Every connection of a user hears what is addressed to that user (small-room messages, notices, receipts).
    void socket.join(userRoom(session.uid));
    socket.on('disconnecting', () => rooms.disconnecting(socket, session));
    socket.on('disconnect', () => metrics.stream.connectedClients.dec({ transport: 'socket.io' }));
  });
  // Every request through the shared request layer: size, the connection's and the user's budgets (weighted by
  // cost), the strict schema, one at a time per connection, every refusal a strike, replies bounded by writability.
  const served = attachSocketIoRequests(io, {
    router,
    context: (socket): ChatContext => ({ socket, session: socket.data.session as Session }),
    identity: (socket) => (socket.data.session as Session).uid,
    budgets: budgets(options.userRate, options.userBurst),
    limits: options.limits,
    clock: options.clock,
    metrics: metrics.stream,
    onInternalError: (error, name) => console.error(`chat: ${name} failed`, error),
    onClose: (_socket, notice) => metrics.closed.inc({ code: notice.error.code }),
  });
  kit.onClose({
    async close() {
      rooms.stop();
      // Clients reconnect (to another node, or this one restarted) and catch up from their last seq.
      io.emit('close-notice', {
        error: { code: 'server_shutdown', message: 'reconnect shortly' },
        reconnect: true,
      });
      await new Promise((resolve) => setImmediate(resolve));
      await backend.close();
    },
  });
  return Object.assign(kit, {
    store,
    inspect: () => served.inspect(),
    ready,
    requestCosts: Object.fromEntries(Object.entries(requests).map(([name, { cost }]) => [name, cost])),
  });
}
