import { StreamClient, type ClientTransport, type TransportFactory } from '@twohop/client';
import type { ServerMessage } from '@twohop/protocol';
import type { StateModel } from '@twohop/snapshot-delta';
import type { ClusterFollower, LinkFault, Route } from './ClusterAdapter.js';
import { StreamRecord } from './StreamRecord.js';

/** One stream an app's stream client follows, as the cluster property judges it. */
export interface StreamSpec {
  readonly name: string;
  readonly kind: 'reliable' | 'state';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly model: StateModel<any, any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly checksum?: (state: any) => number | string;
  readonly options?: Record<string, string | number | boolean>;
  /** The replica's state as canonical text (equal states, equal text). */
  canonical(state: unknown): string;
}

/** Applies `fault` to the first delivery of `message` (a delta, or a batch's first item); returns what to deliver. */
function faulted(message: ServerMessage, fault: 'drop-one' | 'repeat-one'): ServerMessage[] | undefined {
  if (message.type === 'delta') return fault === 'drop-one' ? [] : [message, message];
  if (message.type !== 'batch' || message.items.length === 0) return undefined;
  const [first, ...rest] = message.items;
  const items = fault === 'drop-one' ? rest : [first!, first!, ...rest];
  return [{ ...message, items }];
}

/** Wraps a transport factory so that `fault` applies from the second connection on. */
export function faultyLink(factory: TransportFactory, fault: LinkFault | undefined): TransportFactory {
  if (fault === undefined) return factory;
  let connections = 0;
  return (): ClientTransport => {
    const transport = factory();
    const armed = ++connections > 1;
    let pending = armed && fault !== 'forget-resume';
    return {
      ...transport,
      subscribe: (request) => {
        if (!armed || fault !== 'forget-resume') return transport.subscribe(request);
        const { resume: _forgotten, ...rest } = request;
        return transport.subscribe(rest);
      },
      open: (handlers) =>
        transport.open({
          ...handlers,
          onMessage: (message) => {
            const out = pending && fault !== 'forget-resume' ? faulted(message, fault) : undefined;
            if (out === undefined) return handlers.onMessage(message);
            pending = false;
            for (const each of out) handlers.onMessage(each);
          },
        }),
    };
  };
}

/**
 * Follows `specs` on one `StreamClient` (the app's own client) over `transport(route)`, recording for each stream
 * what the cluster property judges: every delivery with the position it arrived at, each subscribe's `recovered`,
 * each resync, and the state held at every position.
 */
export function followStreams(
  transport: (route: Route) => TransportFactory,
  route: Route,
  specs: readonly StreamSpec[],
  fault?: LinkFault,
): ClusterFollower {
  const client = new StreamClient({
    transport: faultyLink(transport(route), fault),
    backoff: { baseMs: 50, capMs: 250 },
  });
  const streams = specs.map((spec) => {
    const followed = client.subscribe(spec.name, {
      model: spec.model,
      ...(spec.checksum === undefined ? {} : { checksum: spec.checksum }),
      ...(spec.options === undefined ? {} : { options: spec.options }),
    });
    const { replica } = followed;
    const stream = new StreamRecord(spec.name, spec.kind, () =>
      replica.status === 'live' ? replica.position : undefined,
    );
    client.events.on('delta', (delta) => {
      if (delta.stream === spec.name) stream.delivered(delta.from, delta.seq, delta.ts);
    });
    client.events.on('subscribed', (ack) => {
      if (ack.stream === spec.name) stream.subscribed(ack.recovered);
    });
    client.events.on('resync', (event) => {
      if (event.stream === spec.name) stream.resynced(event.reason);
    });
    client.events.on('change', (event) => {
      if (event.stream === spec.name) stream.changed(spec.canonical(replica.state));
    });
    return { stream, live: () => replica.status === 'live' && stream.resumes.length > 0 };
  });
  return {
    streams: streams.map(({ stream }) => stream),
    live: () => streams.every(({ live }) => live()),
    close: () => client.close(),
  };
}

/** Canonical text of a keyed state (anything with `entries()`), its entries sorted by key. */
export function sortedEntries(state: unknown): string {
  const entries = [...(state as { entries(): Iterable<[string, unknown]> }).entries()];
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
