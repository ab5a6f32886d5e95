import { eventSourceTransport, type EventSourceConstructor } from '@twohop/client';
import { ALARMS_STREAM, DEVICES_STREAM, SITE_STREAM, type Alarm, type DeviceReading } from '@twohop/iot/wire';
import { jsonPatchState, keyedState } from '@twohop/snapshot-delta';
import { EventSource } from 'eventsource';
import type { ClusterAdapter } from '../ClusterAdapter.js';
import { followStreams, sortedEntries } from '../followStreams.js';

/** The `eventsource` package's EventSource, sending `headers` with every request (the route to a node). */
function eventSourceWith(headers: Readonly<Record<string, string>>): EventSourceConstructor {
  return class extends EventSource {
    constructor(url: string) {
      super(url, {
        fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
      });
    }
  } as unknown as EventSourceConstructor;
}

/** The fleet's edge nodes the driver takes down and brings back (each death raises an alarm, each return clears it). */
const NODES = ['b1-f1', 'b1-f2'];

/**
 * The IoT dashboard on several nodes: the Sparkplug host and the simulator run once, each serving node is a broker
 * and serves the dashboards from its mirrors of the bus. Readings flow on their own; the driver adds alarms through
 * the dashboard's own fault buttons (a node dies: `Node offline` raised; it comes back: cleared). A dashboard
 * follows, over SSE as the browser does, the `alarms` (reliable: each raise, acknowledge and clear once, in order),
 * the `site` tree and the `devices` (state streams).
 */
export const iotCluster: ClusterAdapter = {
  app: 'iot',
  failsToday: {
    'cluster:redis-restart':
      'the host, simulator and brokers find each other, and share the MQTT secret, through streams in Redis that no process announces again after Redis restarts empty; aedes loses its sessions and retained STATE with it',
  },
  // A small fleet at two readings per second per device: steady flow that leaves two shared cores room.
  env: { IOT_BUILDINGS: '1', IOT_FLOORS: '2', IOT_DEVICES_PER_FLOOR: '5', IOT_RATE: '2', IOT_DB: ':memory:' },
  drive: async (cluster) => {
    let caused = 0;
    let step = 0;
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const node = NODES[step % NODES.length]!;
        const kind = Math.floor(step / NODES.length) % 2 === 0 ? 'die' : 'reconnect';
        step++;
        const answer = await fetch(`${cluster.url}/api/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind, node }),
        }).catch(() => undefined);
        if (answer?.status === 204) caused++;
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();
    return {
      caused: () => caused,
      stop: async () => {
        stopped = true;
        await loop;
      },
    };
  },
  follow: (route, fault) =>
    followStreams(
      ({ url, headers }) => eventSourceTransport(`${url}/api/sse`, { EventSource: eventSourceWith(headers) }),
      route,
      [
        { name: ALARMS_STREAM, kind: 'reliable', model: keyedState<Alarm>(), canonical: sortedEntries },
        {
          name: SITE_STREAM,
          kind: 'state',
          model: jsonPatchState(),
          canonical: (state) => JSON.stringify(state),
        },
        { name: DEVICES_STREAM, kind: 'state', model: keyedState<DeviceReading>(), canonical: sortedEntries },
      ],
      fault,
    ),
};
