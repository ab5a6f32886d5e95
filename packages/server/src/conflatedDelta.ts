import type { DrainedBatch } from '@twohop/conflation';
import type { DeltaMessage } from '@twohop/protocol';
import type { DeltaSplitter } from '@twohop/snapshot-delta';

/**
 * The delta that brings a subscriber through a drained conflated batch `from..seq` (protocol rule 3): the newest
 * change per key, joined; with the checksum and time of `latest` when it is the delta at `seq`.
 */
export function conflatedDelta(
  stream: string,
  epoch: string,
  batch: DrainedBatch<string, unknown>,
  splitter: DeltaSplitter<unknown>,
  latest: DeltaMessage<unknown> | undefined,
): DeltaMessage<unknown> {
  const { from, seq, changes } = batch;
  const newest = latest?.seq === seq ? latest : undefined;
  return {
    type: 'delta',
    stream,
    epoch,
    seq,
    ...(from < seq ? { from } : {}),
    data: splitter.join(changes.map((change) => change.value)),
    ...(newest?.checksum === undefined ? {} : { checksum: newest.checksum }),
    ...(newest?.ts === undefined ? {} : { ts: newest.ts }),
  };
}
