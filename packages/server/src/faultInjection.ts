import type { Clock } from '@twohop/sequence';
import { z } from 'zod';
import { RequestRouter } from './RequestRouter.js';

/** What one `fault` request takes from the connection's budget: a stall is worth several ordinary requests. */
export const FAULT_COST = 5;

/** The longest stall a `fault` may ask for, in ms. */
const MAX_FAULT_MS = 10_000;

/** What a `fault` request acts on: the connection's own writability. */
export interface FaultTarget {
  stall(ms: number): void;
}

/**
 * The demo's fault injection, as a request with a strict schema (a UI's "Stall" button): `fault {kind: 'stall', ms}`
 * makes the connection report itself unwritable for `ms` (at most 10 s), so the server conflates for it and the
 * client then catches up. Served by every binding that is given `allowFaultInjection`.
 */
export const faultRequests = new RequestRouter<FaultTarget>().add('fault', {
  schema: z.strictObject({ kind: z.literal('stall'), ms: z.number().int().min(0).max(MAX_FAULT_MS) }),
  cost: FAULT_COST,
  handle: ({ ms }, target) => (target.stall(ms), {}),
});

/** One connection's injected stall: whether it is on, and the drain it owes its listeners when it ends. */
export class InjectedStall implements FaultTarget {
  #until = 0;
  readonly #clock: Clock;
  readonly #onEnd: () => void;

  /** @param onEnd called when a stall ends, as the transport's own drain would be. */
  constructor(clock: Clock, onEnd: () => void) {
    this.#clock = clock;
    this.#onEnd = onEnd;
  }

  /** Whether the connection is stalled now. */
  get active(): boolean {
    return this.#until !== 0 && this.#clock.now() < this.#until;
  }

  stall(ms: number): void {
    this.#until = this.#clock.now() + ms;
    this.#clock.setTimeout(() => {
      this.#until = 0;
      this.#onEnd();
    }, ms);
  }
}
