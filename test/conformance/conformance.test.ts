import { StreamClient, type ClientStream, type ConnectionState, type TransportFactory } from '@twohop/client';
import { isErrorCode } from '@twohop/protocol';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import { waitFor } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from './AppAdapter.js';
import { apps } from './registry.js';

const SEED = 0xc0f0;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Wraps a transport so that, once armed, the next delta is lost on the wire (a lossy network, from outside). */
function lossy(factory: TransportFactory) {
  const loss = { armed: false };
  const wrapped: TransportFactory = () => {
    const transport = factory();
    return {
      ...transport,
      open: (handlers) =>
        transport.open({
          ...handlers,
          onMessage: (message) => {
            if (loss.armed && message.type === 'delta') {
              loss.armed = false;
              return;
            }
            handlers.onMessage(message);
          },
        }),
    };
  };
  return { wrapped, loss };
}

/** A client of `app` the way its own clients connect, following its stream with a verifying replica. */
function follow(app: RunningApp, options: { heartbeatTimeoutMs?: number } = {}) {
  const { wrapped, loss } = lossy(app.transport());
  const client = new StreamClient({
    transport: wrapped,
    backoff: { baseMs: 20, capMs: 200 },
    ...(options.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: options.heartbeatTimeoutMs }),
  });
  cleanups.push(() => client.close());
  const stream: ClientStream<unknown, unknown, unknown> = client.subscribe(app.stream, {
    model: app.model,
    ...(app.checksum === undefined ? {} : { checksum: app.checksum }),
  });
  const subscribed: boolean[] = [];
  const resyncs: string[] = [];
  const states: ConnectionState[] = [];
  client.events.on('subscribed', ({ recovered }) => subscribed.push(recovered));
  client.events.on('resync', ({ reason }) => resyncs.push(reason));
  client.events.on('state', (state) => states.push(state));
  const caughtUp = () => {
    const truth = app.truth();
    const position = stream.replica.position;
    return (
      position?.epoch === truth.epoch &&
      position.seq === truth.seq &&
      app.same(stream.replica.state, truth.state)
    );
  };
  return { client, stream, subscribed, resyncs, states, caughtUp, loss };
}

describe.each(apps)('conformance: $name', (adapter) => {
  async function start(port?: number) {
    const app = await adapter.start(port);
    cleanups.push(() => app.stop());
    return app;
  }

  it('resume after a forced disconnect: nothing lost, nothing duplicated', async () => {
    const app = await start();
    app.cause(50);
    const follower = follow(app);
    await waitFor('the first snapshot', follower.caughtUp);
    const applied = follower.stream.replica.stats.applied;
    app.dropConnections();
    app.cause(40);
    await waitFor('convergence after the resume', follower.caughtUp);
    expect(follower.subscribed).toEqual([false, true]);
    expect(follower.stream.replica.stats.duplicates).toBe(0);
    expect(follower.stream.replica.stats.applied).toBeGreaterThan(applied);
    expect(follower.resyncs).toEqual([]);
  });

  it('an injected gap is detected and the client converges after resync', async () => {
    const app = await start();
    app.cause(20);
    const follower = follow(app);
    await waitFor('live', follower.caughtUp);
    // Inject the gap on the wire: the next delta never reaches the client.
    follower.loss.armed = true;
    for (let i = 0; i < 5; i++) {
      app.cause(10);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor('convergence after the resync', follower.caughtUp);
    expect(follower.resyncs).toContain('gap');
  });

  it('a stalled consumer: the server queue stays bounded, and the consumer converges once it reads again', async () => {
    const app = await start();
    const follower = follow(app);
    await waitFor('live', follower.caughtUp);
    await follower.client.request(app.stallRequest.event, app.stallRequest.payload(1500));
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      app.cause(300);
      peak = Math.max(peak, app.queuedChanges());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(app.queueBound());
    await waitFor('convergence after the stall', follower.caughtUp);
    expect(follower.resyncs).toEqual([]);
  });

  it(`hostile input (fast-check seed ${SEED}): error codes, the server stays up, other clients carry on`, async () => {
    const app = await start();
    const bystander = follow(app);
    await waitFor('the bystander', bystander.caughtUp);
    const hostile = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    cleanups.push(() => hostile.disconnect());
    await new Promise<void>((resolve) => hostile.once('connect', () => resolve()));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'resync', 'nope'), fc.string({ maxLength: 20 })),
        fc.oneof(fc.anything(), fc.record({ stream: fc.oneof(fc.string(), fc.constant(app.stream)) })),
        async (event, payload) => {
          if (!hostile.connected) return; // closed for abuse: that is a correct answer too
          const reply = (await hostile
            .timeout(3000)
            .emitWithAck(event, payload)
            .catch(() => ({ ok: false, error: { code: 'protocol_abuse' } }))) as {
            ok: boolean;
            error?: { code: unknown };
          };
          if (!reply.ok) expect(isErrorCode(reply.error?.code)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 60, verbose: true },
    );
    app.cause(25);
    await waitFor('the bystander to keep receiving', bystander.caughtUp);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('a silent connection is detected as dead by heartbeat within its configured bound', async () => {
    const app = await start();
    const follower = follow(app, { heartbeatTimeoutMs: 600 });
    await waitFor('live', follower.caughtUp);
    // Nothing arrives for 3 s (the server holds every frame): the client must give up on the connection within
    // its 600 ms bound, long before the stall ends, then reconnect and resume.
    const silentFrom = Date.now();
    await follower.client.request(app.stallRequest.event, app.stallRequest.payload(3000));
    await waitFor('the silence to be detected', () => follower.states.includes('reconnecting'), 2500);
    expect(Date.now() - silentFrom).toBeLessThan(2500);
    app.cause(10);
    await waitFor('convergence', follower.caughtUp);
  });

  it('answers /healthz and /metrics with the standard stream metrics', async () => {
    const app = await start();
    const health = (await (await fetch(`${app.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', mode: 'embedded' });
    expect(typeof health['node']).toBe('string');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    for (const name of [
      'twohop_messages_out_total',
      'twohop_conflated_merges_total',
      'twohop_resumes_total',
      'twohop_connected_clients',
      'twohop_slow_consumer_disconnects_total',
    ]) {
      expect(metrics, name).toContain(name);
    }
  });

  it('graceful shutdown and restart: clients reconnect and converge, in a new epoch where state was not persisted', async () => {
    const first = await adapter.start();
    first.cause(30);
    const follower = follow(first);
    await waitFor('live', follower.caughtUp);
    const epoch = first.truth().epoch;
    await first.stop();
    await waitFor('the client to notice', () => follower.states.includes('reconnecting'));
    const second = await start(first.port);
    second.cause(15);
    await waitFor('convergence on the restarted app', follower.caughtUp, 15_000);
    expect(second.truth().epoch).not.toBe(epoch);
  });
});
