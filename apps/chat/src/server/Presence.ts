import {
  keyedState,
  StreamPublisher,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import type { PresenceEntry } from '../shared/wire.js';

type PresencePublisher = StreamPublisher<
  KeyedState<PresenceEntry>,
  readonly KeyedChange<PresenceEntry>[],
  KeyedSnapshot<PresenceEntry>
>;

/**
 * Presence per room as snapshot + delta: a keyed stream `presence:<room>` (key = public user id). A user is online
 * in a room while any of their connections is in it — several tabs are one user — so connections are counted, and
 * only the first arrival and the last departure change the stream.
 */
export class Presence {
  readonly #rooms = new Map<string, { publisher: PresencePublisher; connections: Map<string, number> }>();

  constructor(
    readonly onDelta: (room: string, delta: ReturnType<PresencePublisher['publish']>) => void,
    readonly now: () => number = Date.now,
  ) {}

  /** The room's presence stream, made on first use. */
  publisher(room: string): PresencePublisher {
    let entry = this.#rooms.get(room);
    if (entry === undefined) {
      const publisher: PresencePublisher = new StreamPublisher({
        stream: `presence:${room}`,
        model: keyedState<PresenceEntry>(),
      });
      publisher.subscribe((event) => event.type === 'delta' && this.onDelta(room, event));
      entry = { publisher, connections: new Map() };
      this.#rooms.set(room, entry);
    }
    return entry.publisher;
  }

  /** One more connection of `uid` in `room`. */
  arrive(room: string, uid: string, name: string): void {
    const publisher = this.publisher(room);
    const connections = this.#rooms.get(room)!.connections;
    const count = (connections.get(uid) ?? 0) + 1;
    connections.set(uid, count);
    if (count === 1) publisher.publish([{ op: 'set', key: uid, value: { name, since: this.now() } }]);
  }

  /** One connection fewer of `uid` in `room`. */
  leave(room: string, uid: string): void {
    const entry = this.#rooms.get(room);
    const count = entry?.connections.get(uid);
    if (entry === undefined || count === undefined) return;
    if (count > 1) {
      entry.connections.set(uid, count - 1);
      return;
    }
    entry.connections.delete(uid);
    entry.publisher.publish([{ op: 'remove', key: uid }]);
  }
}
