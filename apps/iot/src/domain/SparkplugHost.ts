import { ReorderWindow, systemClock, wrappingSpace, type Clock } from '@twohop/sequence';
import type { RebirthReason, SiteEvents } from './SiteEvents.js';
import {
  metricFromSparkplug,
  nodeKey as key,
  type DeviceAddress,
  type NodeAddress,
  type NodePlacement,
  type Reading,
} from './site.js';
import type { SparkplugTopic } from './sparkplugTopic.js';
import {
  bdSeqOf,
  rebirthCommand,
  SITE_BUILDING,
  SITE_FLOOR,
  SPARKPLUG_SEQ_MODULUS,
  type SparkplugPayload,
} from './sparkplugPayload.js';

/** Options for {@link SparkplugHost}. */
export interface SparkplugHostOptions {
  /** Where accepted state goes. */
  events: SiteEvents;
  /** Sends an NCMD to a node (the MQTT wiring publishes it on `spBv1.0/<group>/NCMD/<node>`). */
  sendNodeCommand: (node: NodeAddress, payload: SparkplugPayload) => void;
  /** How long an early arrival waits for the hole before it to fill, before the host asks for a rebirth. @default 2000 */
  reorderTimeoutMs?: number;
  /** How far ahead of the next expected seq an arrival may be and still wait (less than 128). @default 32 */
  reorderCapacity?: number;
  /** A node that has not answered a rebirth request within this time is asked again on its next message. @default 5000 */
  rebirthRetryMs?: number;
  /** Timers of the reorder window and the rebirth retry. @default systemClock */
  clock?: Clock;
  /** The wall clock for event timestamps (ms since the Unix epoch). @default Date.now */
  now?: () => number;
}

/** An address-less node message or device message, as it waits in a node's reorder window. */
type Sequenced = {
  readonly topic: Exclude<SparkplugTopic, { kind: 'state' }>;
  readonly payload: SparkplugPayload;
};

interface NodeSession {
  readonly address: NodeAddress;
  /** Alive from an accepted NBIRTH to a current NDEATH (or the host's own disconnect). */
  born: boolean;
  bdSeq: number;
  readonly window: ReorderWindow<Sequenced>;
  /** Seqs that waited in the window (so their delivery is reported as reordered). */
  readonly waited: Set<number>;
  /** Metric aliases (from the births) to metric names. */
  readonly aliases: Map<number, string>;
  /** Devices born since the node's last birth. */
  readonly devices: Set<string>;
  rebirthRequestedAt: number | undefined;
}

const EPOCH = 'session';

/**
 * The Sparkplug B 3.0 host application's rules, without MQTT: every node's messages are put in `seq` order
 * (0–255, wrapping) by a {@link ReorderWindow}; a hole that outlives it — or data from a node or device with no
 * birth — gets NCMD `Node Control/Rebirth`, and the node's next NBIRTH/DBIRTHs replace what was known; an NDEATH
 * counts only when its `bdSeq` is the live session's. What it accepts goes to {@link SiteEvents}. Pure: the clock
 * and the way commands leave are injected.
 */
export class SparkplugHost {
  readonly #options: Required<Omit<SparkplugHostOptions, 'events' | 'sendNodeCommand'>>;
  readonly #events: SiteEvents;
  readonly #send: SparkplugHostOptions['sendNodeCommand'];
  readonly #sessions = new Map<string, NodeSession>();

  constructor(options: SparkplugHostOptions) {
    this.#events = options.events;
    this.#send = options.sendNodeCommand;
    this.#options = {
      reorderTimeoutMs: options.reorderTimeoutMs ?? 2000,
      reorderCapacity: options.reorderCapacity ?? 32,
      rebirthRetryMs: options.rebirthRetryMs ?? 5000,
      clock: options.clock ?? systemClock,
      now: options.now ?? Date.now,
    };
  }

  /** Whether the node is alive (born, not dead) as far as the host knows. */
  isOnline(node: NodeAddress): boolean {
    return this.#sessions.get(key(node))?.born ?? false;
  }

  /** Takes one decoded message from a node (NBIRTH, NDATA, NDEATH, DBIRTH, DDATA, DDEATH); commands are ignored. */
  receive(topic: SparkplugTopic, payload: SparkplugPayload): void {
    if (topic.kind === 'state' || topic.type === 'NCMD' || topic.type === 'DCMD') return;
    const node = { group: topic.group, node: topic.node };
    if (topic.type === 'NBIRTH') return this.#birth(node, payload);
    if (topic.type === 'NDEATH') return this.#death(node, payload);
    const session = this.#sessions.get(key(node));
    if (session === undefined || !session.born)
      return this.#requestRebirth(this.#session(node), 'unknown-node');
    if (payload.seq === undefined) return this.#malformed(topic, 'no seq');
    // Sparkplug rule: every message after the birth continues the node's seq; the window restores order or gives up.
    const outcome = session.window.push({ epoch: EPOCH, seq: payload.seq }, { topic, payload });
    if (outcome === 'buffered') session.waited.add(payload.seq);
    else if (outcome === 'invalid') this.#malformed(topic, `seq ${payload.seq} is outside 0..255`);
  }

  /** Reports a message that could not be decoded (it changes nothing else). */
  malformed(topic: string, reason: string): void {
    this.#events.bridge({ type: 'malformed', topic, reason, ts: this.#options.now() });
  }

  /**
   * The host lost its broker connection: it can no longer vouch for any node, so every live node goes offline
   * (`host-offline`) and must be born again — its data after the reconnect asks for a rebirth.
   */
  disconnected(): void {
    for (const session of this.#sessions.values()) {
      if (!session.born) continue;
      this.#kill(session, 'host-offline');
    }
  }

  /** Stops every timer. */
  dispose(): void {
    for (const session of this.#sessions.values()) session.window.dispose();
  }

  #birth(node: NodeAddress, payload: SparkplugPayload): void {
    const bdSeq = bdSeqOf(payload);
    if (bdSeq === undefined || payload.seq === undefined)
      return this.#malformed({ kind: 'node', type: 'NBIRTH', ...node }, 'an NBIRTH needs a seq and a bdSeq');
    const session = this.#session(node);
    // The birth is the node's snapshot: everything known of it before is void, and its seq starts here.
    session.window.reset({ epoch: EPOCH, seq: payload.seq });
    session.waited.clear();
    session.aliases.clear();
    session.devices.clear();
    session.born = true;
    session.bdSeq = bdSeq;
    session.rebirthRequestedAt = undefined;
    this.#learnAliases(session, payload);
    this.#events.nodeBorn({ node, bdSeq, placement: placementOf(node, payload), ts: this.#tsOf(payload) });
  }

  #death(node: NodeAddress, payload: SparkplugPayload): void {
    const session = this.#sessions.get(key(node));
    const bdSeq = bdSeqOf(payload);
    // Sparkplug rule: an NDEATH whose bdSeq is not the live session's is a late will of an earlier one — ignore it.
    if (session === undefined || !session.born || bdSeq !== session.bdSeq) {
      this.#events.bridge({
        type: 'stale-death-ignored',
        node,
        bdSeq: bdSeq ?? -1,
        current: session?.born === true ? session.bdSeq : undefined,
        ts: this.#options.now(),
      });
      return;
    }
    this.#kill(session, 'ndeath');
  }

  #kill(session: NodeSession, cause: 'ndeath' | 'host-offline'): void {
    session.born = false;
    session.window.reset({ epoch: EPOCH, seq: 0 });
    session.devices.clear();
    this.#events.nodeDied({ node: session.address, bdSeq: session.bdSeq, cause, ts: this.#options.now() });
  }

  /** A message released by the window, in seq order. */
  #deliver(session: NodeSession, { topic, payload }: Sequenced, seq: number): void {
    if (session.waited.delete(seq))
      this.#events.bridge({ type: 'reordered', node: session.address, seq, ts: this.#options.now() });
    if (topic.kind !== 'device') return; // NDATA: node metrics, which the site model does not track
    const device: DeviceAddress = { ...session.address, device: topic.device };
    const ts = this.#tsOf(payload);
    if (topic.type === 'DBIRTH') {
      this.#learnAliases(session, payload);
      session.devices.add(topic.device);
      this.#events.deviceBorn({ device, readings: this.#readingsOf(session, payload, ts), ts });
    } else if (!session.devices.has(topic.device)) {
      if (topic.type === 'DDATA') this.#requestRebirth(session, 'unknown-device');
    } else if (topic.type === 'DDATA') {
      this.#events.readings({ device, readings: this.#readingsOf(session, payload, ts), ts });
    } else if (topic.type === 'DDEATH') {
      session.devices.delete(topic.device);
      this.#events.deviceDied({ device, ts });
    }
  }

  #requestRebirth(session: NodeSession, reason: RebirthReason): void {
    const { clock, rebirthRetryMs, now } = this.#options;
    const asked = session.rebirthRequestedAt;
    if (asked !== undefined && clock.now() - asked < rebirthRetryMs) return;
    session.rebirthRequestedAt = clock.now();
    this.#events.bridge({ type: 'rebirth-requested', node: session.address, reason, ts: now() });
    this.#send(session.address, rebirthCommand(now()));
  }

  #session(node: NodeAddress): NodeSession {
    const existing = this.#sessions.get(key(node));
    if (existing !== undefined) return existing;
    const session: NodeSession = {
      address: node,
      born: false,
      bdSeq: -1,
      waited: new Set(),
      aliases: new Map(),
      devices: new Set(),
      rebirthRequestedAt: undefined,
      window: new ReorderWindow<Sequenced>(
        { epoch: EPOCH, seq: 0 },
        {
          space: wrappingSpace(SPARKPLUG_SEQ_MODULUS),
          capacity: this.#options.reorderCapacity,
          timeoutMs: this.#options.reorderTimeoutMs,
          clock: this.#options.clock,
          deliver: (item, seq) => this.#deliver(session, item, seq),
          onGap: (gap) => {
            session.waited.clear();
            this.#events.bridge({ type: 'gap', node, ...gap, ts: this.#options.now() });
            this.#requestRebirth(session, 'gap');
          },
        },
      ),
    };
    this.#sessions.set(key(node), session);
    return session;
  }

  #learnAliases(session: NodeSession, payload: SparkplugPayload): void {
    for (const metric of payload.metrics)
      if (metric.alias !== undefined && metric.name !== undefined)
        session.aliases.set(metric.alias, metric.name);
  }

  #readingsOf(session: NodeSession, payload: SparkplugPayload, ts: number): Reading[] {
    const readings: Reading[] = [];
    for (const metric of payload.metrics) {
      const name =
        metric.name ?? (metric.alias === undefined ? undefined : session.aliases.get(metric.alias));
      const known = name === undefined ? undefined : metricFromSparkplug(name);
      if (known === undefined || typeof metric.value !== 'number') continue;
      readings.push({ metric: known, value: metric.value, ts: metric.timestamp ?? ts });
    }
    return readings;
  }

  #tsOf(payload: SparkplugPayload): number {
    return payload.timestamp ?? this.#options.now();
  }

  #malformed(topic: Sequenced['topic'], reason: string): void {
    const device = topic.kind === 'device' ? `/${topic.device}` : '';
    this.malformed(`spBv1.0/${topic.group}/${topic.type}/${topic.node}${device}`, reason);
  }
}

/** Where the NBIRTH's `Site/*` metrics place the node; a node without them is a floor of its own group's building. */
function placementOf(node: NodeAddress, payload: SparkplugPayload): NodePlacement {
  const text = (name: string) => {
    const value = payload.metrics.find((metric) => metric.name === name)?.value;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return { building: text(SITE_BUILDING) ?? node.group, floor: text(SITE_FLOOR) ?? node.node };
}
