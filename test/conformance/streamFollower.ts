import { StreamClient, type ClientStream, type TransportFactory } from '@twohop/client';
import type { AppClient, FollowOptions, StreamCapability } from './AppAdapter.js';

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

/** A stream app's own client on its stream, with what a property needs to see of it. */
export interface StreamFollower extends AppClient {
  readonly client: StreamClient;
  readonly stream: ClientStream<unknown, unknown, unknown>;
  /** Each (re)subscribe's ack: whether the server recovered by replay. */
  readonly subscribed: readonly boolean[];
  readonly resyncs: readonly string[];
  /** Frames received (deltas, snapshots, batches, heartbeats). */
  frames(): number;
  /** The next delta is lost on the wire. */
  loseNextDelta(): void;
}

/** Whether `client`'s replica is at the stream's position with the same state. */
export function streamCaughtUp(capability: StreamCapability, client: AppClient): Promise<boolean> {
  const { replica } = client.local as ClientStream<unknown, unknown, unknown>;
  const truth = capability.truth();
  const position = replica.position;
  return Promise.resolve(
    position?.epoch === truth.epoch &&
      position.seq === truth.seq &&
      capability.same(replica.state, truth.state),
  );
}

/** Follows `capability`'s stream the way the app's clients do, with a verifying replica. */
export function followStream(capability: StreamCapability, options: FollowOptions = {}): StreamFollower {
  const { wrapped, loss } = lossy(capability.transport());
  const client = new StreamClient({
    transport: wrapped,
    backoff: { baseMs: 20, capMs: 200 },
    ...(options.heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs: options.heartbeatTimeoutMs }),
  });
  const stream: ClientStream<unknown, unknown, unknown> = client.subscribe(capability.stream, {
    model: capability.model,
    ...(capability.checksum === undefined ? {} : { checksum: capability.checksum }),
  });
  const subscribed: boolean[] = [];
  const resyncs: string[] = [];
  const states: string[] = [];
  let frames = 0;
  client.events.on('subscribed', ({ recovered }) => subscribed.push(recovered));
  client.events.on('resync', ({ reason }) => resyncs.push(reason));
  client.events.on('state', (state) => states.push(state));
  client.events.on('frame', () => frames++);
  return {
    client,
    stream,
    subscribed,
    resyncs,
    states,
    frames: () => frames,
    loseNextDelta: () => {
      loss.armed = true;
    },
    local: stream,
    close: () => client.close(),
  };
}
