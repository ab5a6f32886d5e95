import { systemClock, type StreamPosition, type TimerHandle } from '@twohop/sequence';
import {
  StreamMirror,
  type StateModel,
  type StreamMirrorOptions,
  type UpstreamCatchUp,
} from '@twohop/snapshot-delta';
import type { Bus } from './Bus.js';
import { BusError } from './BusError.js';

/** Options for {@link mirrorFromBus}: the mirror's own, and the bus to follow. */
export interface MirrorFromBusOptions<S, D, W> extends Omit<StreamMirrorOptions<S, D, W>, 'catchUp'> {
  bus: Bus;
  /**
   * How often to compare the mirror's position with the bus's (on the mirror's `clock`): a mirror still short of
   * where the bus was one check earlier missed something its tail never told it (the last entries on a quiet
   * stream), and catches up. 0 never checks. @default 5000
   */
  checkEveryMs?: number;
  /**
   * The producer always keeps a snapshot (as `publishToBus` does from its first reset), so a stream without one
   * was lost on the bus (a Redis restart): the mirror keeps serving its last consistent state, retrying, until the
   * producer has started the stream again — instead of an empty state at seq 0. @default false
   */
  requireSnapshot?: boolean;
}

/** A {@link StreamMirror} following a bus stream, and how to stop following. */
export interface BusMirror<S, D, W> {
  readonly mirror: StreamMirror<S, D, W>;
  /** Stops the tail and the mirror. */
  close(): Promise<void>;
}

/**
 * Follows `stream` on `bus` into a {@link StreamMirror}, the hop-2 half of a node: it tails the stream first, then
 * catches up (snapshot, then the log after it), so nothing appended in between is missed; live entries go to the
 * mirror as they come. A gap in the tail or an epoch change makes the mirror catch up again — by reading the log
 * from its position while the log holds it, else from the snapshot — and a reset on the bus makes it catch up at
 * once. Every `checkEveryMs` it also compares positions with the bus, so a loss on the tail is noticed on a quiet
 * stream too, not only at the next entry. Resolves once the mirror is live; put `mirror` in a `StreamCatalog` to
 * serve it.
 */
export async function mirrorFromBus<S, D, W>(
  options: MirrorFromBusOptions<S, D, W>,
): Promise<BusMirror<S, D, W>> {
  const { bus, stream, model } = options;
  const mirror = new StreamMirror<S, D, W>({
    ...options,
    catchUp: (position) => catchUpFromBus(bus, stream, model, position, options.requireSnapshot),
  });
  const tail = await bus.tail<D>(stream, (event) => {
    if (event.type === 'entry') mirror.receive(event.entry);
    else mirror.resync();
  });
  await mirror.start();
  const stopChecking = checkPositions(options, mirror);
  return {
    mirror,
    async close() {
      stopChecking();
      mirror.close();
      await tail.close();
    },
  };
}

/**
 * Every `checkEveryMs`, asks the bus for the stream's position. A live mirror that has reached neither the position
 * seen one check earlier nor the epoch the bus is in now missed what its tail should have brought: it resyncs (a
 * replay from the log while the log holds it, unnoticed by subscribers). Comparing with the earlier position, not
 * the current one, leaves entries still on their way alone. Returns how to stop.
 */
function checkPositions<S, D, W>(options: MirrorFromBusOptions<S, D, W>, mirror: StreamMirror<S, D, W>) {
  const every = options.checkEveryMs ?? 5000;
  const clock = options.clock ?? systemClock;
  let seen: StreamPosition | undefined;
  let timer: TimerHandle | undefined;
  let stopped = every <= 0;
  const reached = (target: StreamPosition, now: StreamPosition) => {
    const at = mirror.position;
    if (at.epoch === target.epoch) return at.seq >= target.seq;
    return at.epoch === now.epoch;
  };
  const check = async () => {
    try {
      const now = await options.bus.position(options.stream);
      if (seen !== undefined && mirror.status === 'live' && !reached(seen, now)) mirror.resync();
      seen = now;
    } catch (error) {
      options.onError?.(error);
    }
    schedule();
  };
  const schedule = () => {
    if (!stopped) timer = clock.setTimeout(() => void check(), every);
  };
  schedule();
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}

/**
 * What a mirror at `position` needs from the bus to be in step: the log after it while the log still holds it,
 * else the kept snapshot (or the empty state at seq 0 when none was kept, unless `requireSnapshot`) and the log
 * after that. Rejects with `catch_up_failed` when neither joins up (a snapshot older than the log's trimmed start,
 * or none where one is required); the mirror retries.
 */
export async function catchUpFromBus<S, D, W>(
  bus: Bus,
  stream: string,
  model: StateModel<S, D, W>,
  position: StreamPosition | undefined,
  requireSnapshot = false,
): Promise<UpstreamCatchUp<W, D>> {
  if (position !== undefined) {
    const read = await bus.read<D>(stream, position);
    if (read.ok) return { recovered: true, deltas: read.entries };
  }
  const kept = await bus.loadSnapshot<W>(stream);
  if (kept === undefined && requireSnapshot)
    throw new BusError(
      'catch_up_failed',
      `${stream}: no snapshot on the bus yet (the producer has not started it)`,
    );
  const snapshot = kept ?? {
    epoch: (await bus.position(stream)).epoch,
    seq: 0,
    data: model.snapshot(model.create()),
  };
  const read = await bus.read<D>(stream, snapshot);
  if (!read.ok) {
    throw new BusError(
      'catch_up_failed',
      `${stream}: the log does not follow on from the snapshot at ${snapshot.epoch}:${snapshot.seq} (${read.reason})`,
    );
  }
  return { recovered: false, snapshot, deltas: read.entries };
}
