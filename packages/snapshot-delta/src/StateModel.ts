/**
 * How one kind of stream state works: how to make it, change it with a delta, and carry it in a snapshot.
 * `S` is the live state, `D` a delta's data, `W` a snapshot's data (the wire form of `S`).
 *
 * `apply` must be idempotent — applying the same delta twice, or a conflated delta that overlaps what was applied,
 * leaves the same state — because that is what makes duplicates and overlapping ranges harmless (protocol rule 3).
 */
export interface StateModel<S, D, W> {
  /** A new empty state. */
  create(): S;
  /** Applies a delta's data to `state` in place. Throws on malformed data, before changing anything. */
  apply(state: S, data: D): void;
  /** The snapshot form of `state`: a copy that later changes to `state` do not touch. */
  snapshot(state: S): W;
  /** A new state from a snapshot's data. */
  restore(data: W): S;
  /** How a delta's data splits into keyed changes, so a server can conflate it per subscriber. */
  readonly splitter?: DeltaSplitter<D>;
}

/**
 * Splits a delta's data into keyed changes and joins merged changes back into one delta's data. A
 * `ConflatingQueue` keeps the latest change per key; joining what it drains gives the data of a conflated delta.
 */
export interface DeltaSplitter<D, C = unknown> {
  /** The changes in `data`, in order. */
  split(data: D): Iterable<C>;
  /** The conflation key of one change (a price level, a JSON Patch path). */
  keyOf(change: C): string;
  /** One delta's data from changes, in order. */
  join(changes: C[]): D;
  /** The queue order the keys need: `last-updated` when keys nest (JSON Patch paths). */
  readonly order: 'first-queued' | 'last-updated';
}
