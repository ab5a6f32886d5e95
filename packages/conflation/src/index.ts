/**
 * @twohop/conflation — keeping a slow consumer's outbound queue bounded without losing state.
 *
 * {@link ConflatingQueue} merges keyed changes so memory is bounded by distinct keys; {@link Throttle} caps a
 * frequency; {@link Batcher} groups unmergeable items; {@link PriorityLanes} puts the three together for one
 * consumer, pulled whenever the transport can write. No Node, transport or framework dependency.
 */
export { Batcher, type BatcherOptions } from './Batcher.js';
export {
  ConflatingQueue,
  type ConflatingQueueOptions,
  type ConflationStats,
  type DrainedBatch,
  type QueuedChange,
} from './ConflatingQueue.js';
export {
  PriorityLanes,
  type LaneFrame,
  type LaneOverflow,
  type OverflowPolicy,
  type PriorityLanesOptions,
} from './PriorityLanes.js';
export { Throttle, nextRunAt, type ThrottleOptions } from './Throttle.js';
