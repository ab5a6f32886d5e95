import { Backoff } from '@twohop/client';
import { Throttle } from '@twohop/conflation';
import { GapDetector } from '@twohop/sequence';
import {
  keyedState,
  Replica,
  type DeltaMessage,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
  type SnapshotMessage,
} from '@twohop/snapshot-delta';
import mitt from 'mitt';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import {
  TYPING_EVERY_MS,
  TYPING_EXPIRES_MS,
  type ChatMessage,
  type NoticeEvent,
  type PresenceEntry,
  type Receipt,
  type ReceiptsEvent,
  type Reply,
  type RoomSummary,
  type TypingEvent,
} from '../shared/wire.js';

export { requestSession, type SignedIn } from './requestSession.js';

/** Where the session's connection is. `unauthorized`: the token was refused; sign in again. */
export type SessionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'closed';

/** A message of yours the server has not acknowledged: `pending` while in flight, `failed` after the ack timeout. */
export interface Outgoing {
  readonly clientId: string;
  readonly room: string;
  readonly text: string;
  status: 'pending' | 'failed';
  attempts: number;
  /** Why it failed, when it did. */
  error?: string;
}

/** An open room as the session holds it: its timeline, who is online, who is typing, who has read how far. */
export class RoomTimeline {
  /** Messages in seq order, no duplicates. */
  readonly messages: ChatMessage[] = [];
  readonly #seqs = new Set<number>();
  /** Seq of the newest message held with nothing missing before it (up to the oldest page loaded). */
  readonly detector: GapDetector;
  /** The room's change feed position: edits and deletes up to here are applied. */
  lastChange = 0;
  /** Whether older messages than the first held exist (scroll-back loads them). */
  hasOlder = false;
  readonly presence: Replica<
    KeyedState<PresenceEntry>,
    readonly KeyedChange<PresenceEntry>[],
    KeyedSnapshot<PresenceEntry>
  >;
  /** Who is typing, until when (local clock). */
  readonly typing = new Map<string, { name: string; until: number }>();
  /** Read receipts of the others: user id → last seq read. */
  readonly receipts = new Map<string, number>();

  constructor(
    readonly name: string,
    onPresenceResync: () => void,
  ) {
    this.detector = new GapDetector({ epoch: EPOCH, seq: 0 });
    this.presence = new Replica({ model: keyedState<PresenceEntry>(), onResync: onPresenceResync });
  }

  /** The newest seq held without a hole after it. */
  get lastSeq(): number {
    return this.detector.applied;
  }

  /** Whether the timeline holds message `seq`. */
  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** Adds messages (any order, duplicates ignored), keeping seq order; returns how many were new. */
  merge(messages: readonly ChatMessage[]): number {
    let added = 0;
    let sorted = true;
    for (const message of messages) {
      if (this.#seqs.has(message.seq)) continue;
      const last = this.messages.at(-1);
      if (last !== undefined && last.seq > message.seq) sorted = false;
      this.messages.push(message);
      this.#seqs.add(message.seq);
      added++;
    }
    if (!sorted) this.messages.sort((a, b) => a.seq - b.seq);
    this.hasOlder = (this.messages[0]?.seq ?? 1) > 1;
    return added;
  }

  /**
   * Forgets every message up to `seq`: after a long absence the session keeps the newest part of the timeline and
   * lets scroll-back load the rest, rather than paging through everything missed.
   */
  dropThrough(seq: number): void {
    const kept = this.messages.filter((message) => message.seq > seq);
    this.messages.splice(0, this.messages.length, ...kept);
    this.#seqs.clear();
    for (const message of kept) this.#seqs.add(message.seq);
    this.detector.reset({ epoch: EPOCH, seq: (kept[0]?.seq ?? seq + 1) - 1 });
    this.hasOlder = true;
  }

  /** Replaces a held message by a newer version of it (an edit or a delete). */
  update(message: ChatMessage): void {
    this.lastChange = Math.max(this.lastChange, message.change);
    if (!this.#seqs.has(message.seq)) return;
    const index = this.messages.findIndex((held) => held.seq === message.seq);
    const held = this.messages[index];
    if (held !== undefined && held.version <= message.version) this.messages[index] = message;
  }
}

/** A room the user knows only by name: not a member, nothing read or unread. */
const emptySummary = (name: string): RoomSummary => ({
  name,
  lastSeq: 0,
  member: false,
  lastRead: 0,
  unread: 0,
});

/** Rooms are persistent histories: one epoch forever. */
const EPOCH = 'chat';
/** How many pages of 100 a catch-up fetches to close a hole before it keeps only the newest part. */
const MAX_FILL_PAGES = 20;

/** A random client message id (works on plain-http pages too, where `crypto.randomUUID` is missing). */
const randomId = () =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');

/** What a session tells its UI. `change` fires after anything visible changed. */
export type ChatSessionEvents = {
  state: SessionState;
  change: void;
  /** A room was (re)joined after a disconnect: how many messages it brought. */
  'caught-up': { room: string; count: number };
  /** A live message arrived beyond a hole: the session is fetching what is missing. */
  gap: { room: string; expected: number; got: number };
  error: { code: string; message: string };
};

/** Options for {@link ChatSession}. */
export interface ChatSessionOptions {
  /** The chat server's base URL ('' in a browser on the same origin). */
  url: string;
  /** The signed session token from `POST /api/session`. */
  token: string;
  /** The signed-in user's public id (to know your own messages and receipts). */
  userId: string;
  /** How long a send waits for its ack before it shows as failed. @default 5000 */
  ackTimeoutMs?: number;
  /** Makes client message ids. @default 24 random hex digits */
  newId?: () => string;
  /** Reconnect delays (full jitter). @default base 250 ms, cap 10 s */
  backoff?: Backoff;
  /** Passed to socket.io-client (reconnection is always off: the session reconnects with its own backoff). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

type Request = <T>(event: string, payload: unknown) => Promise<Reply<T>>;

/**
 * One signed-in user's connection to the chat server, for a browser UI or a test client: it keeps the room list
 * with unread counts, a timeline per open room, and your unacknowledged messages.
 *
 * Guarantees it gives on top of the server's: a message you send is retried with the same client id until it is
 * acknowledged (so it is stored once); after a disconnect every open room is re-joined from its last seq and
 * receives exactly what it missed (a `limited` reply is filled by paging back); a live message beyond a hole
 * (a missed delivery) is detected by seq and fetched; edits and deletes missed while away come from the change feed.
 */
export class ChatSession {
  readonly events = mitt<ChatSessionEvents>();
  readonly rooms = new Map<string, RoomSummary>();
  readonly open = new Map<string, RoomTimeline>();
  /** Your messages not yet acknowledged, oldest first. */
  readonly outbox: Outgoing[] = [];
  /** Counters a test or scenario reads: deliveries of a message already held, holes detected, re-joins. */
  readonly stats = { duplicates: 0, gaps: 0, rejoins: 0, resent: 0 };
  readonly #socket: Socket;
  readonly #options: ChatSessionOptions;
  readonly #backoff: Backoff;
  readonly #newId: () => string;
  #state: SessionState = 'connecting';
  #everConnected = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #lastTypingSent = new Map<string, number>();
  readonly #reads = new Map<string, { throttle: Throttle; waiting: Array<() => void> }>();
  /** Rooms with a catch-up in flight: live messages wait for it instead of each triggering one. */
  readonly #syncing = new Set<string>();

  constructor(options: ChatSessionOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? new Backoff({ baseMs: 250, capMs: 10_000 });
    this.#newId = options.newId ?? randomId;
    this.#socket = io(options.url, {
      ...options.socket,
      auth: { token: options.token },
      reconnection: false,
      autoConnect: false,
      forceNew: true,
    });
    const socket = this.#socket;
    socket.on('connect', () => void this.#onConnect());
    socket.on('connect_error', (error) => {
      if (/unauthorized/.test(error.message)) return this.#setState('unauthorized');
      this.#scheduleReconnect();
    });
    socket.on('disconnect', (reason) => {
      if (this.#state === 'closed') return;
      // 'io client disconnect' is ours (close, or a test cutting the line); anything else reconnects.
      if (reason !== 'io client disconnect') this.#scheduleReconnect();
    });
    socket.on('close-notice', () => this.#setState('reconnecting'));
    socket.on('message', (message: ChatMessage) => this.#onMessage(message));
    socket.on('notice', (notice: NoticeEvent) => this.#onNotice(notice.room, notice.seq));
    socket.on('message:changed', (message: ChatMessage) => {
      this.open.get(message.room)?.update(message);
      this.#changed();
    });
    socket.on('presence', (delta: DeltaMessage<readonly KeyedChange<PresenceEntry>[]>) => {
      const room = delta.stream.replace(/^presence:/, '');
      this.open.get(room)?.presence.receive(delta);
      this.#changed();
    });
    socket.on('typing', (event: TypingEvent) => this.#onTyping(event));
    socket.on('room:created', ({ room }: { room: string }) => {
      if (this.rooms.has(room)) return;
      this.rooms.set(room, emptySummary(room));
      this.#changed();
    });
    socket.on('receipts', (event: ReceiptsEvent) => this.#onReceipts(event.room, event.receipts));
    socket.connect();
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The signed-in user's public id. */
  get userId(): string {
    return this.#options.userId;
  }

  /** Refreshes the room list (names, last seq, unread counts). */
  async refreshRooms(): Promise<RoomSummary[]> {
    const reply = await this.#request<{ rooms: RoomSummary[] }>('rooms:list', {});
    if (!reply.ok) throw reply.error;
    this.rooms.clear();
    for (const room of reply.rooms) this.rooms.set(room.name, room);
    this.#changed();
    return reply.rooms;
  }

  /** Creates a room (you become its first member) and opens it. */
  async createRoom(name: string): Promise<void> {
    const reply = await this.#request('room:create', { room: name });
    if (!reply.ok) throw reply.error;
    await this.openRoom(name);
  }

  /** Opens a room: joins it (becoming a member) and loads its latest page, presence and receipts. */
  async openRoom(name: string): Promise<RoomTimeline> {
    let timeline = this.open.get(name);
    if (timeline === undefined) {
      // A presence delta beyond a hole asks for a fresh snapshot, which a join brings (unless one is under way).
      timeline = new RoomTimeline(name, () => {
        if (!this.#syncing.has(name)) void this.#join(name).catch(() => {});
      });
      this.open.set(name, timeline);
    }
    await this.#join(name);
    return timeline;
  }

  /** Closes a room (you stay a member: its messages count as unread). */
  async closeRoom(name: string): Promise<void> {
    this.open.delete(name);
    this.#changed();
    await this.#request('room:close', { room: name });
  }

  /** Leaves a room: no longer a member, on every tab. */
  async leaveRoom(name: string): Promise<void> {
    this.open.delete(name);
    await this.#request('room:leave', { room: name });
    await this.refreshRooms();
  }

  /** Loads the page before the oldest message held (scroll-back). Returns how many messages it added. */
  async loadOlder(name: string, limit = 50): Promise<number> {
    const timeline = this.open.get(name);
    const first = timeline?.messages[0]?.seq;
    if (timeline === undefined || first === undefined || first <= 1) return 0;
    const reply = await this.#request<{ messages: ChatMessage[] }>('room:history', {
      room: name,
      before: first,
      limit,
    });
    if (!reply.ok) throw reply.error;
    const added = timeline.merge(reply.messages);
    this.#changed();
    return added;
  }

  /**
   * Sends a message: it shows at once as pending, is acknowledged with its seq once stored, and is retried with
   * the same client id (never stored twice) after a reconnect or by {@link ChatSession.retry}.
   */
  send(room: string, text: string): Outgoing {
    const outgoing: Outgoing = { clientId: this.#newId(), room, text, status: 'pending', attempts: 0 };
    this.#lastTypingSent.delete(room);
    this.outbox.push(outgoing);
    this.#changed();
    if (this.#state === 'live') void this.#transmit(outgoing);
    return outgoing;
  }

  /** Sends a failed message again, with its original client id. */
  retry(clientId: string): void {
    const outgoing = this.outbox.find((entry) => entry.clientId === clientId);
    if (outgoing === undefined) return;
    outgoing.status = 'pending';
    delete outgoing.error;
    this.#changed();
    if (this.#state === 'live') void this.#transmit(outgoing);
  }

  /** Edits one of your messages. */
  async edit(room: string, seq: number, text: string): Promise<void> {
    const reply = await this.#request('message:edit', { room, seq, text });
    if (!reply.ok) throw reply.error;
  }

  /** Deletes one of your messages. */
  async remove(room: string, seq: number): Promise<void> {
    const reply = await this.#request('message:delete', { room, seq });
    if (!reply.ok) throw reply.error;
  }

  /** Says you are typing in `room` — at most once per 3 s reaches the server. */
  typing(room: string): void {
    const now = Date.now();
    if (now - (this.#lastTypingSent.get(room) ?? 0) < TYPING_EVERY_MS || this.#state !== 'live') return;
    this.#lastTypingSent.set(room, now);
    this.#socket.emit('typing', { room });
  }

  /** Marks `room` read up to its newest message. */
  markRead(room: string): Promise<void> {
    const summary = this.rooms.get(room);
    const timeline = this.open.get(room);
    const seq = Math.max(summary?.lastSeq ?? 0, timeline?.lastSeq ?? 0);
    if (summary !== undefined && summary.lastRead >= seq) return Promise.resolve();
    // At most one `read` per room a second however fast messages arrive; it carries the newest seq by then.
    let reads = this.#reads.get(room);
    if (reads === undefined) {
      const waiting: Array<() => void> = [];
      const throttle = new Throttle({
        intervalMs: 1000,
        run: () => {
          const settled = waiting.splice(0);
          const newest = Math.max(this.rooms.get(room)?.lastSeq ?? 0, this.open.get(room)?.lastSeq ?? 0);
          void this.#request<{ lastRead: number }>('read', { room, seq: newest }).then((reply) => {
            if (reply.ok) this.#setRead(room, reply.lastRead);
            for (const resolve of settled) resolve();
          });
        },
      });
      reads = { throttle, waiting };
      this.#reads.set(room, reads);
    }
    const { throttle, waiting } = reads;
    return new Promise((resolve) => {
      waiting.push(resolve);
      throttle.trigger();
    });
  }

  /** Who is typing in `room` now (not you). */
  typists(room: string, now = Date.now()): string[] {
    const timeline = this.open.get(room);
    if (timeline === undefined) return [];
    return [...timeline.typing.values()].filter((entry) => entry.until > now).map((entry) => entry.name);
  }

  /** Cuts the connection as a network fault would, without closing the session: it reconnects with backoff. */
  drop(): void {
    this.#socket.io.engine?.close();
  }

  /** Goes offline until {@link ChatSession.online} (a test's airplane mode). */
  offline(): void {
    clearTimeout(this.#retryTimer);
    this.#socket.disconnect();
    this.#setState('reconnecting');
  }

  /** Comes back from {@link ChatSession.offline}. */
  online(): void {
    if (this.#state === 'closed') return;
    this.#socket.connect();
  }

  /** Closes the session for good. */
  close(): void {
    clearTimeout(this.#retryTimer);
    for (const { throttle } of this.#reads.values()) throttle.cancel();
    this.#setState('closed');
    this.#socket.disconnect();
    this.events.all.clear();
  }

  async #onConnect(): Promise<void> {
    const reconnect = this.#everConnected;
    this.#everConnected = true;
    try {
      await this.refreshRooms();
    } catch {
      return; // The connection dropped again mid-way; the next connect starts over.
    }
    // Re-join every open room from where it stopped; each reports what it caught up on. A room the server refuses
    // (gone, say, after a restart on a fresh store) is closed with an error event; the others carry on.
    await Promise.allSettled([...this.open.keys()].map((name) => this.#join(name, reconnect)));
    if (!this.#socket.connected) return;
    this.#backoff.reset();
    this.#setState('live');
    for (const outgoing of this.outbox) if (outgoing.status === 'pending') void this.#transmit(outgoing);
  }

  /** Joins a room, from its last seq when the timeline holds anything; fills a `limited` hole by paging back. */
  async #join(name: string, reconnect = false): Promise<void> {
    const timeline = this.open.get(name);
    if (timeline === undefined) return;
    this.#syncing.add(name);
    try {
      const resuming = timeline.messages.length > 0;
      const reply = await this.#request<{
        messages: ChatMessage[];
        limited: boolean;
        changed: ChatMessage[];
        lastSeq: number;
        lastChange: number;
        lastRead: number;
        receipts: Receipt[];
        presence: SnapshotMessage<KeyedSnapshot<PresenceEntry>>;
      }>('room:join', {
        room: name,
        ...(resuming ? { after: timeline.lastSeq, changesAfter: timeline.lastChange } : {}),
      });
      if (!reply.ok) {
        // Refused (the room is gone, or a limit): close it. No answer: keep it; the next connect re-joins it.
        if (reply.error.code !== 'timeout') {
          this.open.delete(name);
          this.events.emit('error', reply.error);
        }
        throw reply.error;
      }
      const known = this.rooms.get(name) ?? emptySummary(name);
      this.rooms.set(
        name,
        this.#summary(known, { lastSeq: Math.max(reply.lastSeq, known.lastSeq), lastRead: reply.lastRead }),
      );
      let count = timeline.merge(reply.messages);
      if (resuming && reply.limited) {
        // More was missed than a page: page back until the hole closes — up to a bound, past which the newest
        // part is kept and scroll-back loads the rest (as Matrix clients do with a `limited` timeline).
        let pages = 0;
        while (
          !timeline.has(timeline.lastSeq + 1) &&
          timeline.messages.some((m) => m.seq > timeline.lastSeq)
        ) {
          const firstAfterHole = timeline.messages.find((m) => m.seq > timeline.lastSeq)!.seq;
          if (++pages > MAX_FILL_PAGES) {
            timeline.dropThrough(firstAfterHole - 1);
            break;
          }
          const older = await this.#request<{ messages: ChatMessage[] }>('room:history', {
            room: name,
            before: firstAfterHole,
            limit: 100,
          });
          if (!older.ok || older.messages.length === 0) break;
          count += timeline.merge(older.messages);
        }
      }
      for (const changed of reply.changed) timeline.update(changed);
      timeline.lastChange = Math.max(timeline.lastChange, reply.lastChange);
      this.#advance(timeline);
      timeline.presence.receive(reply.presence);
      this.#setRead(name, reply.lastRead);
      for (const { userId, seq } of reply.receipts)
        if (userId !== this.userId) timeline.receipts.set(userId, seq);
      if (reconnect) {
        this.stats.rejoins++;
        this.events.emit('caught-up', { room: name, count });
      }
      this.#changed();
    } finally {
      this.#syncing.delete(name);
    }
  }

  /** Moves the timeline's detector past every message now held contiguously. */
  #advance(timeline: RoomTimeline): void {
    if (timeline.lastSeq === 0 && timeline.messages.length > 0) {
      // A fresh join starts at its first page: nothing before it is expected live.
      timeline.detector.reset({ epoch: EPOCH, seq: timeline.messages[0]!.seq - 1 });
    }
    while (timeline.has(timeline.lastSeq + 1)) timeline.detector.advanceTo(timeline.lastSeq + 1);
    const summary = this.rooms.get(timeline.name);
    if (summary !== undefined && summary.lastSeq < timeline.lastSeq) {
      this.rooms.set(timeline.name, this.#summary(summary, { lastSeq: timeline.lastSeq }));
    }
  }

  #onMessage(message: ChatMessage): void {
    this.#settle(message);
    const timeline = this.open.get(message.room);
    if (timeline === undefined) {
      // A small room's message while the room is closed: only the room list changes.
      this.#onNotice(message.room, message.seq, message.userId);
      return;
    }
    if (this.#syncing.has(message.room)) {
      // A join is in flight; its reply or the next delivery settles the order.
      if (timeline.merge([message]) === 0) this.stats.duplicates++;
      this.#changed();
      return;
    }
    const verdict = timeline.detector.classify({ epoch: EPOCH, seq: message.seq });
    if (verdict === 'duplicate' || timeline.has(message.seq)) {
      this.stats.duplicates++;
      return;
    }
    timeline.merge([message]);
    timeline.typing.delete(message.userId);
    if (verdict === 'gap') {
      // Something between our last seq and this one did not arrive: fetch it.
      this.stats.gaps++;
      this.events.emit('gap', { room: message.room, expected: timeline.lastSeq + 1, got: message.seq });
      void this.#join(message.room).catch(() => {});
    } else {
      this.#advance(timeline);
    }
    if (message.userId === this.userId) this.#setRead(message.room, message.seq);
    this.#changed();
  }

  #onNotice(room: string, seq: number, from?: string): void {
    const summary = this.rooms.get(room);
    if (summary === undefined) return void this.refreshRooms().catch(() => {});
    this.rooms.set(room, this.#summary(summary, { lastSeq: Math.max(summary.lastSeq, seq) }));
    if (from === this.userId) this.#setRead(room, seq);
    this.#changed();
  }

  #onTyping(event: TypingEvent): void {
    const timeline = this.open.get(event.room);
    if (timeline === undefined || event.userId === this.userId) return;
    // The local clock decides expiry: the server's `until` is on another clock.
    timeline.typing.set(event.userId, { name: event.name, until: Date.now() + TYPING_EXPIRES_MS });
    this.#changed();
    setTimeout(() => this.#changed(), TYPING_EXPIRES_MS + 50);
  }

  #onReceipts(room: string, receipts: readonly Receipt[]): void {
    for (const { userId, seq } of receipts) {
      if (userId === this.userId) this.#setRead(room, seq);
      else this.open.get(room)?.receipts.set(userId, seq);
    }
    this.#changed();
  }

  /** A message of ours arrived (broadcast or ack): it is no longer outgoing. */
  #settle(message: Pick<ChatMessage, 'clientId' | 'userId'>): void {
    if (message.userId !== this.userId) return;
    const index = this.outbox.findIndex((entry) => entry.clientId === message.clientId);
    if (index >= 0) this.outbox.splice(index, 1);
  }

  async #transmit(outgoing: Outgoing): Promise<void> {
    outgoing.attempts++;
    if (outgoing.attempts > 1) this.stats.resent++;
    let reply: Reply<{ seq: number; ts: number }>;
    try {
      reply = (await this.#socket.timeout(this.#options.ackTimeoutMs ?? 5000).emitWithAck('message:send', {
        room: outgoing.room,
        clientId: outgoing.clientId,
        text: outgoing.text,
      })) as Reply<{ seq: number; ts: number }>;
    } catch {
      // No ack in time: the message may or may not be stored. A retry with the same id settles it either way.
      if (this.outbox.includes(outgoing)) {
        outgoing.status = 'failed';
        outgoing.error = 'no acknowledgement';
        this.#changed();
      }
      return;
    }
    if (reply.ok) {
      this.#settle({ clientId: outgoing.clientId, userId: this.userId });
      this.#changed();
      return;
    }
    if (reply.error.code === 'rate_limited' && this.outbox.includes(outgoing)) {
      // Over the rate: wait as told and try again, still pending.
      setTimeout(() => {
        if (this.#state === 'live' && outgoing.status === 'pending') void this.#transmit(outgoing);
      }, reply.error.retryAfterMs ?? 1000);
      return;
    }
    outgoing.status = 'failed';
    outgoing.error = reply.error.message;
    this.events.emit('error', reply.error);
    this.#changed();
  }

  #setRead(room: string, seq: number): void {
    const summary = this.rooms.get(room);
    if (summary === undefined || summary.lastRead >= seq) return;
    this.rooms.set(room, this.#summary(summary, { lastRead: seq }));
    this.#changed();
  }

  #summary(summary: RoomSummary, patch: Partial<Pick<RoomSummary, 'lastSeq' | 'lastRead'>>): RoomSummary {
    const lastSeq = patch.lastSeq ?? summary.lastSeq;
    const lastRead = patch.lastRead ?? summary.lastRead;
    return { ...summary, lastSeq, lastRead, member: true, unread: Math.max(0, lastSeq - lastRead) };
  }

  #request: Request = async (event, payload) => {
    try {
      return (await this.#socket
        .timeout(this.#options.ackTimeoutMs ?? 5000)
        .emitWithAck(event, payload)) as never;
    } catch {
      return { ok: false, error: { code: 'timeout', message: `${event}: no answer` } };
    }
  };

  #scheduleReconnect(): void {
    if (this.#state === 'closed' || this.#state === 'unauthorized') return;
    this.#setState(this.#everConnected ? 'reconnecting' : 'connecting');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#state !== 'closed' && !this.#socket.connected) this.#socket.connect();
    }, this.#backoff.next());
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
    this.#changed();
  }

  #changed(): void {
    this.events.emit('change');
  }
}
