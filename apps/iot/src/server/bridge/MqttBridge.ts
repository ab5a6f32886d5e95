import { systemClock, type Clock } from '@twohop/sequence';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { SiteEvents } from '../../domain/SiteEvents.js';
import { SparkplugHost, type SparkplugHostOptions } from '../../domain/SparkplugHost.js';
import {
  nodeTopic,
  parseSparkplugTopic,
  SPARKPLUG_NAMESPACE,
  stateTopic,
} from '../../domain/sparkplugTopic.js';
import { decodeSparkplug, encodeSparkplug, isSparkplugDecodeError } from '../../sparkplug/sparkplugCodec.js';

/** Options for {@link startMqttBridge}. */
export interface MqttBridgeOptions extends Pick<
  SparkplugHostOptions,
  'reorderTimeoutMs' | 'reorderCapacity' | 'rebirthRetryMs'
> {
  /** The broker: `mqtt://host:port`, `ws://host:port/mqtt` (the embedded aedes or any other, e.g. mosquitto). */
  url: string;
  username: string;
  password: string;
  /** The host application id: its STATE topic is `spBv1.0/STATE/<hostId>`. */
  hostId: string;
  /** Where accepted state goes. */
  events: SiteEvents;
  /** Reconnect delay after the broker is lost. @default 1000 */
  reconnectPeriodMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** @default Date.now */
  now?: () => number;
}

/** The bridge, connected. */
export interface MqttBridge {
  /** The host's rules (ask it whether a node is online). */
  readonly host: SparkplugHost;
  readonly client: MqttClient;
  /** MQTT messages received so far (every one the broker delivered to the host). */
  readonly received: number;
  /** Publishes the host's offline STATE, disconnects cleanly and stops every timer. */
  close(): Promise<void>;
}

/** The STATE payload of Sparkplug 3.0: JSON `{online, timestamp}`, retained. */
const statePayload = (online: boolean, timestamp: number) => JSON.stringify({ online, timestamp });

/**
 * The Sparkplug host application on MQTT: connects with a retained `STATE` death as its will, subscribes to
 * `spBv1.0/#` and to its own STATE, then publishes its STATE birth (online, retained) — the 3.0 order, so edge nodes
 * that wait for a host know when one is there. Every message goes to {@link SparkplugHost}; the rebirth commands it
 * decides leave as NCMD. Losing the broker takes every node offline (the host can no longer vouch for them).
 * Resolves once connected and subscribed.
 */
export async function startMqttBridge(options: MqttBridgeOptions): Promise<MqttBridge> {
  const now = options.now ?? Date.now;
  const state = stateTopic(options.hostId);
  // The will carries the birth's timestamp, as the specification asks, so a stale death can be told from a new one.
  let birthTimestamp = now();
  const clientOptions: IClientOptions = {
    username: options.username,
    password: options.password,
    clientId: `twohop-host-${options.hostId}-${Math.floor(Math.random() * 1e9).toString(36)}`,
    clean: true,
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    queueQoSZero: false,
    will: { topic: state, payload: Buffer.from(statePayload(false, birthTimestamp)), qos: 1, retain: true },
  };
  const client = connect(options.url, clientOptions);
  const host = new SparkplugHost({
    events: options.events,
    clock: options.clock ?? systemClock,
    now,
    ...(options.reorderTimeoutMs === undefined ? {} : { reorderTimeoutMs: options.reorderTimeoutMs }),
    ...(options.reorderCapacity === undefined ? {} : { reorderCapacity: options.reorderCapacity }),
    ...(options.rebirthRetryMs === undefined ? {} : { rebirthRetryMs: options.rebirthRetryMs }),
    sendNodeCommand: (node, payload) => {
      if (client.connected)
        client.publish(nodeTopic('NCMD', node.group, node.node), Buffer.from(encodeSparkplug(payload)), {
          qos: 0,
        });
    },
  });

  let received = 0;
  client.on('message', (topic, bytes) => {
    received++;
    const parsed = parseSparkplugTopic(topic);
    if (parsed === undefined) return host.malformed(topic, 'not a Sparkplug B topic');
    if (parsed.kind === 'state') return;
    try {
      host.receive(parsed, decodeSparkplug(bytes));
    } catch (error) {
      if (!isSparkplugDecodeError(error)) throw error;
      host.malformed(topic, error.message);
    }
  });
  let wasConnected = false;
  client.on('close', () => {
    if (wasConnected) host.disconnected();
    wasConnected = false;
  });
  client.on('error', () => {}); // refused or unreachable: mqtt.js retries; 'close' says what matters

  const online = async () => {
    await client.subscribeAsync([state, `${SPARKPLUG_NAMESPACE}/#`], { qos: 1 });
    birthTimestamp = now();
    // The next connection's will must match this birth.
    client.options.will = {
      topic: state,
      payload: Buffer.from(statePayload(false, birthTimestamp)),
      qos: 1,
      retain: true,
    };
    await client.publishAsync(state, statePayload(true, birthTimestamp), { qos: 1, retain: true });
    wasConnected = true;
  };
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => online().then(resolve, reject));
    client.once('error', reject);
  });
  client.on('connect', () => void online().catch(() => {}));

  return {
    host,
    client,
    get received() {
      return received;
    },
    async close() {
      host.dispose();
      if (client.connected)
        await client
          .publishAsync(state, statePayload(false, birthTimestamp), { qos: 1, retain: true })
          .catch(() => {});
      await client.endAsync();
    },
  };
}
