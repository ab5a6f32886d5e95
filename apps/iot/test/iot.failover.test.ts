/**
 * The IoT app on several processes sharing a real `redis-server` — the host, two serving nodes, the simulator — and a
 * dashboard whose node is SIGKILLed: it reconnects to the other node over SSE and resumes from its Last-Event-ID.
 */
import { eventSourceTransport, StreamClient, type EventSourceConstructor } from '@twohop/client';
import { jsonPatchState, keyedState } from '@twohop/snapshot-delta';
import { waitFor } from '@twohop/testkit';
import { startRedisServer } from '@twohop/testkit/node';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../src/domain/alarms/alarmTypes.js';
import {
  ALARMS_STREAM,
  DEVICES_STREAM,
  SITE_STREAM,
  type DeviceReading,
} from '../src/domain/dashboardWire.js';
import { clusterProcess } from './clusterProcess.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A dashboard's three shared streams over SSE on `url()` (read at each connection), and what it saw of them. */
function dashboard(url: () => string) {
  const client = new StreamClient({
    transport: () =>
      eventSourceTransport(`${url()}/api/sse`, {
        EventSource: EventSource as unknown as EventSourceConstructor,
      })(),
    backoff: { baseMs: 50, capMs: 200 },
  });
  cleanups.push(() => client.close());
  const streams = {
    alarms: client.subscribe(ALARMS_STREAM, { model: keyedState<Alarm>() }),
    site: client.subscribe(SITE_STREAM, { model: jsonPatchState() }),
    devices: client.subscribe(DEVICES_STREAM, { model: keyedState<DeviceReading>() }),
  };
  const alarmDeltas: { from: number; seq: number }[] = [];
  const subscribed: Record<string, boolean[]> = {};
  const resyncs: string[] = [];
  client.events.on('delta', (delta) => {
    if (delta.stream === ALARMS_STREAM) alarmDeltas.push({ from: delta.from, seq: delta.seq });
  });
  client.events.on('subscribed', (ack) => (subscribed[ack.stream] ??= []).push(ack.recovered));
  client.events.on('resync', (event) => resyncs.push(`${event.stream}: ${event.reason}`));
  const live = () => Object.values(streams).every((stream) => stream.replica.status === 'live');
  const seq = (name: keyof typeof streams) => streams[name].replica.position?.seq ?? 0;
  const state = (name: keyof typeof streams) => {
    const value = streams[name].replica.state as unknown;
    return JSON.stringify(value instanceof Map ? [...value.entries()].sort() : value);
  };
  return { streams, alarmDeltas, subscribed, resyncs, live, seq, state };
}

describe('the IoT app on several processes', () => {
  it(
    'a dashboard whose node is SIGKILLed resumes on another: no alarm lost, repeated or reordered; site and devices converge',
    { timeout: 120_000 },
    async () => {
      const redis = await startRedisServer();
      cleanups.push(() => redis.stop());
      const start = async (role: 'host' | 'node' | 'simulator', name: string) => {
        const started = await clusterProcess(redis.url, role, name);
        cleanups.push(() => started.stop());
        return started;
      };
      // In the launcher's order: the singletons (each listening before its peers are up), then the nodes.
      await start('host', 'host');
      const simulator = await start('simulator', 'simulator');
      const [a, b] = await Promise.all([start('node', 'node-a'), start('node', 'node-b')]);
      await waitFor('the fleet running', async () => (await fetch(`${b.url}/api/simulator`)).ok, 60_000);

      // Alarms on demand: a node's death raises "Node offline", its return clears it. Asked through B (forwarded).
      let flips = 0;
      const refused: string[] = [];
      const flip = async () => {
        const node = `b1-f${1 + (flips % 2)}`;
        const kind = Math.floor(flips / 2) % 2 === 0 ? 'die' : 'reconnect';
        flips++;
        const reply = await fetch(`${b.url}/api/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind, node }),
        });
        // The faults only make alarms flow; one that fails (a reconnect racing the fleet's move off the dead broker
        // is refused) is followed by the next, and what is judged is the alarms stream, not the fault route.
        if (reply.status !== 204) refused.push(`${reply.status} ${await reply.text()}`);
      };
      const churnUntil = async (what: string, done: () => boolean) => {
        for (let i = 0; i < 60 && !done(); i++) {
          await flip();
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await waitFor(what, done, 20_000);
      };

      let current = a.url;
      const seen = dashboard(() => current);
      await waitFor('the dashboard live on A', seen.live, 30_000);
      await churnUntil('alarms on A', () => seen.alarmDeltas.length >= 4);

      await a.stop('SIGKILL');
      const before = { alarms: seen.seq('alarms'), site: seen.seq('site'), devices: seen.seq('devices') };
      const epoch = seen.streams.alarms.replica.position!.epoch;

      // A probe on B. The client is moved once B has passed its position (nodes follow the bus a moment apart).
      const probe = dashboard(() => b.url);
      await waitFor(
        'B past the client',
        () =>
          probe.live() &&
          probe.seq('alarms') >= before.alarms &&
          probe.seq('site') >= before.site &&
          probe.seq('devices') >= before.devices,
        30_000,
      );
      current = b.url;
      await waitFor('the client resumed on B', () => seen.subscribed[ALARMS_STREAM]?.length === 2, 30_000);
      const resumedAt = seen.seq('alarms');
      await churnUntil('more alarms on B', () => seen.seq('alarms') >= resumedAt + 4);

      // Resumed, not restarted: the same epoch, the missed deltas replayed, nothing resynced.
      for (const stream of [ALARMS_STREAM, SITE_STREAM, DEVICES_STREAM])
        expect(seen.subscribed[stream]).toEqual([false, true]);
      expect(seen.streams.alarms.replica.position!.epoch).toBe(epoch);
      expect(seen.resyncs).toEqual([]);
      // Reliable alarms: one delta per seq, in order, across both nodes.
      expect(seen.alarmDeltas.every((delta) => delta.from === delta.seq)).toBe(true);
      const seqs = seen.alarmDeltas.map((delta) => delta.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));

      // Quiet the fleet, then the client and a fresh dashboard of B hold exactly the same state.
      await simulator.stop();
      const fresh = dashboard(() => b.url);
      const same = () =>
        fresh.live() &&
        (['alarms', 'site', 'devices'] as const).every(
          (name) => seen.seq(name) === fresh.seq(name) && seen.state(name) === fresh.state(name),
        );
      await waitFor('the client and a fresh dashboard equal', same, 30_000);
      expect(seen.resyncs).toEqual([]);
      expect(refused.length, `faults refused: ${refused.join('; ')}`).toBeLessThan(flips);
    },
  );
});
