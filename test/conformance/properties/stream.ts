import { expect } from 'vitest';
import type { RunningApp, StreamCapability } from '../AppAdapter.js';
import { ignoresResume, queueUnbounded, resyncLost, stallIgnored } from '../canaries.js';
import { pause, type Property, type PropertyContext } from '../Property.js';
import { followStream } from '../streamFollower.js';

/** The properties of apps that serve hop-1 streams (snapshot + delta, subscribe/resume). */

async function streamApp(context: PropertyContext): Promise<RunningApp & { stream: StreamCapability }> {
  const app = await context.start();
  if (app.stream === undefined) throw new Error('not a stream app');
  return app as RunningApp & { stream: StreamCapability };
}

function follow(context: PropertyContext, app: RunningApp & { stream: StreamCapability }) {
  const follower = followStream(app.stream);
  context.defer(() => follower.close());
  return follower;
}

export const streamProperties: Property[] = [
  {
    name: 'resume after a forced disconnect: replayed from the last seq, nothing lost, nothing duplicated',
    needs: 'stream',
    canaries: [ignoresResume],
    async run(context) {
      const app = await streamApp(context);
      await app.cause(50);
      const follower = follow(context, app);
      await context.until('the first snapshot', () => app.caughtUp(follower));
      const applied = follower.stream.replica.stats.applied;
      app.dropConnections();
      await app.cause(40);
      await context.until('convergence after the resume', () => app.caughtUp(follower));
      expect(follower.subscribed).toEqual([false, true]);
      expect(follower.stream.replica.stats.duplicates).toBe(0);
      expect(follower.stream.replica.stats.applied).toBeGreaterThan(applied);
      expect(follower.resyncs).toEqual([]);
    },
  },
  {
    name: 'a delta lost on the wire is detected as a gap, and the client converges after its resync',
    needs: 'stream',
    canaries: [resyncLost],
    async run(context) {
      const app = await streamApp(context);
      await app.cause(20);
      const follower = follow(context, app);
      await context.until('live', () => app.caughtUp(follower));
      follower.loseNextDelta();
      for (let i = 0; i < 5; i++) {
        await app.cause(10);
        await pause(20);
      }
      await context.until('convergence after the resync', () => app.caughtUp(follower));
      expect(follower.resyncs).toContain('gap');
    },
  },
  {
    name: 'a stalled consumer: nothing reaches it during the stall, its queue holds one entry per changed key, and it converges after',
    needs: 'stream',
    canaries: [stallIgnored, queueUnbounded],
    async run(context) {
      const app = await streamApp(context);
      const splitter = app.stream.model.splitter as
        { split(data: unknown): unknown[]; keyOf(change: unknown): string } | undefined;
      if (splitter === undefined) throw new Error(`${app.stream.stream} cannot be conflated`);
      const follower = follow(context, app);
      await context.until('live', () => app.caughtUp(follower));
      // What the stall may hold: one entry per distinct key changed while it lasts.
      const during = { on: false, keys: new Set<string>(), changes: 0 };
      app.stream.onDelta((delta) => {
        if (!during.on) return;
        for (const change of splitter.split(delta.data)) {
          during.keys.add(splitter.keyOf(change));
          during.changes++;
        }
      });
      const stall = (ms: number) => {
        const { event, payload } = app.stream.stallRequest(ms);
        return follower.client.request(event, payload);
      };
      // The stall lasts until it is ended below (10 s is its upper limit, far beyond the changes made in it).
      await stall(10_000);
      during.on = true;
      const framesBefore = follower.frames();
      let peak = 0;
      for (let round = 0; round < 10; round++) {
        await app.cause(30);
        await pause(20);
        peak = Math.max(peak, app.stream.queuedChanges());
      }
      during.on = false;
      const framesDuring = follower.frames() - framesBefore;
      await stall(0);
      expect(framesDuring, 'frames that reached the client during the stall').toBe(0);
      expect(during.changes, 'changes made during the stall exceed its distinct keys').toBeGreaterThan(
        during.keys.size,
      );
      expect(peak, 'the queue held what the stall kept back').toBeGreaterThan(0);
      expect(peak, 'at most one queued entry per changed key').toBeLessThanOrEqual(during.keys.size);
      await app.cause(5);
      await context.until('convergence after the stall', () => app.caughtUp(follower));
      expect(follower.resyncs).toEqual([]);
    },
  },
];
