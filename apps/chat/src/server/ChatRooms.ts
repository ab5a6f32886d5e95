import type { Server, Socket } from 'socket.io';
import type { ChatStore } from '../domain/ChatStore.js';
import { fanoutFor } from '../domain/fanout.js';
import { Presence } from '../domain/Presence.js';
import { ReceiptBatches } from '../domain/ReceiptBatches.js';
import { RoomThrottles } from '../domain/RoomThrottles.js';
import { TypingGate } from '../domain/TypingGate.js';
import { TYPING_EXPIRES_MS, type ChatMessage } from '../domain/wire.js';
import type { ChatMetrics } from './chatMetrics.js';
import type { ChatBackend, PresenceRegistry } from './feed/ChatBackend.js';
import type { ChatFeed, FeedEvent } from './feed/ChatFeed.js';
import type { ResolvedChatOptions } from './options.js';
import type { Session } from '@twohop/app-kit';

/** The socket.io room of the connections that have chat room `name` open. */
export const openRoom = (name: string) => `room:${name}`;
/** The socket.io room of every connection of user `uid` (their tabs). */
export const userRoom = (uid: string) => `user:${uid}`;

/**
 * What happens in the chat's rooms beyond the store, on one node: who has a room open on which of its connections
 * (socket.io rooms), presence, typing, conflated receipts and large-room notices, and the fan-out of messages by room
 * size. Whatever other nodes' connections must hear goes out on the feed; every event of the feed — this node's
 * and the others', stored messages included — is delivered here to this node's own connections, in feed order. So
 * one node or ten behave alike: every delivery comes from the feed.
 */
export class ChatRooms {
  /** This node's view of who is online in each room (fed by the feed). */
  readonly presence: Presence;
  readonly typing: TypingGate;
  readonly receipts: ReceiptBatches;
  readonly #notices: RoomThrottles;
  readonly #io: Server;
  readonly #store: ChatStore;
  readonly #feed: ChatFeed;
  readonly #online: PresenceRegistry;
  readonly #options: ResolvedChatOptions;
  readonly #metrics: ChatMetrics;

  constructor(io: Server, backend: ChatBackend, options: ResolvedChatOptions, metrics: ChatMetrics) {
    this.#io = io;
    this.#store = backend.store;
    this.#feed = backend.feed;
    this.#online = backend.presence;
    this.#options = options;
    this.#metrics = metrics;
    const { clock } = options;
    // Presence deltas go to the room's open connections, numbered by its presence stream (snapshot in the join reply).
    this.presence = new Presence((name, delta) => io.local.to(openRoom(name)).emit('presence', delta));
    this.typing = new TypingGate(clock);
    this.receipts = new ReceiptBatches({
      intervalMs: options.receiptIntervalMs,
      clock,
      flush: (room, receipts) => this.#publish({ type: 'receipts', room, receipts }),
    });
    this.#notices = new RoomThrottles({
      intervalMs: options.noticeIntervalMs,
      clock,
      run: (name) => void this.#notice(name).catch((error: unknown) => console.error('chat: notice', error)),
    });
  }

  /** Starts delivering the feed to this node's connections. */
  start(): Promise<void> {
    return this.#feed.start((event) => this.#deliver(event));
  }

  /** Resolves once this node has delivered everything announced so far (a reply must not overtake it). */
  caughtUp(): Promise<void> {
    return this.#feed.caughtUp();
  }

  /** Whether `socket` has room `name` open. */
  isOpen(socket: Socket, name: string): boolean {
    return socket.rooms.has(openRoom(name));
  }

  /** `socket` opens room `name`: it receives the room's live events, and its user shows as online there. */
  async open(socket: Socket, session: Session, name: string): Promise<void> {
    if (this.isOpen(socket, name)) return;
    void socket.join(openRoom(name));
    await this.#online.arrive(name, session.uid, session.name);
  }

  /** `socket` closes room `name` (its user stays a member). */
  async close(socket: Socket, session: Session, name: string): Promise<void> {
    if (!this.isOpen(socket, name)) return;
    void socket.leave(openRoom(name));
    await this.#online.leave(name, session.uid);
  }

  /** A connection is going away: it leaves every room it had open. */
  disconnecting(socket: Socket, session: Session): void {
    for (const room of socket.rooms)
      if (room.startsWith('room:'))
        this.#online
          .leave(room.slice(5), session.uid)
          .catch((error: unknown) => console.error('chat: presence', error));
  }

  /** User `uid` left room `name`: every connection of theirs closes it, on every node. */
  async leaveEverywhere(uid: string, name: string): Promise<void> {
    await this.#online.removeUser(name, uid);
    await this.#feed.publish({ type: 'left', room: name, userId: uid });
  }

  /** `session`'s user is typing in `name`: the others looking hear it, at most once per window. */
  typed(socket: Socket, session: Session, name: string): boolean {
    if (!this.typing.pass(name, session.uid)) return false;
    const until = this.#options.now() + TYPING_EXPIRES_MS;
    this.#publish({
      type: 'typing',
      room: name,
      userId: session.uid,
      name: session.name,
      until,
      except: socket.id,
    });
    return true;
  }

  /** A room was created: it concerns its creator alone (their other tabs' lists); others find it by listing. */
  created(uid: string, name: string): Promise<void> {
    return this.#feed.publish({ type: 'created', room: name, userId: uid });
  }

  /** Stops every timer (shutdown). */
  stop(): void {
    this.#notices.cancel();
    this.receipts.cancel();
  }

  #publish(event: FeedEvent): void {
    this.#feed
      .publish(event)
      .catch((error: unknown) => console.error(`chat: ${event.type} not published`, error));
  }

  /** One event of the feed, to this node's connections. */
  async #deliver(event: FeedEvent): Promise<void> {
    const here = this.#io.local;
    switch (event.type) {
      case 'message':
        return this.#message(event.message);
      case 'changed':
        // Edits and deletes reach those looking at the room (others catch up through the change feed).
        here.to(openRoom(event.message.room)).emit('message:changed', event.message);
        return;
      case 'presence':
        return this.presence.apply(event.room, event.change);
      case 'typing': {
        const { except, ...typing } = event;
        here.to(openRoom(event.room)).except(except).emit('typing', {
          room: typing.room,
          userId: typing.userId,
          name: typing.name,
          until: typing.until,
        });
        return;
      }
      case 'receipts':
        // The room sees who has read how far; the readers' other tabs update their unread counts.
        here
          .to([openRoom(event.room), ...event.receipts.map(({ userId }) => userRoom(userId))])
          .emit('receipts', { room: event.room, receipts: event.receipts });
        return;
      case 'left':
        here.in(userRoom(event.userId)).socketsLeave(openRoom(event.room));
        return;
      case 'created':
        here.to(userRoom(event.userId)).emit('room:created', { room: event.room });
        return;
    }
  }

  /** A stored message goes out, by the room's size: on write to every member, on read to those looking. */
  async #message(message: ChatMessage): Promise<void> {
    const members = await this.#store.members(message.room);
    const fanout = fanoutFor(members.length, this.#options.largeRoom);
    this.#metrics.messages.inc({ fanout });
    const here = this.#io.local;
    if (fanout === 'write') {
      // Every member's connections get it, open or not: one broadcast (socket.io sends each connection one copy).
      here.to([openRoom(message.room), ...members.map(userRoom)]).emit('message', message);
    } else {
      // Full messages where the room is open; the other members get the newest seq, conflated per interval.
      here.to(openRoom(message.room)).emit('message', message);
      this.#notices.trigger(message.room);
    }
  }

  async #notice(name: string): Promise<void> {
    const [members, head] = await Promise.all([this.#store.members(name), this.#store.head(name)]);
    this.#io.local
      .to(members.map(userRoom))
      .except(openRoom(name))
      .emit('notice', { room: name, seq: head?.lastSeq ?? 0 });
  }
}
