import { GapDetector } from '@twohop/sequence';
import {
  keyedState,
  Replica,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import type { ChatMessage, PresenceEntry } from '../domain/wire.js';

/** Rooms are persistent histories: one epoch forever. */
export const EPOCH = 'chat';

/**
 * An open room as a session holds it: its timeline in seq order (no duplicates), the gap detector that knows the
 * newest seq held with nothing missing before it, the change-feed position, presence, typing and receipts.
 */
export class RoomTimeline {
  /** Messages in seq order, no duplicates. */
  readonly messages: ChatMessage[] = [];
  readonly #seqs = new Set<number>();
  /** Seq of the newest message held with nothing missing before it (up to the oldest page loaded). */
  readonly detector = new GapDetector({ epoch: EPOCH, seq: 0 });
  /** The room's change feed position: edits and deletes up to here are applied. */
  lastChange = 0;
  /** Whether older messages than the first held exist (scroll-back loads them). */
  hasOlder = false;
  readonly presence: Replica<
    KeyedState<PresenceEntry>,
    readonly KeyedChange<PresenceEntry>[],
    KeyedSnapshot<PresenceEntry>
  >;
  /** Who is typing, until when (the session's clock). */
  readonly typing = new Map<string, { name: string; until: number }>();
  /** Read receipts of the others: user id → last seq read. */
  readonly receipts = new Map<string, number>();

  constructor(
    readonly name: string,
    onPresenceResync: () => void,
  ) {
    this.presence = new Replica({ model: keyedState<PresenceEntry>(), onResync: onPresenceResync });
  }

  /** The newest seq held without a hole after it. */
  get lastSeq(): number {
    return this.detector.applied;
  }

  /** Whether the timeline holds message `seq`. */
  has(seq: number): boolean {
    return this.#seqs.has(seq);
  }

  /** The first seq held past a hole after {@link RoomTimeline.lastSeq}, if any. */
  get firstAfterHole(): number | undefined {
    if (this.has(this.lastSeq + 1)) return undefined;
    return this.messages.find((message) => message.seq > this.lastSeq)?.seq;
  }

  /** Adds messages (any order, duplicates ignored), keeping seq order; returns how many were new. */
  merge(messages: readonly ChatMessage[]): number {
    let added = 0;
    let sorted = true;
    for (const message of messages) {
      if (this.#seqs.has(message.seq)) continue;
      const last = this.messages.at(-1);
      if (last !== undefined && last.seq > message.seq) sorted = false;
      this.messages.push(message);
      this.#seqs.add(message.seq);
      added++;
    }
    if (!sorted) this.messages.sort((a, b) => a.seq - b.seq);
    this.hasOlder = (this.messages[0]?.seq ?? 1) > 1;
    return added;
  }

  /** Moves the detector past every message now held contiguously (a fresh timeline starts at its first page). */
  advance(): void {
    const first = this.messages[0];
    if (this.lastSeq === 0 && first !== undefined) this.detector.reset({ epoch: EPOCH, seq: first.seq - 1 });
    while (this.has(this.lastSeq + 1)) this.detector.advanceTo(this.lastSeq + 1);
  }

  /**
   * Forgets every message up to `seq`: after a long absence the session keeps the newest part of the timeline and
   * lets scroll-back load the rest, rather than paging through everything missed.
   */
  dropThrough(seq: number): void {
    const kept = this.messages.filter((message) => message.seq > seq);
    this.messages.splice(0, this.messages.length, ...kept);
    this.#seqs.clear();
    for (const message of kept) this.#seqs.add(message.seq);
    this.detector.reset({ epoch: EPOCH, seq: (kept[0]?.seq ?? seq + 1) - 1 });
    this.hasOlder = true;
  }

  /** Replaces a held message by a newer version of it (an edit or a delete); an older copy never undoes one. */
  update(message: ChatMessage): void {
    this.lastChange = Math.max(this.lastChange, message.change);
    if (!this.#seqs.has(message.seq)) return;
    const index = this.messages.findIndex((held) => held.seq === message.seq);
    const held = this.messages[index];
    if (held !== undefined && held.version <= message.version) this.messages[index] = message;
  }
}
