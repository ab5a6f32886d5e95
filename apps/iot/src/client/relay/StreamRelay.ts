import {
  StreamClient,
  type ClientStream,
  type StreamClientOptions,
  type TransportFactory,
} from '@twohop/client';
import type { ServerMessage, SnapshotMessage } from '@twohop/protocol';
import { modelFor } from '../streamModels.js';
import type { PortLike, RelayToTab, TabToRelay } from './relayMessages.js';

/** Options for {@link StreamRelay}. */
export interface StreamRelayOptions {
  /** The one upstream connection (SSE to the server). */
  transport: TransportFactory;
  /** This browser's view id: the view stream is `view:<viewId>`. */
  viewId: string;
  /** Called with the union of every tab's visible devices whenever it changes. */
  onVisible(devices: readonly string[]): void;
  /** Reconnection, heartbeat and clock of the upstream client. */
  client?: Omit<StreamClientOptions, 'transport'>;
}

interface Tab {
  readonly port: PortLike;
  visible: readonly string[];
}

interface Relayed {
  readonly upstream: ClientStream<unknown, unknown, unknown>;
  /** Tabs that follow the stream and get each frame. */
  readonly tabs: Set<Tab>;
  /** Tabs that asked while the upstream replica had no state yet: they get the next snapshot. */
  readonly waiting: Set<Tab>;
}

/**
 * The shared worker's half of the multi-tab answer: one {@link StreamClient} to the server for the whole browser, and
 * every tab served from it over its MessagePort as if the worker were the server — an ack, a snapshot of the
 * worker's replica, then each frame the server sends. Tabs keep their own replicas (gap detection included), so a
 * tab that falls out of step asks the worker for a fresh snapshot as it would ask a server. The visible devices of
 * all tabs are merged into the one view the server keeps for this browser.
 */
export class StreamRelay {
  readonly client: StreamClient;
  readonly viewId: string;
  readonly #tabs = new Set<Tab>();
  readonly #streams = new Map<string, Relayed>();
  readonly #onVisible: (devices: readonly string[]) => void;
  #lastVisible = '';

  constructor(options: StreamRelayOptions) {
    this.viewId = options.viewId;
    this.#onVisible = options.onVisible;
    const upstream = options.transport;
    this.client = new StreamClient({
      ...options.client,
      // Every frame passes the relay on its way to the worker's own replicas.
      transport: () => {
        const transport = upstream();
        return {
          ...transport,
          open: (handlers) =>
            transport.open({
              ...handlers,
              onMessage: (message) => {
                this.#relay(message);
                handlers.onMessage(message);
              },
            }),
        };
      },
    });
    this.client.events.on('state', (state) => {
      if (state === 'live') this.#broadcast({ type: 'up', viewId: this.viewId });
      else {
        for (const relayed of this.#streams.values()) {
          relayed.tabs.clear();
          relayed.waiting.clear();
        }
        this.#broadcast({ type: 'down', reason: `upstream ${state}` });
      }
    });
  }

  /** Tabs connected. */
  get tabs(): number {
    return this.#tabs.size;
  }

  /** Serves one tab over its port. */
  connect(port: PortLike): void {
    const tab: Tab = { port, visible: [] };
    this.#tabs.add(tab);
    port.addEventListener('message', (event) => this.#receive(tab, event.data as TabToRelay));
    port.start?.();
  }

  close(): void {
    this.client.close();
  }

  #receive(tab: Tab, message: TabToRelay): void {
    switch (message.type) {
      case 'hello':
        if (this.client.state === 'live') this.#post(tab, { type: 'up', viewId: this.viewId });
        return;
      case 'subscribe':
      case 'resync':
        this.#follow(tab, message.stream);
        return;
      case 'unsubscribe':
        this.#forget(tab, message.stream);
        return;
      case 'visible':
        tab.visible = message.devices;
        this.#visibleChanged();
        return;
      case 'bye':
        this.#tabs.delete(tab);
        for (const stream of this.#streams.keys()) this.#forget(tab, stream);
        this.#visibleChanged();
    }
  }

  /** Rule 6 as a server answers it, without a history: always a snapshot (of the worker's replica). */
  #follow(tab: Tab, stream: string): void {
    let relayed = this.#streams.get(stream);
    if (relayed === undefined) {
      relayed = {
        upstream: this.client.subscribe(stream, { model: modelFor(stream) }),
        tabs: new Set(),
        waiting: new Set(),
      };
      this.#streams.set(stream, relayed);
    }
    relayed.tabs.delete(tab);
    const { replica } = relayed.upstream;
    const position = replica.position;
    if (replica.status !== 'live' || position === undefined) {
      relayed.waiting.add(tab);
      return;
    }
    this.#post(tab, { type: 'ack', stream, ack: { ok: true, recovered: false } });
    const snapshot: SnapshotMessage<unknown> = {
      type: 'snapshot',
      stream,
      epoch: position.epoch,
      seq: position.seq,
      data: modelFor(stream).snapshot(replica.state),
    };
    this.#post(tab, { type: 'frame', message: snapshot, bytes: 0 });
    relayed.tabs.add(tab);
  }

  #forget(tab: Tab, stream: string): void {
    const relayed = this.#streams.get(stream);
    relayed?.tabs.delete(tab);
    relayed?.waiting.delete(tab);
  }

  #relay(message: ServerMessage): void {
    if (message.type === 'heartbeat') {
      this.#broadcast({ type: 'frame', message, bytes: 0 });
      return;
    }
    const relayed = this.#streams.get(message.stream);
    if (relayed === undefined) return;
    if (message.type === 'snapshot') {
      for (const tab of relayed.waiting) {
        this.#post(tab, { type: 'ack', stream: message.stream, ack: { ok: true, recovered: false } });
        relayed.tabs.add(tab);
      }
      relayed.waiting.clear();
    }
    if (relayed.tabs.size === 0) return;
    const frame: RelayToTab = { type: 'frame', message, bytes: JSON.stringify(message).length };
    for (const tab of relayed.tabs) this.#post(tab, frame);
  }

  #visibleChanged(): void {
    const union = new Set<string>();
    for (const tab of this.#tabs) for (const device of tab.visible) union.add(device);
    const devices = [...union].sort();
    const key = devices.join('\n');
    if (key === this.#lastVisible) return;
    this.#lastVisible = key;
    this.#onVisible(devices);
  }

  #broadcast(message: RelayToTab): void {
    for (const tab of this.#tabs) this.#post(tab, message);
  }

  #post(tab: Tab, message: RelayToTab): void {
    tab.port.postMessage(message);
  }
}
