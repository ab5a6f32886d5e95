/**
 * A Sparkplug B 3.0 edge node written from the specification alone — mqtt.js and the Eclipse Tahu payload package,
 * topics spelled out by hand, none of the app's simulator or codec — so the bridge is tested against what any
 * conforming node sends, not against its own idea of one.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';

const payloads = sparkplug.get('spBv1.0')!;

/** Options for {@link specEdgeNode}. */
export interface SpecEdgeNodeOptions {
  url: string;
  group: string;
  node: string;
  username?: string;
  password?: string;
  /** The birth/death sequence number of this session (its NBIRTH and its will carry it). @default 0 */
  bdSeq?: number;
}

/** A connected edge node that publishes exactly what the test tells it to, with the seq the test chooses. */
export interface SpecEdgeNode {
  readonly client: MqttClient;
  /** Every NCMD received, decoded: its metrics as `{name, value}`. */
  readonly commands: Array<Array<{ name: string | null | undefined; value: unknown }>>;
  /** `spBv1.0/<group>/NBIRTH/<node>` with bdSeq, `Node Control/Rebirth` = false. */
  nbirth(seq: number): Promise<void>;
  /** `spBv1.0/<group>/DBIRTH/<node>/<device>` with one temperature metric (alias 1). */
  dbirth(seq: number, device: string, temperature: number): Promise<void>;
  /** `spBv1.0/<group>/DDATA/<node>/<device>` with the temperature by alias. */
  ddata(seq: number, device: string, temperature: number): Promise<void>;
  /** An NDEATH published by the node itself, with the given bdSeq. */
  ndeath(bdSeq: number): Promise<void>;
  /** Drops the TCP connection without DISCONNECT (the broker publishes the will). */
  cut(): void;
  /** A clean DISCONNECT (no will). */
  end(): Promise<void>;
}

/** Connects an edge node: its will is `NDEATH` with its bdSeq (QoS 1), and it listens to its `NCMD`. */
export async function specEdgeNode(options: SpecEdgeNodeOptions): Promise<SpecEdgeNode> {
  const { group, node } = options;
  const bdSeq = options.bdSeq ?? 0;
  const base = `spBv1.0/${group}`;
  const death = payloads.encodePayload({
    timestamp: Date.now(),
    metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }],
  });
  const client = await connectAsync(options.url, {
    clientId: `spec-${group}-${node}-${bdSeq}`,
    clean: true,
    reconnectPeriod: 0,
    ...(options.username === undefined ? {} : { username: options.username, password: options.password }),
    will: { topic: `${base}/NDEATH/${node}`, payload: Buffer.from(death), qos: 1, retain: false },
  });
  const commands: SpecEdgeNode['commands'] = [];
  client.on('message', (topic, bytes) => {
    if (topic !== `${base}/NCMD/${node}`) return;
    commands.push(
      (payloads.decodePayload(bytes).metrics ?? []).map((m) => ({ name: m.name, value: m.value })),
    );
  });
  await client.subscribeAsync(`${base}/NCMD/${node}`, { qos: 1 });
  const publish = async (topic: string, payload: Parameters<typeof payloads.encodePayload>[0]) => {
    await client.publishAsync(topic, Buffer.from(payloads.encodePayload(payload)), { qos: 0 });
  };
  return {
    client,
    commands,
    nbirth: (seq) =>
      publish(`${base}/NBIRTH/${node}`, {
        timestamp: Date.now(),
        seq,
        metrics: [
          { name: 'bdSeq', type: 'UInt64', value: bdSeq },
          { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
        ],
      }),
    dbirth: (seq, device, temperature) =>
      publish(`${base}/DBIRTH/${node}/${device}`, {
        timestamp: Date.now(),
        seq,
        metrics: [{ name: 'Sensors/Temperature', alias: 1, type: 'Double', value: temperature }],
      }),
    ddata: (seq, device, temperature) =>
      publish(`${base}/DDATA/${node}/${device}`, {
        timestamp: Date.now(),
        seq,
        metrics: [{ alias: 1, type: 'Double', value: temperature }],
      }),
    ndeath: (value) =>
      publish(`${base}/NDEATH/${node}`, {
        timestamp: Date.now(),
        metrics: [{ name: 'bdSeq', type: 'UInt64', value }],
      }),
    cut: () => client.stream.destroy(),
    end: () => client.endAsync(),
  };
}
