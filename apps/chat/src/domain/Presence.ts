import {
  keyedState,
  StreamPublisher,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import type { PresenceEntry } from './wire.js';

type PresencePublisher = StreamPublisher<
  KeyedState<PresenceEntry>,
  readonly KeyedChange<PresenceEntry>[],
  KeyedSnapshot<PresenceEntry>
>;

/** A presence delta, as the `presence` event carries it. */
export type PresenceDelta = ReturnType<PresencePublisher['publish']>;

/**
 * Who is online in each room, as one node shows it to its clients: per room a keyed stream `presence:<room>` (key =
 * public user id) numbered by this node — snapshot in a join reply, numbered deltas after it. It is fed the changes
 * of the room's presence (a user's first connection arriving, their last leaving), wherever they happened. A room
 * nobody is online in is forgotten (its next arrival starts a new epoch, which replicas treat as a fresh history), so
 * memory follows the rooms in use.
 */
export class Presence {
  readonly #rooms = new Map<string, PresencePublisher>();

  /** @param onDelta where each room's deltas go (the room's open connections) */
  constructor(readonly onDelta: (room: string, delta: PresenceDelta) => void) {}

  /** The room's presence snapshot, for a join reply. */
  snapshot(room: string) {
    return this.#publisher(room).snapshot();
  }

  /** Applies one change of the room's presence; a removal of someone not shown, or a set that changes nothing, is dropped. */
  apply(room: string, change: KeyedChange<PresenceEntry>): void {
    const shown = this.#rooms.get(room)?.state.get(change.key);
    if (change.op === 'remove' ? shown === undefined : shown?.since === change.value.since) return;
    const publisher = this.#publisher(room);
    publisher.publish([change]);
    if (publisher.state.size === 0) this.#rooms.delete(room);
  }

  /** Whether `uid` shows as online in `room`. */
  has(room: string, uid: string): boolean {
    return this.#rooms.get(room)?.state.has(uid) ?? false;
  }

  /** How many rooms have someone online (what presence holds in memory). */
  get rooms(): number {
    return this.#rooms.size;
  }

  #publisher(room: string): PresencePublisher {
    let publisher = this.#rooms.get(room);
    if (publisher === undefined) {
      publisher = new StreamPublisher({
        stream: `presence:${room}`,
        model: keyedState<PresenceEntry>(),
        historyCapacity: 64,
      });
      publisher.subscribe((event) => event.type === 'delta' && this.onDelta(room, event));
      this.#rooms.set(room, publisher);
    }
    return publisher;
  }
}

/**
 * The connections of each user in each room, in one process. A user is online in a room while any of their
 * connections has it open — several tabs are one user — so only the first arrival and the last departure change
 * presence: each method says whether this one did.
 */
export class PresenceCounts {
  readonly #rooms = new Map<string, Map<string, number>>();

  /** One more connection of `uid` in `room`; true when it is their first. */
  arrive(room: string, uid: string): boolean {
    let users = this.#rooms.get(room);
    if (users === undefined) this.#rooms.set(room, (users = new Map()));
    const count = (users.get(uid) ?? 0) + 1;
    users.set(uid, count);
    return count === 1;
  }

  /** One connection fewer of `uid` in `room`; true when it was their last. */
  leave(room: string, uid: string): boolean {
    const count = this.#rooms.get(room)?.get(uid);
    if (count === undefined) return false;
    if (count > 1) {
      this.#rooms.get(room)!.set(uid, count - 1);
      return false;
    }
    return this.removeUser(room, uid);
  }

  /** Every connection of `uid` leaves `room` at once; true when they had one there. */
  removeUser(room: string, uid: string): boolean {
    const users = this.#rooms.get(room);
    if (users === undefined || !users.delete(uid)) return false;
    if (users.size === 0) this.#rooms.delete(room);
    return true;
  }

  /** Every room and user with a connection here, and how many. */
  entries(): Array<{ room: string; uid: string; count: number }> {
    return [...this.#rooms].flatMap(([room, users]) =>
      [...users].map(([uid, count]) => ({ room, uid, count })),
    );
  }
}
