import {
  jsonPatchState,
  pointer,
  StreamPublisher,
  type Json,
  type JsonObject,
  type KeyedPatchOperation,
} from '@twohop/snapshot-delta';
import type { Bucket } from '../../domain/aggregation/Downsampler.js';
import { toAggregate } from '../../domain/aggregation/SiteAggregates.js';
import { SITE_STREAM, type EdgeEvent, type NodeState } from '../../domain/dashboardWire.js';
import type { NodePlacement } from '../../domain/site.js';

/** Options for {@link SiteTreeFeed}. */
export interface SiteTreeFeedOptions {
  /** Edge events kept in the tree for the stream inspector. @default 20 */
  events?: number;
  /** Stamps each delta (ms since the epoch) for latency measurement. @default Date.now */
  now?: () => number;
}

const place = (placement: NodePlacement, ...rest: string[]) =>
  pointer('buildings', placement.building, 'floors', placement.floor, ...rest);

/**
 * The `site` stream: the site as one JSON document — buildings → floors → edge nodes (online, bdSeq, gaps,
 * births, their devices' online flags) with each floor's and building's aggregates, plus the newest edge events —
 * changed by JSON Patch operations at the deepest path that changed, so a delta is as small as the change and a
 * slow dashboard's queue merges by path.
 */
export class SiteTreeFeed {
  readonly publisher: StreamPublisher<JsonObject, readonly KeyedPatchOperation[], JsonObject>;
  readonly #events: number;
  #eventSeq = 0;

  constructor(options: SiteTreeFeedOptions = {}) {
    this.#events = options.events ?? 20;
    this.publisher = new StreamPublisher({
      stream: SITE_STREAM,
      model: jsonPatchState(),
      timestamps: options.now ?? Date.now,
    });
  }

  /** Sets a whole node (its birth: every device unknown until its own birth). */
  setNode(placement: NodePlacement, node: string, state: NodeState): void {
    this.#publish([{ op: 'add', path: place(placement, 'nodes', node), value: state as unknown as Json }]);
  }

  /** Sets some fields of a node. */
  setNodeFields(placement: NodePlacement, node: string, fields: Partial<Omit<NodeState, 'devices'>>): void {
    this.#publish(
      Object.entries(fields).map(([field, value]) => ({
        op: 'add' as const,
        path: place(placement, 'nodes', node, field),
        value: value as Json,
      })),
    );
  }

  /** Sets one device's online flag. */
  setDevice(placement: NodePlacement, node: string, device: string, online: boolean): void {
    this.#publish([{ op: 'add', path: place(placement, 'nodes', node, 'devices', device), value: online }]);
  }

  /** Publishes closed aggregate buckets: series `b/f` are floors, `b` buildings. */
  aggregates(buckets: readonly Bucket[]): void {
    const operations = buckets.map((bucket): KeyedPatchOperation => {
      const [building = '', floor] = bucket.series.split('/');
      const path =
        floor === undefined
          ? pointer('buildings', building, 'agg', bucket.metric)
          : pointer('buildings', building, 'floors', floor, 'agg', bucket.metric);
      return { op: 'add', path, value: toAggregate(bucket) as unknown as Json };
    });
    this.#publish(operations);
  }

  /** Adds an edge event and drops the oldest past the bound. */
  event(event: EdgeEvent): void {
    const id = ++this.#eventSeq;
    const operations: KeyedPatchOperation[] = [
      { op: 'add', path: pointer('events', String(id)), value: event as unknown as Json },
    ];
    if (id > this.#events)
      operations.push({ op: 'remove', path: pointer('events', String(id - this.#events)) });
    this.#publish(operations);
  }

  #publish(operations: KeyedPatchOperation[]): void {
    if (operations.length > 0) this.publisher.publish(operations);
  }
}
