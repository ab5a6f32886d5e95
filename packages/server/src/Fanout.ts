import type { DeltaMessage } from '@twohop/protocol';
import type { AnySource } from './StreamCatalog.js';
import type { Subscription } from './Subscription.js';

interface StreamMembers<T> {
  readonly unsubscribe: () => void;
  readonly members: Map<Subscription, T>;
}

/**
 * Writes each delta once to every subscriber that keeps up. For each delta, every subscription of the stream is
 * offered it (`Subscription.offer`): those whose transport can take it now are collected and handed to
 * `broadcast` together — for socket.io, one `to(ids).emit`, which encodes the packet and frames the websocket
 * message once for all of them — and the others queue it in their own lanes, as always. A reset from the source
 * restarts every member from a fresh snapshot.
 */
export class Fanout<T> {
  readonly #streams = new Map<AnySource, StreamMembers<T>>();

  /**
   * @param broadcast writes `delta` at once to every target in `ready`; `held` are the stream's other members
   *   (they queued it), so a transport can address "the stream's members except these" when that is cheaper.
   */
  constructor(readonly broadcast: (delta: DeltaMessage<unknown>, ready: T[], held: T[]) => void) {}

  /** Drives `subscription` (created with `driven: true`), writing to `target` when it keeps up. */
  add(subscription: Subscription, target: T): void {
    const source = subscription.source;
    let stream = this.#streams.get(source);
    if (stream === undefined) {
      const members = new Map<Subscription, T>();
      const unsubscribe = source.subscribe((event) => {
        if (event.type === 'reset') {
          for (const member of members.keys()) member.restart();
          return;
        }
        const delta = event;
        const ready: T[] = [];
        const held: T[] = [];
        for (const [member, memberTarget] of members) {
          (member.offer(delta as DeltaMessage<unknown>) ? ready : held).push(memberTarget);
        }
        if (ready.length > 0) this.broadcast(delta as DeltaMessage<unknown>, ready, held);
      });
      stream = { unsubscribe, members };
      this.#streams.set(source, stream);
    }
    stream.members.set(subscription, target);
  }

  remove(subscription: Subscription): void {
    const stream = this.#streams.get(subscription.source);
    if (stream === undefined || !stream.members.delete(subscription)) return;
    if (stream.members.size === 0) {
      stream.unsubscribe();
      this.#streams.delete(subscription.source);
    }
  }
}
