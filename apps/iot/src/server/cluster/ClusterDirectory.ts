import type { Bus } from '@twohop/bus';

/** What a process of the cluster offers the others. */
export type ServiceKind = 'host' | 'simulator' | 'broker';

/** One process's announcement: where to reach it. */
export interface ServiceEntry {
  readonly kind: ServiceKind;
  /** The announcing process's node id (`TWOHOP_NODE`). */
  readonly node: string;
  /** `http://…` for the host and the simulator, `mqtt://…` for a broker. */
  readonly url: string;
  /** When it announced itself (ms since the epoch). */
  readonly at: number;
}

/** The bus stream the directory keeps (under the app's bus prefix). */
const DIRECTORY_STREAM = 'cluster:directory';

/** Every entry of `stream`'s log in its current epoch, oldest first (none when the log is empty or trimmed). */
async function entries<T>(bus: Bus, stream: string): Promise<T[]> {
  const position = await bus.position(stream);
  if (position.seq === 0) return [];
  const read = await bus.read<T>(stream, { epoch: position.epoch, seq: 0 });
  return read.ok ? read.entries.map((entry) => entry.data) : [];
}

/**
 * Where the cluster's processes find one another, kept on the bus: each process appends where it can be reached
 * (the host's and the simulator's HTTP address, each broker's MQTT address) as it starts, and a reader takes the
 * newest announcement of each process. A process that died stays listed until it starts again: readers of a broker
 * list try the next address, and a forwarded request to a dead host fails with `host_unavailable`.
 */
export class ClusterDirectory {
  readonly #bus: Bus;
  readonly #now: () => number;

  constructor(bus: Bus, now: () => number = Date.now) {
    this.#bus = bus;
    this.#now = now;
  }

  /** Announces this process. */
  async announce(kind: ServiceKind, node: string, url: string): Promise<void> {
    const entry: ServiceEntry = { kind, node, url, at: this.#now() };
    await this.#bus.append(DIRECTORY_STREAM, entry);
  }

  /** Every process's newest announcement of `kind`, newest first. */
  async list(kind: ServiceKind): Promise<ServiceEntry[]> {
    const newest = new Map<string, ServiceEntry>();
    for (const entry of await entries<ServiceEntry>(this.#bus, DIRECTORY_STREAM))
      if (entry.kind === kind) newest.set(entry.node, entry);
    return [...newest.values()].sort((a, b) => b.at - a.at);
  }

  /** The newest process of `kind` (the one running: the host and the simulator run once per cluster). */
  async find(kind: ServiceKind): Promise<ServiceEntry | undefined> {
    return (await this.list(kind))[0];
  }
}

/** The bus stream whose first entry is the secret every MQTT password of the cluster derives from (`sharedSecret`). */
export const MQTT_SECRET_STREAM = 'cluster:mqtt-secret';
