import type { CatalogEntry } from '@twohop/server';
import {
  keyedState,
  removeKey,
  setKey,
  StreamPublisher,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import { VIEW_ID, VIEW_PREFIX, VIEW_RATE_MS, type DeviceReading } from '../../domain/dashboardWire.js';

type ReadingPublisher = StreamPublisher<
  KeyedState<DeviceReading>,
  readonly KeyedChange<DeviceReading>[],
  KeyedSnapshot<DeviceReading>
>;

/** One dashboard's view: the devices it has on screen, and its reading rate. */
interface View {
  readonly publisher: ReadingPublisher;
  entry: CatalogEntry;
  devices: Set<string>;
}

/** Options for {@link ViewRegistry}. */
export interface ViewRegistryOptions {
  /** The most views held; past it, the least recently used is dropped. @default 5000 */
  maxViews?: number;
  /** A device's latest reading, for a device that comes into view. */
  latest(device: string): DeviceReading | undefined;
  /** Stamps each delta (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** Why a view request was refused. */
export type ViewError = 'unknown_view';

/**
 * Visible-only subscription: each dashboard has a view `view:<id>` — a keyed stream of the readings of the devices
 * it has on screen, nothing else — served conflated at the dashboard's rate. The dashboard says which devices those
 * are (`PUT /api/views/:id`, the whole set each time, bounded); devices that leave the set are removed from the
 * view's state, devices that enter it are set from their latest reading. Readings reach only the views that show
 * their device (an index from device to views), so a reading costs nothing for dashboards that do not show it.
 */
export class ViewRegistry {
  readonly #views = new Map<string, View>();
  /** Which views show each device. */
  readonly #watchers = new Map<string, Set<View>>();
  readonly #maxViews: number;
  readonly #latest: (device: string) => DeviceReading | undefined;
  readonly #now: () => number;

  constructor(options: ViewRegistryOptions) {
    this.#maxViews = options.maxViews ?? 5000;
    this.#latest = options.latest;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#views.size;
  }

  /** The catalog entry of stream `view:<id>`, made on first use (so a browser may subscribe before its first PUT). */
  resolve(stream: string): CatalogEntry | undefined {
    if (!stream.startsWith(VIEW_PREFIX)) return undefined;
    const id = stream.slice(VIEW_PREFIX.length);
    return VIEW_ID.test(id) ? this.#view(id, VIEW_RATE_MS.default).entry : undefined;
  }

  /**
   * Replaces view `id`'s visible devices (made at `rateMs` if new; a rate applies to subscriptions made after it
   * changes). Returns how many devices entered and left.
   */
  setVisible(
    id: string,
    devices: readonly string[],
    rateMs: number = VIEW_RATE_MS.default,
  ): { entered: number; left: number } {
    const view = this.#view(id, rateMs);
    const next = new Set(devices);
    const changes: KeyedChange<DeviceReading>[] = [];
    for (const device of view.devices) {
      if (next.has(device)) continue;
      this.#watchers.get(device)?.delete(view);
      if (view.publisher.state.has(device)) changes.push(removeKey(device));
    }
    const left = changes.length;
    let entered = 0;
    for (const device of next) {
      if (view.devices.has(device)) continue;
      entered++;
      let watchers = this.#watchers.get(device);
      if (watchers === undefined) this.#watchers.set(device, (watchers = new Set()));
      watchers.add(view);
      const latest = this.#latest(device);
      if (latest !== undefined) changes.push(setKey(device, latest));
    }
    view.devices = next;
    if (changes.length > 0) view.publisher.publish(changes);
    return { entered, left };
  }

  /** The visible devices of view `id`, or undefined for a view that does not exist. */
  visible(id: string): readonly string[] | undefined {
    const view = this.#views.get(id);
    return view === undefined ? undefined : [...view.devices];
  }

  /** A device's new state: to every view that shows it. */
  update(device: string, reading: DeviceReading): void {
    const watchers = this.#watchers.get(device);
    if (watchers === undefined) return;
    for (const view of watchers) view.publisher.publish([setKey(device, reading)]);
  }

  /**
   * Sets every view's devices again from their latest readings: after the readings' source was replaced as a whole
   * (a node's mirror of the `devices` stream caught up from a snapshot), so no view keeps a reading it missed.
   */
  refresh(): void {
    for (const view of this.#views.values()) {
      const changes: KeyedChange<DeviceReading>[] = [];
      for (const device of view.devices) {
        const latest = this.#latest(device);
        if (latest !== undefined) changes.push(setKey(device, latest));
        else if (view.publisher.state.has(device)) changes.push(removeKey(device));
      }
      if (changes.length > 0) view.publisher.publish(changes);
    }
  }

  /** Drops a view (its subscribers keep what they have; nothing more reaches them). */
  drop(id: string): void {
    const view = this.#views.get(id);
    if (view === undefined) return;
    for (const device of view.devices) this.#watchers.get(device)?.delete(view);
    this.#views.delete(id);
  }

  #view(id: string, rateMs: number): View {
    let view = this.#views.get(id);
    if (view === undefined) {
      if (this.#views.size >= this.#maxViews) this.#evict();
      const publisher: ReadingPublisher = new StreamPublisher({
        stream: `${VIEW_PREFIX}${id}`,
        model: keyedState<DeviceReading>(),
        historyCapacity: 256,
        timestamps: this.#now,
      });
      view = {
        publisher,
        entry: { source: publisher, delivery: 'conflate', intervalMs: rateMs },
        devices: new Set(),
      };
      this.#views.set(id, view);
    } else if (view.entry.intervalMs !== rateMs) {
      view.entry = { ...view.entry, intervalMs: rateMs };
    }
    // Map order is insertion order: re-inserting keeps the least recently used first.
    this.#views.delete(id);
    this.#views.set(id, view);
    return view;
  }

  #evict(): void {
    const oldest = this.#views.keys().next();
    if (oldest.done !== true) this.drop(oldest.value);
  }
}
