import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HEARTBEAT, metricsNeverCounted, noGracefulClose, noHeartbeat } from '../canaries.js';
import { pause, type Property } from '../Property.js';
import { tcpEdge } from '../serverEdge.js';
import { hostileInput } from './hostile.js';

/** Sums the samples of `name` (exactly that metric name, any labels) in a Prometheus text exposition. */
function sample(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) sum += Number(match[3]);
  }
  return sum;
}

/** The properties every app has, whatever it serves. */
export const commonProperties: Property[] = [
  hostileInput,
  {
    name: 'heartbeat: an idle healthy connection stays live over several bounds, a silent one is declared dead',
    needs: 'common',
    canaries: [noHeartbeat],
    async run(context) {
      const app = await context.start({ heartbeat: HEARTBEAT });
      const edge = tcpEdge(app.http);
      const client = await app.follow({ heartbeatTimeoutMs: HEARTBEAT.boundMs });
      context.defer(() => client.close());
      await context.until('live', () => app.caughtUp(client));
      // Idle: nothing changes for three bounds; only the heartbeat keeps the connection alive.
      await pause(3 * HEARTBEAT.boundMs);
      expect(client.states, 'states while idle and healthy').not.toContain('reconnecting');
      // Silent: the server's side of the connection says nothing more (a network black hole).
      const speak = edge.silence();
      context.defer(speak);
      await context.until('the silence to be declared dead', () => client.states.includes('reconnecting'));
      speak();
      await app.cause(10);
      await context.until('convergence on a new connection', () => app.caughtUp(client));
    },
  },
  {
    name: '/healthz answers, and /metrics counts the traffic it saw',
    needs: 'common',
    canaries: [metricsNeverCounted],
    async run(context) {
      const app = await context.start();
      const scrape = async () => (await fetch(`${app.url}/metrics`)).text();
      const before = await scrape();
      const health = (await (await fetch(`${app.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', mode: 'embedded' });
      expect(typeof health['node']).toBe('string');
      // Traffic: a client follows and sees changes, is cut off and resumes; another client is refused once.
      const client = await app.follow();
      context.defer(() => client.close());
      await context.until('live', () => app.caughtUp(client));
      await app.cause(20);
      await context.until('the changes', () => app.caughtUp(client));
      app.dropConnections();
      await app.cause(5);
      await context.until('the resume', () => app.caughtUp(client));
      const refused = await app.connect();
      context.defer(() => refused.disconnect());
      await refused.timeout(2000).emitWithAck('no-such-request', {});
      const after = await scrape();
      for (const name of app.countedMetrics) {
        expect(sample(after, name), `${name} moved with the traffic`).toBeGreaterThan(sample(before, name));
      }
    },
  },
  {
    name: 'graceful shutdown tells clients to reconnect; after a restart they converge (a new epoch where nothing persisted)',
    needs: 'common',
    canaries: [noGracefulClose],
    async run(context) {
      const dataDir = mkdtempSync(join(tmpdir(), 'twohop-conformance-'));
      context.defer(() => rmSync(dataDir, { recursive: true, force: true }));
      const first = await context.start({ dataDir });
      await first.cause(30);
      const client = await first.follow();
      context.defer(() => client.close());
      await context.until('live', () => first.caughtUp(client));
      const observer = await first.connect();
      context.defer(() => observer.disconnect());
      const notices: { error?: { code?: string }; reconnect?: boolean }[] = [];
      observer.on('close-notice', (notice: (typeof notices)[number]) => notices.push(notice));
      const epoch = first.stream?.truth().epoch;
      await first.stop();
      await context.until('the client to notice', () => client.states.includes('reconnecting'));
      await context.until('the observer to be disconnected', () => !observer.connected);
      expect(notices, 'the close notice an observer received').toEqual([
        expect.objectContaining({
          error: expect.objectContaining({ code: 'server_shutdown' }),
          reconnect: true,
        }),
      ]);
      const second = await context.start({ port: first.port, dataDir });
      await second.cause(15);
      await context.until('convergence on the restarted app', () => second.caughtUp(client));
      if (second.stream !== undefined && !second.stream.persisted) {
        expect(second.stream.truth().epoch).not.toBe(epoch);
      }
    },
  },
];
