/** A change numbered upstream (by a bus, another node): `seq` in `epoch`, as the upstream assigned it. */
export interface UpstreamDelta<D> {
  readonly epoch: string;
  readonly seq: number;
  readonly data: D;
  /** The upstream's time of the change (ms since the epoch), carried on to subscribers. */
  readonly ts?: number;
}

/** The upstream's state as of `seq` in `epoch`. */
export interface UpstreamSnapshot<W> {
  readonly epoch: string;
  readonly seq: number;
  readonly data: W;
}

/**
 * How a mirror gets back in step, as its upstream answers it: the deltas after the mirror's position
 * (`recovered: true`), or a snapshot and the deltas after it. A {@link ResumePlan} is one.
 */
export type UpstreamCatchUp<W, D> =
  | { readonly recovered: true; readonly deltas: readonly UpstreamDelta<D>[] }
  | {
      readonly recovered: false;
      readonly snapshot: UpstreamSnapshot<W>;
      readonly deltas?: readonly UpstreamDelta<D>[];
    };
