import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import mitt from 'mitt';
import { TYPING_EVERY_MS, type ChatMessage, type RoomSummary, type RoomsPage } from '../domain/wire.js';
import { ChatConnection, type SessionState } from './ChatConnection.js';
import { OpenRooms } from './OpenRooms.js';
import { Outbox, type Outgoing } from './Outbox.js';
import { ReadMarker } from './ReadMarker.js';
import { RoomList } from './RoomList.js';
import {
  randomId,
  sessionStats,
  type ChatSessionEvents,
  type ChatSessionOptions,
  type SessionStats,
} from './sessionTypes.js';
import type { RoomTimeline } from './RoomTimeline.js';

export { requestSession, type SignedIn } from '@twohop/client';
export type { ChatSessionEvents, ChatSessionOptions, SessionStats } from './sessionTypes.js';
export { RoomTimeline } from './RoomTimeline.js';
export type { Outgoing, SessionState };

/**
 * One signed-in user's session with the chat server, for a browser UI or a test client. It is made of a
 * {@link ChatConnection} (one socket.io connection at a time, reconnecting with backoff), an {@link Outbox} (your
 * unacknowledged messages, retried by client id until stored once), the {@link RoomList} and the {@link OpenRooms}
 * (a timeline per open room, caught up by seq after every reconnect, holes detected and fetched).
 */
export class ChatSession {
  readonly events = mitt<ChatSessionEvents>();
  /**
   * Counters a test or scenario reads, live: deliveries of a message already held, holes detected, re-joins after a
   * reconnect, sends retried, and retries the store answered `duplicate: true` (the first was stored, its ack lost).
   */
  readonly stats: SessionStats;
  readonly #connection: ChatConnection;
  readonly #outbox: Outbox;
  readonly #list: RoomList;
  readonly #rooms: OpenRooms;
  readonly #reads: ReadMarker;
  readonly #options: ChatSessionOptions;
  readonly #clock: Clock;
  readonly #lastTypingSent = new Map<string, number>();
  #state: SessionState = 'connecting';
  #everLive = false;
  #refreshTimer: TimerHandle | undefined;

  constructor(options: ChatSessionOptions) {
    this.#options = options;
    const clock = (this.#clock = options.clock ?? systemClock);
    const { ackTimeoutMs, backoff, socket } = options;
    this.#connection = new ChatConnection({
      url: options.url,
      token: options.token,
      clock,
      ...(ackTimeoutMs === undefined ? {} : { ackTimeoutMs }),
      ...(backoff === undefined ? {} : { backoff }),
      ...(socket === undefined ? {} : { socket }),
    });
    const request = this.#request;
    const changed = () => this.events.emit('change');
    this.#list = new RoomList(request, options.userId, changed);
    this.#rooms = new OpenRooms({
      request,
      list: this.#list,
      userId: options.userId,
      clock,
      onOwnMessage: (clientId) => this.#outbox.settle(clientId),
    });
    this.#outbox = new Outbox({
      request: (event, payload) => request(event, payload),
      isLive: () => this.#state === 'live',
      newId: options.newId ?? randomId,
      clock,
      onChange: changed,
      onError: (error) => this.events.emit('error', error),
    });
    this.#reads = new ReadMarker({
      clock,
      send: async (room) => {
        const reply = await request<{ lastRead: number }>('read', { room, seq: this.#newest(room) });
        if (reply.ok) this.#list.setRead(room, reply.lastRead);
      },
    });
    this.stats = sessionStats(this.#rooms, this.#outbox);
    const rooms = this.#rooms.events;
    rooms.on('change', changed);
    rooms.on('caught-up', (event) => this.events.emit('caught-up', event));
    rooms.on('gap', (event) => this.events.emit('gap', event));
    rooms.on('error', (error) => this.events.emit('error', error));
    this.#connection.events.on('state', (state) => {
      if (state === 'live') void this.#onConnect();
      else this.#setState(state);
    });
    this.#connection.events.on('event', ({ event, payload }) => this.#rooms.receive(event, payload));
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The signed-in user's public id. */
  get userId(): string {
    return this.#options.userId;
  }

  /** The room list, with unread counts: your rooms and the pages of the others loaded so far. */
  get rooms(): ReadonlyMap<string, RoomSummary> {
    return this.#list.rooms;
  }

  /** The open rooms' timelines, by name. */
  get open(): ReadonlyMap<string, RoomTimeline> {
    return this.#rooms.timelines;
  }

  /** Your messages not yet acknowledged, oldest first. */
  get outbox(): readonly Outgoing[] {
    return this.#outbox.entries;
  }

  /** Refreshes the room list: every room of yours, and the first page of all rooms. */
  refreshRooms(): Promise<RoomSummary[]> {
    return this.#list.refresh();
  }

  /** Loads the next page of rooms (by name) into the list. */
  loadMoreRooms(): Promise<RoomsPage> {
    return this.#list.loadMore();
  }

  /** Creates a room (you become its first member) and opens it. */
  async createRoom(name: string): Promise<void> {
    const reply = await this.#request('room:create', { room: name });
    if (!reply.ok) throw reply.error;
    await this.openRoom(name);
  }

  /** Opens a room: joins it (becoming a member) and loads its latest page, presence and receipts. */
  openRoom(name: string): Promise<RoomTimeline> {
    return this.#rooms.open(name);
  }

  /** Closes a room (you stay a member: its messages count as unread). */
  async closeRoom(name: string): Promise<void> {
    this.#rooms.forget(name);
    await this.#request('room:close', { room: name });
  }

  /** Leaves a room: no longer a member, on every tab. */
  async leaveRoom(name: string): Promise<void> {
    this.#rooms.forget(name);
    const reply = await this.#request('room:leave', { room: name });
    if (!reply.ok) throw reply.error;
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
    this.events.emit('change');
    return added;
  }

  /**
   * Sends a message: it shows at once as pending, is acknowledged with its seq once stored, and is retried with the
   * same client id (never stored twice) after a reconnect or by {@link ChatSession.retry}.
   */
  send(room: string, text: string): Outgoing {
    this.#lastTypingSent.delete(room);
    return this.#outbox.add(room, text);
  }

  /** Sends a failed message again, with its original client id. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
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
    const now = this.#clock.now();
    const last = this.#lastTypingSent.get(room);
    if ((last !== undefined && now - last < TYPING_EVERY_MS) || this.#state !== 'live') return;
    this.#lastTypingSent.set(room, now);
    void this.#request('typing', { room });
  }

  /** Marks `room` read up to its newest message (at most one `read` per room a second). */
  markRead(room: string): Promise<void> {
    const summary = this.rooms.get(room);
    if (summary !== undefined && summary.lastRead >= this.#newest(room)) return Promise.resolve();
    return this.#reads.mark(room);
  }

  /** The session clock's time, which typing marks' `until` is on. */
  now(): number {
    return this.#clock.now();
  }

  /** Who is typing in `room` now (not you). */
  typists(room: string, now = this.#clock.now()): string[] {
    return this.#rooms.typists(room, now);
  }

  /** Cuts the connection as a network fault would, without closing the session: it reconnects with backoff. */
  drop(): void {
    this.#connection.drop();
  }

  /** Goes offline until {@link ChatSession.online} (a test's airplane mode). */
  offline(): void {
    this.#connection.offline();
  }

  /** Comes back from {@link ChatSession.offline}. */
  online(): void {
    this.#connection.online();
  }

  /** Closes the session for good. */
  close(): void {
    if (this.#refreshTimer !== undefined) this.#clock.clearTimeout(this.#refreshTimer);
    this.#reads.cancel();
    this.#outbox.cancel();
    this.#connection.close();
    this.#setState('closed');
    this.events.all.clear();
  }

  /** A (re)connect: a fresh token, the room list, every open room caught up; then live, and the outbox goes. */
  async #onConnect(): Promise<void> {
    try {
      await this.#refreshToken();
      await this.refreshRooms();
    } catch {
      return; // The connection dropped again mid-way; the next connect starts over.
    }
    await this.#rooms.joinAll(this.#everLive);
    if (this.#connection.state !== 'live') return;
    this.#everLive = true;
    this.#setState('live');
    this.#outbox.flush();
  }

  /** Refreshes the session token (a new expiry) and schedules the next refresh at half its remaining life. */
  async #refreshToken(): Promise<void> {
    const reply = await this.#request<{ token: string; expiresAt: number }>('session:refresh', {});
    if (!reply.ok) {
      if (reply.error.code === 'timeout' || reply.error.code === 'offline') throw reply.error;
      return;
    }
    this.#connection.token = reply.token;
    this.events.emit('token', { token: reply.token, expiresAt: reply.expiresAt });
    if (this.#refreshTimer !== undefined) this.#clock.clearTimeout(this.#refreshTimer);
    const halfLife = Math.max(60_000, (reply.expiresAt - Date.now()) / 2);
    this.#refreshTimer = this.#clock.setTimeout(() => void this.#refreshToken().catch(() => {}), halfLife);
  }

  /** The newest seq the session knows of in `room`. */
  #newest(room: string): number {
    return Math.max(this.rooms.get(room)?.lastSeq ?? 0, this.open.get(room)?.lastSeq ?? 0);
  }

  #request = <T = Record<string, unknown>>(event: string, payload: object) =>
    this.#connection.request<T>(event, payload);

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
    this.events.emit('change');
  }
}
