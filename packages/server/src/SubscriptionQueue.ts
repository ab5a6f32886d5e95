import { PriorityLanes, type PriorityLanesOptions } from '@twohop/conflation';
import { streamKind, type StreamMetrics } from '@twohop/metrics';
import type { DeltaMessage } from '@twohop/protocol';
import type { CatalogEntry } from './StreamCatalog.js';
import type { SubscriptionOptions } from './subscriptionOptions.js';

type Lanes = PriorityLanes<string, unknown, DeltaMessage<unknown>>;

/**
 * What a `Subscription` holds once something has had to queue — its lanes, and what its conflated frames and
 * metrics need — made then, so a subscriber that keeps up holds none of it.
 */
export class SubscriptionQueue {
  /** The newest queued delta: its checksum and time go on a conflated delta that ends at its seq. */
  latest: DeltaMessage<unknown> | undefined;
  /** When the lanes started holding what they hold now, for the queue-delay metric. */
  queuedSince: number | undefined;
  /** Merges already added to the metrics. */
  #merged = 0;

  readonly lanes: Lanes;

  /** Lanes for `entry`'s deltas: merged by key (at most once per interval) unless reliable, then bounded. */
  constructor(
    entry: CatalogEntry,
    options: SubscriptionOptions,
    callbacks: Pick<PriorityLanesOptions<unknown>, 'onReady' | 'onOverflow'>,
  ) {
    this.lanes = new PriorityLanes({
      ...callbacks,
      clock: options.clock,
      priorityCapacity: options.priorityCapacity,
      overflow: entry.delivery === 'reliable' ? 'resync' : 'disconnect',
      conflated: {
        intervalMs: entry.intervalMs,
        aligned: options.aligned === true,
        order: entry.source.model.splitter?.order ?? 'first-queued',
      },
    });
  }

  /** Changes waiting in the lanes. */
  get size(): number {
    return this.lanes.conflatedQueue.size + this.lanes.unconflatedQueued;
  }

  /** A frame was taken from the lanes: the queue-delay metric gets how long its oldest change waited. */
  taken({ clock, metrics }: Pick<SubscriptionOptions, 'clock' | 'metrics'>, stream: string): void {
    if (this.queuedSince === undefined) return;
    metrics?.queueDelay.observe({ stream: streamKind(stream) }, (clock.now() - this.queuedSince) / 1000);
    this.queuedSince = this.size > 0 ? clock.now() : undefined;
  }

  /** Adds the conflated lane's merges since the last call to `metrics`. */
  collectMerges(metrics: StreamMetrics | undefined, stream: string): void {
    const merged = this.lanes.conflatedQueue.stats.merged;
    if (merged > this.#merged)
      metrics?.conflatedMerges.inc({ stream: streamKind(stream) }, merged - this.#merged);
    this.#merged = merged;
  }
}
