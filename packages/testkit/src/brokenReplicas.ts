import {
  Replica,
  keyedState,
  type DeltaMessage,
  type KeyedChange,
  type ResyncReason,
} from '@twohop/snapshot-delta';
import type { SimulatedMessage, SimulatedReplica } from './simulationTypes.js';
import { keyedChecksum } from './stateChecksum.js';

/** One client rule (`docs/protocol.md`) a canary replica breaks. */
export type BrokenRule =
  /** Rule 3: a delta that starts beyond the next expected seq is applied as if it joined. */
  | 'no-gap-check'
  /** Rule 3: a duplicate (`seq <= applied`) is applied again instead of dropped. */
  | 'duplicates-reapplied'
  /** Rule 4: a delta from another epoch is taken as part of the current history. */
  | 'epoch-ignored'
  /** Rule 5: checksums are never verified. */
  | 'checksum-ignored';

export const brokenRules: readonly BrokenRule[] = [
  'no-gap-check',
  'duplicates-reapplied',
  'epoch-ignored',
  'checksum-ignored',
];

type Changes = readonly KeyedChange<number>[];

/**
 * A canary for the simulation: the real {@link Replica} with exactly one client rule defeated, by rewriting what
 * reaches it (or, for duplicates, applying what it drops). The simulation must fail on each one; a check that
 * passes on a canary proves nothing about the rule.
 */
export function brokenReplica(
  rule: BrokenRule,
  options: { checksum: boolean },
): (onResync: (reason: ResyncReason) => void) => SimulatedReplica {
  return (onResync) => {
    const model = keyedState<number>();
    const verifies = options.checksum && rule !== 'checksum-ignored';
    const replica = new Replica({
      model,
      onResync,
      maxBuffered: 64,
      ...(verifies ? { checksum: keyedChecksum } : {}),
    });
    const receiveDelta = (delta: DeltaMessage<Changes>) => {
      const at = replica.status === 'live' ? replica.position : undefined;
      if (at === undefined) return void replica.receive(delta);
      const from = delta.from ?? delta.seq;
      if (rule === 'no-gap-check' && delta.epoch === at.epoch && from > at.seq + 1) {
        replica.receive({ ...delta, from: at.seq + 1 });
      } else if (rule === 'duplicates-reapplied' && delta.epoch === at.epoch && delta.seq <= at.seq) {
        model.apply(replica.state, delta.data);
      } else if (rule === 'epoch-ignored' && delta.epoch !== at.epoch) {
        replica.receive({ ...delta, epoch: at.epoch });
      } else replica.receive(delta);
    };
    return {
      get status() {
        return replica.status;
      },
      get position() {
        return replica.position;
      },
      get state() {
        return replica.state;
      },
      receive(message: SimulatedMessage) {
        if (message.type === 'delta') receiveDelta(message);
        else if (message.type === 'batch') message.items.forEach(receiveDelta);
        else replica.receive(message);
      },
    };
  };
}
