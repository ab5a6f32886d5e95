import type { AppAdapter, Capability, RunningApp, StartOptions } from './AppAdapter.js';

/**
 * A deliberately broken server (or client link) that removes exactly the behaviour a property names. The suite runs
 * the property against it and requires it to fail: a property that passes on its canary proves nothing.
 */
export interface Canary {
  /** What is removed, in a few words ("server ignores resume"). */
  readonly name: string;
  /** Start options the canary overrides (a heartbeat turned off …). */
  readonly options?: Partial<StartOptions>;
  /** Breaks the running app; returns the app as the property sees it (an adapter wrapper), or nothing. */
  break?(app: RunningApp): RunningApp | void;
}

/** What a property runs with: how to start the app under test, how long to wait, and cleanup. */
export interface PropertyContext {
  /** Starts the app (with the canary applied, on a canary run); stopped after the test. */
  start(options?: StartOptions): Promise<RunningApp>;
  /** Waits until `condition` holds, for at most the run's patience. */
  until(what: string, condition: () => boolean | Promise<boolean>): Promise<void>;
  /** Registers cleanup, run after the test (last registered first). */
  defer(cleanup: () => unknown): void;
  /** A canary run: keep every wait short and stop at the first failure. */
  readonly canary: boolean;
}

/** One conformance property, with the canaries it must fail on. */
export interface Property {
  readonly name: string;
  /** Which apps it applies to: every app, or those that offer a capability. */
  readonly needs: 'common' | Capability;
  readonly canaries: readonly Canary[];
  run(context: PropertyContext): Promise<void>;
}

/** How long a property waits for convergence on a real run, and on a canary run (which must fail, so fail fast). */
const PATIENCE = { real: 15_000, canary: 2_500 };

/** Makes the context for one run of a property against `adapter`, with `canary` applied when given. */
export function propertyContext(adapter: AppAdapter, canary?: Canary) {
  const cleanups: (() => unknown)[] = [];
  const patience = canary === undefined ? PATIENCE.real : PATIENCE.canary;
  const context: PropertyContext = {
    canary: canary !== undefined,
    defer: (cleanup) => cleanups.push(cleanup),
    async start(options = {}) {
      const started = await adapter.start({ ...options, ...canary?.options });
      const app = canary?.break?.(started) ?? started;
      let stopped = false;
      const stop = app.stop;
      const crash = app.crash;
      const once = (run: () => Promise<void>) => async () => {
        if (stopped) return;
        stopped = true;
        await run();
      };
      const tracked: RunningApp = { ...app, stop: once(stop), crash: once(crash) };
      cleanups.push(() => tracked.crash());
      return tracked;
    },
    async until(what, condition) {
      const deadline = Date.now() + patience;
      while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  const cleanup = async () => {
    for (const run of cleanups.splice(0).reverse()) await run();
  };
  return { context, cleanup };
}

/** Sleeps `ms` (a property that must show nothing happens over a span of time, never an assertion on it). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
