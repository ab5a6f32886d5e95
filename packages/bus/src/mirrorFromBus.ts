import type { StreamPosition } from '@twohop/sequence';
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
 * once. Resolves once the mirror is live; put `mirror` in a `StreamCatalog` to serve it.
 */
export async function mirrorFromBus<S, D, W>(
  options: MirrorFromBusOptions<S, D, W>,
): Promise<BusMirror<S, D, W>> {
  const { bus, stream, model } = options;
  const mirror = new StreamMirror<S, D, W>({
    ...options,
    catchUp: (position) => catchUpFromBus(bus, stream, model, position),
  });
  const tail = await bus.tail<D>(stream, (event) => {
    if (event.type === 'entry') mirror.receive(event.entry);
    else mirror.resync();
  });
  await mirror.start();
  return {
    mirror,
    async close() {
      mirror.close();
      await tail.close();
    },
  };
}

/**
 * What a mirror at `position` needs from the bus to be in step: the log after it while the log still holds it,
 * else the kept snapshot (or the empty state at seq 0 when none was kept) and the log after that. Rejects with
 * `catch_up_failed` when neither joins up (a snapshot older than the log's trimmed start); the mirror retries.
 */
export async function catchUpFromBus<S, D, W>(
  bus: Bus,
  stream: string,
  model: StateModel<S, D, W>,
  position: StreamPosition | undefined,
): Promise<UpstreamCatchUp<W, D>> {
  if (position !== undefined) {
    const read = await bus.read<D>(stream, position);
    if (read.ok) return { recovered: true, deltas: read.entries };
  }
  const snapshot = (await bus.loadSnapshot<W>(stream)) ?? {
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
