import { WrappingCounter } from '@twohop/sequence';
import { connectAsync, type MqttClient } from 'mqtt';
import type { FleetFault } from '../domain/faults.js';
import type { PlannedNode } from '../domain/fleetLayout.js';
import { SensorModel } from '../domain/SensorModel.js';
import type { MetricName } from '../domain/site.js';
import { asksForRebirth, SPARKPLUG_SEQ_MODULUS, type SparkplugPayload } from '../domain/sparkplugPayload.js';
import { deviceTopic, nodeTopic } from '../domain/sparkplugTopic.js';
import { decodeSparkplug, encodeSparkplug } from '../sparkplug/sparkplugCodec.js';
import { brokerFor } from './brokerFor.js';
import { DataFaults } from './DataFaults.js';
import type { EdgeNodeStats } from './edgeTypes.js';
import { NodeMessages } from './nodeMessages.js';

/** Options for {@link EdgeNode}. */
export interface EdgeNodeOptions {
  /**
   * The broker, or the brokers of one cluster: each new session tries the next one after the last it used
   * (starting at a place that depends on the node, so a fleet spreads over them), so a dead broker's nodes move to
   * a live one.
   */
  url: string | readonly string[];
  group: string;
  plan: PlannedNode;
  username: string;
  password: string;
  /** Seeded random source for the sensors' values. */
  random: () => number;
  /** Readings per second per device. @default 1 */
  ratePerDevice?: number;
  /** How often the node sends the readings that are due. @default 100 */
  tickMs?: number;
  /** After an unexpected disconnect, reconnect (with the next bdSeq) after this long. @default 1000 */
  reconnectMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * One simulated Sparkplug B 3.0 edge node (a floor's gateway) and its sensors: it connects with its NDEATH as the
 * MQTT will (carrying this session's `bdSeq`), publishes NBIRTH then a DBIRTH per device, then each device's changed
 * metrics as DDATA by alias, every message numbered by one 0–255 {@link WrappingCounter}. It answers NCMD
 * `Node Control/Rebirth` with fresh births, and takes faults: lost and reordered data, a death without DISCONNECT,
 * a reconnect with the next `bdSeq`, a sensor running hot. No offline queue: QoS 0 is never queued while away.
 */
export class EdgeNode {
  readonly #options: Required<Omit<EdgeNodeOptions, 'plan'>> & { plan: PlannedNode };
  readonly #sensors = new Map<string, SensorModel>();
  readonly #messages: NodeMessages;
  #client: MqttClient | undefined;
  #seq = new WrappingCounter(SPARKPLUG_SEQ_MODULUS);
  #bdSeq = -1;
  #timer: ReturnType<typeof setInterval> | undefined;
  #cursor = 0;
  #due = 0;
  #alive = false;
  #paused = false;
  #closed = false;
  /** How many sessions were tried: which broker of the list the next one goes to. */
  #attempts = 0;
  /** The brokers its sessions go to (see {@link EdgeNodeOptions.url}); {@link EdgeNode.setBrokers} replaces them. */
  #urls: readonly string[];
  readonly #faults = new DataFaults<{ topic: string; payload: SparkplugPayload }>();
  /** The bdSeq of every session that has ended (by a fault, a reconnect or a clean close). */
  readonly endedSessions: number[] = [];
  readonly #counts = { sent: 0, births: 0, rebirths: 0, sessions: 0 };

  constructor(options: EdgeNodeOptions) {
    this.#options = {
      ratePerDevice: 1,
      tickMs: 100,
      reconnectMs: 1000,
      now: Date.now,
      ...options,
    };
    this.#urls = typeof options.url === 'string' ? [options.url] : options.url;
    this.#messages = new NodeMessages(options.plan);
    for (const device of options.plan.devices)
      this.#sensors.set(device.device, new SensorModel({ metrics: device.metrics, random: options.random }));
  }

  /** What the node has done so far. */
  get stats(): EdgeNodeStats {
    return { ...this.#counts, lost: this.#faults.lost, reordered: this.#faults.reordered };
  }

  get id(): string {
    return this.#options.plan.node;
  }

  /** Whether the node has a live session (it is not dead from a fault). */
  get alive(): boolean {
    return this.#alive;
  }

  /** Connects a new session (the next bdSeq) and publishes its births. */
  async start(): Promise<void> {
    this.#closed = false;
    await this.#connectAny();
    this.#timer ??= setInterval(() => this.#tick(), this.#options.tickMs);
  }

  /** Every device's current values: what the host must converge to. */
  truth(): Map<string, Record<MetricName, number>> {
    return new Map([...this.#sensors].map(([device, sensor]) => [device, sensor.values()]));
  }

  /** The brokers its next sessions go to (a cluster's brokers as they come and go); the current session stays. */
  setBrokers(urls: readonly string[]): void {
    if (urls.length > 0) this.#urls = [...urls];
  }

  /** Stops (or restarts) sending readings; a held reordered message goes out first, so no hole is left open. */
  pause(paused: boolean): void {
    this.#paused = paused;
    if (paused) for (const held of this.#faults.release()) this.#send(held.topic, held.payload);
  }

  /** Injects a fault (see `fleetFaultSchema`). */
  async fault(fault: FleetFault): Promise<void> {
    switch (fault.kind) {
      case 'lose':
        this.#faults.lose(fault.count);
        return;
      case 'reorder':
        this.#faults.reorder();
        return;
      case 'die':
        return this.#die();
      case 'reconnect':
        return this.#connectAny();
      case 'late-will':
        return this.#lateWill();
      case 'hot':
        this.#sensors.get(fault.device)?.heat(fault.metric as MetricName, fault.by);
        return;
      case 'cool':
        this.#sensors.get(fault.device)?.cool();
        return;
    }
  }

  /** A clean end: NDEATH published by the node itself, then DISCONNECT. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (this.#alive) this.endedSessions.push(this.#bdSeq);
    this.#alive = false;
    if (client?.connected) {
      await client.publishAsync(nodeTopic('NDEATH', this.#options.group, this.id), this.#deathBytes(), {
        qos: 1,
      });
      await client.endAsync();
    } else client?.end(true);
  }

  async #connect(): Promise<void> {
    const { group, username, password } = this.#options;
    const url = brokerFor(this.id, this.#attempts++, this.#urls);
    // A new session: the next bdSeq, in the will and in the NBIRTH. The old connection (if any) is replaced under the
    // same client id, and the broker may still publish its will: the host ignores it, its bdSeq being stale.
    if (this.#alive) this.endedSessions.push(this.#bdSeq);
    this.#bdSeq = (this.#bdSeq + 1) % 256;
    const previous = this.#client;
    this.#client = undefined;
    const client = await connectAsync(url, {
      clientId: `${group}-${this.id}`,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
      queueQoSZero: false,
      keepalive: 30,
      will: {
        topic: nodeTopic('NDEATH', group, this.id),
        payload: this.#deathBytes(),
        qos: 1,
        retain: false,
      },
    });
    previous?.end(true);
    this.#client = client;
    this.#alive = true;
    this.#counts.sessions++;
    client.on('message', (_topic, bytes) => {
      try {
        if (asksForRebirth(decodeSparkplug(bytes))) {
          this.#counts.rebirths++;
          this.#births();
        }
      } catch {
        // Not a Sparkplug payload: a command the node does not understand is ignored.
      }
    });
    client.on('close', () => {
      if (this.#client !== client || this.#closed || !this.#alive) return;
      // Lost the broker: a new session once it is back.
      this.endedSessions.push(this.#bdSeq);
      this.#alive = false;
      this.#reconnectLater();
    });
    client.on('error', () => {});
    await client.subscribeAsync(nodeTopic('NCMD', group, this.id), { qos: 0 });
    this.#births();
  }

  /** A new session on the first broker that takes it, trying each once; rejects when none does. */
  async #connectAny(): Promise<void> {
    for (let tried = 1; ; tried++) {
      try {
        return await this.#connect();
      } catch (error) {
        if (tried >= this.#urls.length) throw error;
      }
    }
  }

  /** A new session after `reconnectMs`, and again after each failure (the next broker each time), until closed. */
  #reconnectLater(): void {
    setTimeout(() => {
      if (this.#closed || this.#alive) return;
      this.#connect().catch(() => {
        this.#alive = false;
        this.#reconnectLater();
      });
    }, this.#options.reconnectMs);
  }

  #die(): void {
    if (this.#alive) this.endedSessions.push(this.#bdSeq);
    this.#alive = false;
    const client = this.#client;
    this.#client = undefined;
    // No DISCONNECT: the connection just goes, and the broker publishes the will.
    client?.stream.destroy();
  }

  /** An NDEATH carrying the previous session's bdSeq (255 before the first), as a will delivered late would. */
  #lateWill(): void {
    const stale = (this.#bdSeq + 255) % 256;
    this.#client?.publish(nodeTopic('NDEATH', this.#options.group, this.id), this.#deathBytes(stale), {
      qos: 1,
    });
  }

  /** NBIRTH (seq starts at 0) then a DBIRTH per device with every metric's current value, name and alias. */
  #births(): void {
    const { group, now } = this.#options;
    this.#faults.drop();
    this.#seq = new WrappingCounter(SPARKPLUG_SEQ_MODULUS);
    const ts = now();
    this.#publish(nodeTopic('NBIRTH', group, this.id), this.#messages.nodeBirth(this.#bdSeq, ts));
    for (const [device, sensor] of this.#sensors) {
      const birth = this.#messages.deviceBirth(device, sensor.metrics, sensor.values(), ts);
      this.#publish(deviceTopic('DBIRTH', group, this.id, device), birth);
    }
    this.#counts.births++;
  }

  /** Sends the readings due this tick: devices take turns, so each reports `ratePerDevice` times a second. */
  #tick(): void {
    if (!this.#alive || this.#paused) return;
    const { plan, ratePerDevice, tickMs, group, now } = this.#options;
    this.#due += (plan.devices.length * ratePerDevice * tickMs) / 1000;
    const elapsed = 1000 / ratePerDevice;
    for (; this.#due >= 1; this.#due--) {
      const device = plan.devices[this.#cursor]!.device;
      this.#cursor = (this.#cursor + 1) % plan.devices.length;
      const sensor = this.#sensors.get(device)!;
      const changed = sensor.step(elapsed);
      if (changed.length === 0) continue; // report by exception
      const data = this.#messages.deviceData(device, changed, sensor.values(), now());
      this.#data(deviceTopic('DDATA', group, this.id, device), data);
    }
  }

  /** A data message, numbered, then lost or held back when a fault says so. */
  #data(topic: string, payload: SparkplugPayload): void {
    for (const out of this.#faults.route({ topic, payload: { ...payload, seq: this.#seq.next() } }))
      this.#send(out.topic, out.payload);
  }

  #publish(topic: string, payload: SparkplugPayload): void {
    this.#send(topic, { ...payload, seq: this.#seq.next() });
  }

  #send(topic: string, payload: SparkplugPayload): void {
    const client = this.#client;
    if (client === undefined || !client.connected) return;
    client.publish(topic, Buffer.from(encodeSparkplug(payload)), { qos: 0 });
    this.#counts.sent++;
  }

  #deathBytes(bdSeq = this.#bdSeq): Buffer {
    return this.#messages.deathBytes(bdSeq, this.#options.now());
  }
}
