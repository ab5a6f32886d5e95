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
 * Presence per room as snapshot + delta: a keyed stream `presence:<room>` (key = public user id). A user is online
 * in a room while any of their connections has it open — several tabs are one user — so connections are counted,
 * and only the first arrival and the last departure change the stream. A room nobody has open is forgotten (its
 * next arrival starts a new epoch, which replicas treat as a fresh history), so memory follows the rooms in use.
 */
export class Presence {
  readonly #rooms = new Map<string, { publisher: PresencePublisher; connections: Map<string, number> }>();

  /**
   * @param onDelta where each room's deltas go (the room's open connections)
   * @param now the wall clock for `since` (ms since the epoch)
   */
  constructor(
    readonly onDelta: (room: string, delta: PresenceDelta) => void,
    readonly now: () => number = Date.now,
  ) {}

  /** The room's presence snapshot, for a join reply. */
  snapshot(room: string) {
    return this.#entry(room).publisher.snapshot();
  }

  /** One more connection of `uid` in `room`. */
  arrive(room: string, uid: string, name: string): void {
    const { publisher, connections } = this.#entry(room);
    const count = (connections.get(uid) ?? 0) + 1;
    connections.set(uid, count);
    if (count === 1) publisher.publish([{ op: 'set', key: uid, value: { name, since: this.now() } }]);
  }

  /** One connection fewer of `uid` in `room`. */
  leave(room: string, uid: string): void {
    const count = this.#rooms.get(room)?.connections.get(uid);
    if (count === undefined) return;
    if (count > 1) this.#rooms.get(room)!.connections.set(uid, count - 1);
    else this.removeUser(room, uid);
  }

  /** `uid` is gone from `room` on every connection at once (they left the room). */
  removeUser(room: string, uid: string): void {
    const entry = this.#rooms.get(room);
    if (entry === undefined || !entry.connections.delete(uid)) return;
    entry.publisher.publish([{ op: 'remove', key: uid }]);
    if (entry.connections.size === 0) this.#rooms.delete(room);
  }

  /** How many rooms have someone online (what presence holds in memory). */
  get rooms(): number {
    return this.#rooms.size;
  }

  #entry(room: string) {
    let entry = this.#rooms.get(room);
    if (entry === undefined) {
      const publisher: PresencePublisher = new StreamPublisher({
        stream: `presence:${room}`,
        model: keyedState<PresenceEntry>(),
        historyCapacity: 64,
      });
      publisher.subscribe((event) => event.type === 'delta' && this.onDelta(room, event));
      entry = { publisher, connections: new Map() };
      this.#rooms.set(room, entry);
    }
    return entry;
  }
}
