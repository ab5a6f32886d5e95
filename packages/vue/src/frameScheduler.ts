/** Requests a callback before the next repaint, and cancels one: `requestAnimationFrame` in a browser. */
export interface FrameClock {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

/** The browser's animation frames. */
export const animationFrames: FrameClock = {
  request: (callback) => requestAnimationFrame(() => callback()),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/**
 * Batches notifications into animation frames: however many times {@link FrameScheduler.request} is called between
 * two repaints, `onFrame` runs once, before the next one. A stream at a thousand deltas a second then costs a UI
 * sixty renders a second, not a thousand.
 */
export class FrameScheduler {
  #handle: number | undefined;
  #frames = 0;

  constructor(
    readonly onFrame: () => void,
    readonly clock: FrameClock = animationFrames,
  ) {}

  /** Something changed: run `onFrame` before the next repaint (once, however often this is called). */
  request(): void {
    if (this.#handle !== undefined) return;
    this.#handle = this.clock.request(() => {
      this.#handle = undefined;
      this.#frames++;
      this.onFrame();
    });
  }

  /** Whether a frame is requested and has not run yet. */
  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** Frames run so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Drops the requested frame, if any (on unmount). */
  cancel(): void {
    if (this.#handle !== undefined) this.clock.cancel(this.#handle);
    this.#handle = undefined;
  }
}
