import { systemClock, type Clock } from '@twohop/sequence';

/** What a lot's countdown shows at one instant. */
export interface CountdownView {
  /** Time left by the server's clock, never below 0; undefined until the server's time is known. */
  readonly remainingMs: number | undefined;
  /** Whether a bid may be placed: the lot is open and its time has not run out. */
  readonly biddable: boolean;
  /** A bid moved the close later within the last `flashMs` (the page flashes the clock). */
  readonly extended: boolean;
}

/** The server's clock as the countdown reads it ({@link ServerClock}). */
export interface ServerTime {
  now(): number | undefined;
}

/**
 * One lot's countdown: the close (`endsAt`, the server's wall clock) minus the server's time as the client
 * estimates it. An `endsAt` later than the last one seen is an extension (a bid in the closing seconds), shown for
 * `flashMs` from the moment the client saw it. At zero bidding stops on the page, whatever the lot's status says
 * yet: the server will refuse a late bid anyway, and its close follows.
 */
export class Countdown {
  #endsAt: number | undefined;
  #open = false;
  #extendedAt: number | undefined;

  constructor(
    readonly server: ServerTime,
    readonly clock: Clock = systemClock,
    readonly flashMs = 1500,
  ) {}

  /** The lot's close and whether it is open, as its stream says now. */
  update(endsAt: number, open: boolean): void {
    if (this.#endsAt !== undefined && endsAt > this.#endsAt) this.#extendedAt = this.clock.now();
    this.#endsAt = endsAt;
    this.#open = open;
  }

  view(): CountdownView {
    const now = this.server.now();
    const remainingMs =
      now === undefined || this.#endsAt === undefined ? undefined : Math.max(0, this.#endsAt - now);
    return {
      remainingMs,
      biddable: this.#open && remainingMs !== undefined && remainingMs > 0,
      extended: this.#extendedAt !== undefined && this.clock.now() - this.#extendedAt < this.flashMs,
    };
  }
}

/** `1:05:09`, `4:07`, `0:09.4` under ten seconds (the closing seconds are when a tenth matters). */
export function formatRemaining(ms: number | undefined): string {
  if (ms === undefined) return '–:––';
  if (ms < 10_000) return `0:0${(Math.floor(ms / 100) / 10).toFixed(1)}`;
  const seconds = Math.floor(ms / 1000);
  const s = String(seconds % 60).padStart(2, '0');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}:${s}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${s}`;
}
