import type { Server, Socket } from 'socket.io';
import type { ChatStore } from '../domain/ChatStore.js';
import { fanoutFor, type Fanout } from '../domain/fanout.js';
import { Presence } from '../domain/Presence.js';
import { ReceiptBatches } from '../domain/ReceiptBatches.js';
import { RoomThrottles } from '../domain/RoomThrottles.js';
import { TypingGate } from '../domain/TypingGate.js';
import { TYPING_EXPIRES_MS, type ChatMessage } from '../domain/wire.js';
import type { ResolvedChatOptions } from './options.js';
import type { Session } from '@twohop/app-kit';

/** The socket.io room of the connections that have chat room `name` open. */
export const openRoom = (name: string) => `room:${name}`;
/** The socket.io room of every connection of user `uid` (their tabs). */
export const userRoom = (uid: string) => `user:${uid}`;

/**
 * What happens in the chat's rooms beyond the store: who has a room open on which connection (socket.io rooms, so a
 * cluster adapter carries them across nodes), presence, typing, conflated receipts and large-room notices, and the
 * fan-out of messages by room size. Every address is a socket.io room — `room:<name>` for the connections that have
 * the room open, `user:<uid>` for every connection of a user — never a local connection list.
 */
export class ChatRooms {
  readonly presence: Presence;
  readonly typing: TypingGate;
  readonly receipts: ReceiptBatches;
  readonly #notices: RoomThrottles;
  readonly #io: Server;
  readonly #store: ChatStore;
  readonly #options: ResolvedChatOptions;

  constructor(io: Server, store: ChatStore, options: ResolvedChatOptions) {
    this.#io = io;
    this.#store = store;
    this.#options = options;
    const { clock } = options;
    // Presence deltas go to the room's open connections, numbered by its presence stream (snapshot in the join reply).
    this.presence = new Presence((name, delta) => io.to(openRoom(name)).emit('presence', delta), options.now);
    this.typing = new TypingGate(clock);
    this.receipts = new ReceiptBatches({
      intervalMs: options.receiptIntervalMs,
      clock,
      // The room sees who has read how far; the readers' other tabs update their unread counts.
      flush: (name, receipts) =>
        io
          .to([openRoom(name), ...receipts.map(({ userId }) => userRoom(userId))])
          .emit('receipts', { room: name, receipts }),
    });
    this.#notices = new RoomThrottles({
      intervalMs: options.noticeIntervalMs,
      clock,
      run: (name) => void this.#notice(name),
    });
  }

  /** Whether `socket` has room `name` open. */
  isOpen(socket: Socket, name: string): boolean {
    return socket.rooms.has(openRoom(name));
  }

  /** `socket` opens room `name`: it receives the room's live events, and its user shows as online there. */
  open(socket: Socket, session: Session, name: string): void {
    if (this.isOpen(socket, name)) return;
    void socket.join(openRoom(name));
    this.presence.arrive(name, session.uid, session.name);
  }

  /** `socket` closes room `name` (its user stays a member). */
  close(socket: Socket, session: Session, name: string): void {
    if (!this.isOpen(socket, name)) return;
    void socket.leave(openRoom(name));
    this.presence.leave(name, session.uid);
  }

  /** A connection is going away: it leaves every room it had open. */
  disconnecting(socket: Socket, session: Session): void {
    for (const room of socket.rooms)
      if (room.startsWith('room:')) this.presence.leave(room.slice(5), session.uid);
  }

  /** User `uid` left room `name`: every connection of theirs closes it, wherever it is (the adapter's rooms). */
  leaveEverywhere(uid: string, name: string): void {
    this.#io.in(userRoom(uid)).socketsLeave(openRoom(name));
    this.presence.removeUser(name, uid);
  }

  /** A stored message goes out, by the room's size: on write to every member, on read to those looking. */
  async deliver(message: ChatMessage): Promise<Fanout> {
    const members = await this.#store.members(message.room);
    const fanout = fanoutFor(members.length, this.#options.largeRoom);
    if (fanout === 'write') {
      // Every member's connections get it, open or not: one broadcast (socket.io sends each connection one copy).
      this.#io.to([openRoom(message.room), ...members.map(userRoom)]).emit('message', message);
    } else {
      // Full messages where the room is open; the other members get the newest seq, conflated per interval.
      this.#io.to(openRoom(message.room)).emit('message', message);
      this.#notices.trigger(message.room);
    }
    return fanout;
  }

  /** An edit or a delete reaches those looking at the room (others catch up through the change feed). */
  changed(message: ChatMessage): void {
    this.#io.to(openRoom(message.room)).emit('message:changed', message);
  }

  /** `session`'s user is typing in `name`: the others looking hear it, at most once per window. */
  typed(socket: Socket, session: Session, name: string): boolean {
    if (!this.typing.pass(name, session.uid)) return false;
    socket.to(openRoom(name)).emit('typing', {
      room: name,
      userId: session.uid,
      name: session.name,
      until: this.#options.now() + TYPING_EXPIRES_MS,
    });
    return true;
  }

  /** A room was created: it concerns its creator alone (their other tabs' lists); others find it by listing. */
  created(uid: string, name: string): void {
    this.#io.to(userRoom(uid)).emit('room:created', { room: name });
  }

  /** Stops every timer (shutdown). */
  stop(): void {
    this.#notices.cancel();
    this.receipts.cancel();
  }

  async #notice(name: string): Promise<void> {
    const [members, head] = await Promise.all([this.#store.members(name), this.#store.head(name)]);
    this.#io
      .to(members.map(userRoom))
      .except(openRoom(name))
      .emit('notice', { room: name, seq: head?.lastSeq ?? 0 });
  }
}
