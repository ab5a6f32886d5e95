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
}
