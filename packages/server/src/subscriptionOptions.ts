import type { StreamMetrics } from '@twohop/metrics';
import type { Clock } from '@twohop/sequence';

/** Options for a `Subscription` (and the queue it makes when something first has to wait). */
export interface SubscriptionOptions {
  clock: Clock;
  /**
   * Whether a `Fanout` offers this subscription each delta (to write it to every subscriber that keeps up
   * at once) instead of the subscription listening to the source itself. @default false
   */
  driven?: boolean;
  /**
   * Whether a throttled stream's frames close at the end of fixed windows of its interval on the clock, the same
   * instant for every subscriber (see `Subscription.windowMs`), so a `Fanout` can make one frame per
   * window for all of them. @default false
   */
  aligned?: boolean;
  priorityCapacity: number;
  metrics?: StreamMetrics | undefined;
}
