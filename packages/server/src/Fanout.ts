import type { DeltaMessage } from '@twohop/protocol';
import { systemClock, type Clock, type StreamPosition } from '@twohop/sequence';
import { SharedWindow } from './SharedWindow.js';
import type { AnySource } from './StreamCatalog.js';
import type { Subscription } from './Subscription.js';

interface StreamMembers<T> {
  readonly unsubscribe: () => void;
  readonly members: Map<Subscription, T>;
  /** A throttled stream's window, shared by its members in step (see {@link SharedWindow}). */
  readonly window: SharedWindow | undefined;
}

/** Options for {@link Fanout}. */
export interface FanoutOptions {
  /** Closes throttled streams' shared windows. @default systemClock */
  clock?: Clock;
}

/**
 * Writes each delta once to every subscriber that keeps up. For each delta, every subscription of the stream is
 * offered it (`Subscription.offer`): those whose transport can take it now are collected and handed to
 * `broadcast` together — for socket.io, one `to(ids).emit`, which encodes the packet and frames the websocket
 * message once for all of them — and the others queue it in their own lanes, as always. A reset from the source
 * restarts every member from a fresh snapshot.
 *
 * A throttled stream whose subscriptions have aligned windows (`Subscription.windowMs`) goes through one
 * {@link SharedWindow} instead: its deltas merge there once, and when the window closes its one conflated frame is
 * broadcast the same way to every member in step that can take it. Members out of step get the deltas one by one
 * into their own lanes, as above, until they are back in step.
 */
export class Fanout<T> {
  readonly #streams = new Map<AnySource, StreamMembers<T>>();
  readonly #clock: Clock;

  /**
   * @param broadcast writes `delta` at once to every target in `ready`; `held` are the stream's other members
   *   (they queued it), so a transport can address "the stream's members except these" when that is cheaper.
   */
  constructor(
    readonly broadcast: (delta: DeltaMessage<unknown>, ready: T[], held: T[]) => void,
    options: FanoutOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Drives `subscription` (created with `driven: true`), writing to `target` when it keeps up. */
  add(subscription: Subscription, target: T): void {
    const source = subscription.source;
    let stream = this.#streams.get(source);
    if (stream === undefined) {
      const members = new Map<Subscription, T>();
      const windowMs = subscription.windowMs;
      const window =
        windowMs > 0
          ? new SharedWindow({
              source,
              intervalMs: windowMs,
              clock: this.#clock,
              onClose: (frame, opened) => this.#closed(members, frame, opened),
            })
          : undefined;
      const unsubscribe = source.subscribe((event) => {
        if (event.type === 'reset') {
          window?.restart(source.position);
          for (const member of members.keys()) member.restart();
        } else if (window === undefined) this.#offer(members, event as DeltaMessage<unknown>);
        else this.#offerWindowed(members, window, event as DeltaMessage<unknown>);
      });
      stream = { unsubscribe, members, window };
      this.#streams.set(source, stream);
    }
    stream.members.set(subscription, target);
    if (stream.window !== undefined) subscription.shareWindow(stream.window);
  }

  remove(subscription: Subscription): void {
    const stream = this.#streams.get(subscription.source);
    if (stream === undefined || !stream.members.delete(subscription)) return;
    if (stream.members.size === 0) {
      stream.unsubscribe();
      stream.window?.dispose();
      this.#streams.delete(subscription.source);
    }
  }

  #offer(members: Map<Subscription, T>, delta: DeltaMessage<unknown>): void {
    const ready: T[] = [];
    const held: T[] = [];
    for (const [member, target] of members) (member.offer(delta) ? ready : held).push(target);
    if (ready.length > 0) this.broadcast(delta, ready, held);
  }

  #offerWindowed(members: Map<Subscription, T>, window: SharedWindow, delta: DeltaMessage<unknown>): void {
    const { epoch, seq } = window.opened;
    if (delta.epoch !== epoch) {
      // A new epoch (rule 4): every member goes to a snapshot of it, and the window opens again there.
      window.restart(delta);
      for (const member of members.keys()) member.offer(delta);
      return;
    }
    // Members at the window's start are covered by it; the others take the delta into their own lanes (a
    // throttled stream's offer always queues).
    for (const member of members.keys()) if (!member.isAt(epoch, seq)) member.offer(delta);
    window.push(delta);
  }

  #closed(members: Map<Subscription, T>, frame: DeltaMessage<unknown>, opened: StreamPosition): void {
    const ready: T[] = [];
    const held: T[] = [];
    for (const [member, target] of members) {
      (member.isAt(opened.epoch, opened.seq) && member.offer(frame, true) ? ready : held).push(target);
    }
    if (ready.length > 0) this.broadcast(frame, ready, held);
  }
}
