import { startApp } from '@twohop/app-kit';
import { socketIoTransport } from '@twohop/client';
import { DEVICES_STREAM, type DeviceReading } from '@twohop/iot/wire';
import { ScriptedFleet } from '@twohop/iot/scripted-fleet';
import { createIotServer } from '@twohop/iot/server';
import { ERROR_CODES, type DeltaMessage } from '@twohop/protocol';
import { keyedState } from '@twohop/snapshot-delta';
import fc from 'fast-check';
import { connectRaw } from '../rawClients.js';
import type { AppAdapter, HostileSpec, RunningApp, StreamCapability } from '../AppAdapter.js';
import { followStream, streamCaughtUp } from '../streamFollower.js';
import { streamProtocolRequests } from '../streamRequests.js';

const sorted = (state: ReadonlyMap<string, DeviceReading>) =>
  JSON.stringify([...state].sort(([a], [b]) => a.localeCompare(b)));

/** Requests of the stream protocol against the dashboard's streams, views included, shaped for hostile input. */
function hostileRequests(position: () => { epoch: string; seq: number }): HostileSpec {
  const stream = fc.oneof(
    fc.constantFrom(DEVICES_STREAM, 'site', 'alarms', 'view:abcdefgh12', 'view:x', 'view:', 'nope'),
    fc.stringMatching(/^[a-z]{1,8}:[\w-]{0,70}$/),
  );
  return {
    setup: [{ event: 'subscribe', payload: { stream: DEVICES_STREAM } }],
    codes: ERROR_CODES,
    requests: streamProtocolRequests(stream, position()),
  };
}

/**
 * The IoT dashboard in embedded mode, with a scripted fleet in place of the broker (its events are what the bridge
 * would drive), followed on the `devices` stream — every device's readings, keyed and conflated, the stream a
 * visible-only view is a subset of. Its streams are served over SSE to dashboards and over socket.io as by every
 * app; the suite follows over socket.io, where a client can ask for the stall the slow-consumer property needs.
 */
export const iotAdapter: AppAdapter = {
  name: 'iot',
  capabilities: ['stream'],
  async start({ port = 0, heartbeat }) {
    const server = await createIotServer({
      allowFaultInjection: true,
      tickMs: 0,
      history: false,
      ...(heartbeat === undefined ? {} : { limits: { heartbeatMs: heartbeat.beatMs } }),
    });
    const fleet = new ScriptedFleet(server.hub, {
      size: { buildings: 1, floors: 2, devicesPerFloor: 10 },
      seed: 14,
    });
    fleet.birth();
    const started = await startApp(server, { port });
    const { url, dropConnections } = started;
    const publisher = server.hub.devices;
    let changes = 0;
    const capability: StreamCapability = {
      stream: DEVICES_STREAM,
      model: keyedState<DeviceReading>(),
      transport: () => socketIoTransport(url),
      truth: () => ({ state: publisher.state, ...publisher.position }),
      same: (client, truth) =>
        sorted(client as Map<string, DeviceReading>) === sorted(truth as Map<string, DeviceReading>),
      onDelta: (listener) =>
        publisher.subscribe((event) => {
          if (event.type === 'delta') listener(event as DeltaMessage<unknown>);
        }),
      queuedChanges: () => server.streams.inspect().reduce((sum, stats) => sum + stats.queuedChanges, 0),
      stallRequest: (ms) => ({ event: 'fault', payload: { kind: 'stall', ms } }),
      unconflate: () => void server.catalog.add(publisher, { delivery: 'reliable' }),
      persisted: false,
    };
    const stop = started.close;
    const app: RunningApp = {
      url,
      port: started.port,
      http: server.http,
      io: server.io,
      registry: server.metrics.registry,
      countedMetrics: [
        'twohop_messages_out_total',
        'twohop_bytes_out_total',
        'twohop_resumes_total',
        'twohop_rejected_requests_total',
        'twohop_connected_clients',
      ],
      follow: (options) => Promise.resolve(followStream(capability, options)),
      caughtUp: (client) => streamCaughtUp(capability, client),
      // Each change is one device's new temperature, through the path the bridge drives.
      cause: async (count) => {
        const devices = fleet.devices;
        for (let i = 0; i < count; i++, changes++) {
          fleet.set(devices[changes % devices.length]!, 'temperature', 20 + (changes % 50) / 10);
        }
      },
      connect: () => connectRaw(url),
      hostile: hostileRequests(() => publisher.position),
      stream: capability,
      dropConnections,
      stop,
      async crash() {
        dropConnections();
        await stop();
      },
    };
    return app;
  },
};
