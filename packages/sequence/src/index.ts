/**
 * @twohop/sequence — numbering a stream's changes and noticing when some are missing.
 *
 * Server side: {@link Sequencer} (epoch + seq). Receiver side: {@link GapDetector} (protocol rules 3 and 4),
 * {@link ReorderWindow} for transports that may reorder. Devices: {@link WrappingCounter} with
 * {@link wrappingSpace}. Nothing here depends on Node, a transport or a framework.
 */
export { systemClock, type Clock, type TimerHandle } from './Clock.js';
export { ManualClock } from './ManualClock.js';
export { GapDetector, isWellFormed, type GapDetectorOptions } from './GapDetector.js';
export {
  ReorderWindow,
  type ReorderOutcome,
  type ReorderWindowOptions,
  type SequenceGap,
} from './ReorderWindow.js';
export { Sequencer, randomEpochId, type SequencerOptions } from './Sequencer.js';
export { linearSpace, wrappingSpace, type SequenceSpace } from './SequenceSpace.js';
export type { SequencedRange, StreamPosition, Verdict } from './types.js';
export { WrappingCounter } from './WrappingCounter.js';
