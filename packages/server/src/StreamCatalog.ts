import type { StreamSource } from '@twohop/snapshot-delta';

/** Any stream source (a `StreamPublisher`, a `StreamMirror`), whatever its state types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySource = StreamSource<any, any, any>;

/**
 * How a stream's deltas reach a subscriber that cannot keep up:
 * - `conflate`: keyed state; queued changes merge by key (price levels, readings, a bid);
 * - `reliable`: every delta matters (trades, chat messages, alerts): never merged, bounded, overflow → resync.
 */
export type Delivery = 'conflate' | 'reliable';

/** One stream clients may subscribe to. */
export interface CatalogEntry {
  readonly source: AnySource;
  readonly delivery: Delivery;
  /** The least time between two conflated frames to one subscriber (a tier's maximum frequency). @default 0 */
  readonly intervalMs: number;
}

/** Options when adding a stream. */
export interface StreamEntryOptions {
  /** @default 'conflate' when the state model can split deltas by key, else 'reliable' */
  delivery?: Delivery;
  /** @default 0 */
  intervalMs?: number;
}

/**
 * The streams a server offers, by name. Apps add their sources up front — a `StreamPublisher` that numbers its own
 * changes, or a `StreamMirror` that follows a stream numbered upstream — and may add a resolver for streams made on
 * demand (an auction, a chat room); a name neither knows is an `unknown_stream`.
 */
export class StreamCatalog {
  readonly #entries = new Map<string, CatalogEntry>();
  #resolver: ((stream: string) => CatalogEntry | undefined) | undefined;

  /** Offers `source` under its stream name. */
  add(source: AnySource, options: StreamEntryOptions = {}): this {
    this.#entries.set(source.stream, {
      source,
      delivery: options.delivery ?? (source.model.splitter === undefined ? 'reliable' : 'conflate'),
      intervalMs: options.intervalMs ?? 0,
    });
    return this;
  }

  /** Stops offering a stream (current subscribers keep their subscription until they leave). */
  remove(stream: string): void {
    this.#entries.delete(stream);
  }

  /** Looks up streams not added up front. */
  setResolver(resolver: (stream: string) => CatalogEntry | undefined): this {
    this.#resolver = resolver;
    return this;
  }

  get(stream: string): CatalogEntry | undefined {
    return this.#entries.get(stream) ?? this.#resolver?.(stream);
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }
}
