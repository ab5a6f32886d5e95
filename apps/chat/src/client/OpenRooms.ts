import type { Clock } from '@twohop/sequence';
import type { DeltaMessage, KeyedChange } from '@twohop/snapshot-delta';
import mitt from 'mitt';
import {
  TYPING_EXPIRES_MS,
  type ChatMessage,
  type NoticeEvent,
  type PresenceEntry,
  type ReceiptsEvent,
  type Reply,
  type ReplyError,
  type TypingEvent,
} from '../domain/wire.js';
import { joinRoom } from './joinRoom.js';
import type { RoomList } from './RoomList.js';
import { EPOCH, RoomTimeline } from './RoomTimeline.js';

type Request = <T>(event: string, payload: object) => Promise<Reply<T>>;

/** What {@link OpenRooms} reports to its session. */
export type OpenRoomsEvents = {
  change: void;
  'caught-up': { room: string; count: number };
  gap: { room: string; expected: number; got: number };
  error: ReplyError;
};

/**
 * The rooms a session has open, and the live events that keep them right: each open room's {@link RoomTimeline} is
 * (re)joined from its last seq; a live message is applied in seq order, dropped as a duplicate, or — beyond a hole —
 * kept while the hole is fetched by a re-join; presence deltas go to the room's replica (a gap there re-joins too).
 */
export class OpenRooms {
  readonly events = mitt<OpenRoomsEvents>();
  readonly timelines = new Map<string, RoomTimeline>();
  /** Deliveries of a message already held, holes detected, re-joins after a reconnect. */
  readonly stats = { duplicates: 0, gaps: 0, rejoins: 0 };
  /** Rooms with a join in flight: live messages wait for it instead of each triggering one. */
  readonly #syncing = new Set<string>();

  constructor(
    readonly options: {
      request: Request;
      list: RoomList;
      userId: string;
      clock: Clock;
      /** One of the user's own messages arrived (broadcast): it is stored, whatever became of its ack. */
      onOwnMessage: (clientId: string) => void;
    },
  ) {}

  /** Opens `name` (or re-joins it when open): its timeline, with the latest page or what was missed. */
  async open(name: string): Promise<RoomTimeline> {
    let timeline = this.timelines.get(name);
    if (timeline === undefined) {
      // A presence delta beyond a hole asks for a fresh snapshot, which a join brings (unless one is under way).
      timeline = new RoomTimeline(name, () => {
        if (!this.#syncing.has(name)) void this.join(name).catch(() => {});
      });
      this.timelines.set(name, timeline);
    }
    await this.join(name);
    return timeline;
  }

  /** Forgets an open room (closed or left). */
  forget(name: string): void {
    this.timelines.delete(name);
    this.events.emit('change');
  }

  /**
   * Joins every open room from where it stopped (after a connect; `reconnect` counts it and reports what each
   * caught up on); a refused room is closed, the others go on.
   */
  async joinAll(reconnect: boolean): Promise<void> {
    await Promise.allSettled([...this.timelines.keys()].map((name) => this.join(name, reconnect)));
  }

  /** Joins an open room from its last seq; `reconnect` counts it and reports what it caught up on. */
  async join(name: string, reconnect = false): Promise<void> {
    const timeline = this.timelines.get(name);
    if (timeline === undefined) return;
    this.#syncing.add(name);
    try {
      const { reply, count } = await joinRoom(this.options.request, timeline);
      if (!reply.ok) {
        // Refused (the room is gone, or a limit): close it. No answer: keep it; the next connect re-joins it.
        if (reply.error.code !== 'timeout' && reply.error.code !== 'offline') {
          this.timelines.delete(name);
          this.events.emit('error', reply.error);
        }
        throw reply.error;
      }
      this.options.list.joined(name, reply.lastSeq, reply.lastRead);
      this.options.list.seen(name, timeline.lastSeq);
      for (const { userId, seq } of reply.receipts)
        if (userId !== this.options.userId) timeline.receipts.set(userId, seq);
      if (reconnect) {
        this.stats.rejoins++;
        this.events.emit('caught-up', { room: name, count });
      }
      this.events.emit('change');
    } finally {
      this.#syncing.delete(name);
    }
  }

  /** Applies one server event to the open rooms and the list. */
  receive(event: string, payload: unknown): void {
    const { list, userId } = this.options;
    switch (event) {
      case 'message':
        return this.#onMessage(payload as ChatMessage);
      case 'notice': {
        const { room, seq } = payload as NoticeEvent;
        return list.seen(room, seq);
      }
      case 'message:changed': {
        const message = payload as ChatMessage;
        this.timelines.get(message.room)?.update(message);
        return this.events.emit('change');
      }
      case 'presence': {
        const delta = payload as DeltaMessage<readonly KeyedChange<PresenceEntry>[]>;
        this.timelines.get(delta.stream.replace(/^presence:/, ''))?.presence.receive(delta);
        return this.events.emit('change');
      }
      case 'typing':
        return this.#onTyping(payload as TypingEvent);
      case 'room:created':
        return list.known((payload as { room: string }).room);
      case 'receipts': {
        const { room, receipts } = payload as ReceiptsEvent;
        for (const receipt of receipts) {
          if (receipt.userId === userId) list.setRead(room, receipt.seq);
          else this.timelines.get(room)?.receipts.set(receipt.userId, receipt.seq);
        }
        return this.events.emit('change');
      }
    }
  }

  /** Who is typing in `room` at `now` (not you). */
  typists(room: string, now: number): string[] {
    const timeline = this.timelines.get(room);
    if (timeline === undefined) return [];
    return [...timeline.typing.values()].filter((entry) => entry.until > now).map((entry) => entry.name);
  }

  #onMessage(message: ChatMessage): void {
    const own = message.userId === this.options.userId;
    if (own) this.options.onOwnMessage(message.clientId);
    const timeline = this.timelines.get(message.room);
    if (timeline === undefined) {
      // A small room's message while the room is closed: only the room list changes.
      return this.options.list.seen(message.room, message.seq, own);
    }
    if (this.#syncing.has(message.room)) {
      // A join is in flight; its reply or the next delivery settles the order.
      if (timeline.merge([message]) === 0) this.stats.duplicates++;
      return this.events.emit('change');
    }
    const verdict = timeline.detector.classify({ epoch: EPOCH, seq: message.seq });
    if (verdict === 'duplicate' || timeline.has(message.seq)) {
      this.stats.duplicates++;
      return;
    }
    timeline.merge([message]);
    timeline.typing.delete(message.userId);
    if (verdict === 'gap') {
      // Something between our last seq and this one did not arrive: fetch it with a re-join from the last seq.
      this.stats.gaps++;
      this.events.emit('gap', { room: message.room, expected: timeline.lastSeq + 1, got: message.seq });
      void this.join(message.room).catch(() => {});
    } else {
      timeline.advance();
      this.options.list.seen(message.room, timeline.lastSeq, own);
    }
    this.events.emit('change');
  }

  #onTyping(event: TypingEvent): void {
    const timeline = this.timelines.get(event.room);
    if (timeline === undefined || event.userId === this.options.userId) return;
    // The local clock decides expiry: the server's `until` is on another clock.
    const { clock } = this.options;
    timeline.typing.set(event.userId, { name: event.name, until: clock.now() + TYPING_EXPIRES_MS });
    this.events.emit('change');
    clock.setTimeout(() => this.events.emit('change'), TYPING_EXPIRES_MS + 50);
  }
}
