import { createHash } from 'node:crypto';
import type { Delivery, FollowedStream, StreamPosition } from './ClusterAdapter.js';

/** Positions whose state a record keeps (a digest each), newest last. */
const KEPT_STATES = 4096;

/**
 * What a client saw of one stream, fed by the adapter as its client sees it, for an adapter whose client is not a
 * `StreamClient` (a chat session following a room): each delivery before it is applied, each (re)subscribe's answer,
 * each resync, and the state after each change. `followStreams` feeds one per stream from a `StreamClient`'s events.
 */
export class StreamRecord implements FollowedStream {
  readonly deliveries: Delivery[] = [];
  readonly resumes: boolean[] = [];
  readonly resyncs: string[] = [];
  readonly states = new Map<string, string>();

  /** `position` is where the client is now: undefined until it holds its first snapshot (or history). */
  constructor(
    readonly name: string,
    readonly kind: FollowedStream['kind'],
    readonly position: () => StreamPosition | undefined,
  ) {}

  /** Changes `from..seq` arrived (call before the client applies them); `ts` is the server's time of the change. */
  delivered(from: number, seq: number, ts?: number): void {
    const at = this.position();
    this.deliveries.push({ from, seq, at, arrived: Date.now(), ...(ts === undefined ? {} : { ts }) });
  }

  /** A (re)subscribe or re-join was answered: `recovered` when the node replayed what was missed. */
  subscribed(recovered: boolean): void {
    this.resumes.push(recovered);
  }

  /** The client asked for a fresh snapshot, for `reason`. */
  resynced(reason: string): void {
    this.resyncs.push(reason);
  }

  /** The client's state changed: `canonical` is its canonical text at the current position. */
  changed(canonical: string): void {
    const at = this.position();
    if (at === undefined) return;
    this.states.set(`${at.epoch}:${at.seq}`, createHash('sha1').update(canonical).digest('base64'));
    // Bounded: the oldest position goes first (a Map keeps insertion order).
    if (this.states.size > KEPT_STATES) this.states.delete(this.states.keys().next().value!);
  }
}
