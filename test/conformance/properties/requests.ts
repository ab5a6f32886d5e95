import { expect } from 'vitest';
import type { RequestCapability, RunningApp } from '../AppAdapter.js';
import { catchUpAnswersNothing, ignoresResume, replyBoundRemoved } from '../canaries.js';
import { pause, type Property, type PropertyContext } from '../Property.js';

/**
 * The properties of apps whose clients follow an acknowledged, numbered history (a chat room): the request/ack
 * equivalents of the stream properties — a catch-up instead of a replay, a missed delivery found by its seq instead
 * of a delta gap, a reader that stops reading bounded on the request path instead of a conflating queue.
 */

/** The stalled-reader property's name (adapters that fail it today name it). */
export const STALLED_READER =
  'a reader that stops reading: the server holds a bounded amount for it, and serves it once it reads again';

async function requestApp(context: PropertyContext): Promise<RunningApp & { requests: RequestCapability }> {
  const app = await context.start();
  if (app.requests === undefined) throw new Error('not a request/ack app');
  return app as RunningApp & { requests: RequestCapability };
}

export const requestProperties: Property[] = [
  {
    name: 'catch-up after a forced disconnect: every missed entry arrives once, from the last seq, past a page',
    needs: 'requests',
    canaries: [ignoresResume],
    async run(context) {
      const app = await requestApp(context);
      await app.cause(10);
      const client = await app.requests.follow();
      context.defer(() => client.close());
      await context.until('the first page', () => app.caughtUp(client));
      const release = client.holdReconnect();
      context.defer(release);
      app.dropConnections();
      await context.until('the client to notice', () => client.states.includes('reconnecting'));
      // More than one reply can hold is missed while the client is away.
      await app.cause(2 * app.requests.pageSize + 7);
      release();
      await context.until('convergence after the catch-up', () => app.caughtUp(client));
      expect(client.stats.rejoins).toBeGreaterThan(0);
      expect(client.stats.duplicates).toBe(0);
      expect(client.held()).toBeGreaterThan(2 * app.requests.pageSize);
    },
  },
  {
    name: 'a delivery lost on the wire is found by its seq and filled',
    needs: 'requests',
    canaries: [catchUpAnswersNothing],
    async run(context) {
      const app = await requestApp(context);
      await app.cause(5);
      const client = await app.requests.follow();
      context.defer(() => client.close());
      await context.until('the first page', () => app.caughtUp(client));
      client.loseNextDelivery();
      await app.cause(1);
      await app.cause(3);
      await context.until('the hole to be filled', () => app.caughtUp(client));
      expect(client.stats.gaps).toBe(1);
      expect(client.stats.duplicates).toBe(0);
    },
  },
  {
    name: STALLED_READER,
    needs: 'requests',
    canaries: [replyBoundRemoved],
    async run(context) {
      const app = await requestApp(context);
      const reader = await app.requests.stalledReader();
      context.defer(() => reader.close());
      reader.stall();
      let peak = 0;
      // Requests keep coming at a pace within the app's rate limit, each asking for a full page, while nothing is read.
      for (let round = 0; round < 40 && !reader.closed(); round++) {
        reader.send();
        await pause(50);
        peak = Math.max(peak, reader.serverBuffered());
      }
      const repliesDuring = reader.replies();
      reader.resume();
      expect(repliesDuring, 'replies that reached the reader while it did not read').toBe(0);
      expect(peak, 'bytes the server held for the reader').toBeLessThanOrEqual(reader.bound);
      // Reading again, it is answered (or it was cut as a slow consumer, and a reconnect would catch up).
      await context.until(
        'the reader to be answered or cut',
        () => reader.closed() || reader.replies() === reader.sent(),
      );
    },
  },
];
