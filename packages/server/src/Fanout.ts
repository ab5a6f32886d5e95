import type { DeltaMessage } from '@twohop/protocol';
import type { AnyPublisher } from './StreamCatalog.js';
import type { Subscription } from './Subscription.js';

interface StreamMembers<T> {
  readonly unsubscribe: () => void;
  readonly members: Map<Subscription, T>;
}

/**
 * Writes each delta once to every subscriber that keeps up. For each delta, every subscription of the stream is
 * offered it (`Subscription.offer`): those whose transport can take it now are collected and handed to
 * `broadcast` together — for socket.io, one `to(ids).emit`, which encodes the packet and frames the websocket
 * message once for all of them — and the others queue it in their own lanes, as always.
 */
export class Fanout<T> {
  readonly #streams = new Map<AnyPublisher, StreamMembers<T>>();

  /** @param broadcast writes `delta` to every target at once. */
  constructor(readonly broadcast: (delta: DeltaMessage<unknown>, targets: T[]) => void) {}

  /** Drives `subscription` (created with `driven: true`), writing to `target` when it keeps up. */
  add(subscription: Subscription, target: T): void {
    const publisher = subscription.publisher;
    let stream = this.#streams.get(publisher);
    if (stream === undefined) {
      const members = new Map<Subscription, T>();
      const unsubscribe = publisher.subscribe((delta) => {
        const targets: T[] = [];
        for (const [member, memberTarget] of members) {
          if (member.offer(delta as DeltaMessage<unknown>)) targets.push(memberTarget);
        }
        if (targets.length > 0) this.broadcast(delta as DeltaMessage<unknown>, targets);
      });
      stream = { unsubscribe, members };
      this.#streams.set(publisher, stream);
    }
    stream.members.set(subscription, target);
  }

  remove(subscription: Subscription): void {
    const stream = this.#streams.get(subscription.publisher);
    if (stream === undefined || !stream.members.delete(subscription)) return;
    if (stream.members.size === 0) {
      stream.unsubscribe();
      this.#streams.delete(subscription.publisher);
    }
  }
}
