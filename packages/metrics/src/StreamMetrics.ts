import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Options for {@link StreamMetrics}. */
export interface StreamMetricsOptions {
  /** The registry to register in. @default a new one */
  registry?: Registry;
  /** Also collect the process metrics (CPU, memory, event-loop lag). @default true */
  processMetrics?: boolean;
  /** Labels on every metric, e.g. `{ app: 'orderbook', node: 'a' }`. */
  defaultLabels?: Record<string, string>;
}

/**
 * The label for a stream: its kind (the part before the first `:`), so `book:BTC-USD` and `book:ETH-USD` share
 * `book`. Per-stream labels would make one series per auction or room, which Prometheus handles badly.
 */
export const streamKind = (stream: string): string => {
  const colon = stream.indexOf(':');
  return colon > 0 ? stream.slice(0, colon) : stream;
};

/**
 * The standard metrics of every twohop server, in one prom-client registry: messages and bytes out, conflated
 * merges, gaps, resyncs, resumes by replay vs snapshot, connected clients, slow-consumer disconnects, rejected
 * requests and delivery latency.
 */
export class StreamMetrics {
  readonly registry: Registry;
  /** Frames written to clients, by stream kind, message type and transport. */
  readonly messagesOut: Counter<'stream' | 'type' | 'transport'>;
  /** Bytes written to clients, by stream kind and transport. */
  readonly bytesOut: Counter<'stream' | 'transport'>;
  /** Changes merged into a change already queued for a slow subscriber. */
  readonly conflatedMerges: Counter<'stream'>;
  /** Gaps clients reported, or the server saw (devices). */
  readonly gaps: Counter<'stream'>;
  /** Snapshots sent because a client asked to resync. */
  readonly resyncs: Counter<'stream'>;
  /** Subscribes with `resume`, by outcome: `replay` (recovered) or `snapshot`. */
  readonly resumes: Counter<'stream' | 'result'>;
  /** Open client connections, by transport. */
  readonly connectedClients: Gauge<'transport'>;
  /** Connections closed because the client read too slowly. */
  readonly slowConsumerDisconnects: Counter<'transport' | 'reason'>;
  /** Client requests refused, by error code. */
  readonly rejectedRequests: Counter<'code'>;
  /** How long changes waited in a subscriber's queue (because it could not keep up) before being written. */
  readonly queueDelay: Histogram<'stream'>;

  constructor(options: StreamMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    if (options.defaultLabels !== undefined) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'twohop_' });
    const registers = [this.registry];
    this.messagesOut = new Counter({
      name: 'twohop_messages_out_total',
      help: 'Frames written to clients.',
      labelNames: ['stream', 'type', 'transport'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 'twohop_bytes_out_total',
      help: 'Bytes written to clients.',
      labelNames: ['stream', 'transport'],
      registers,
    });
    this.conflatedMerges = new Counter({
      name: 'twohop_conflated_merges_total',
      help: 'Changes merged into a change already queued for a slow subscriber.',
      labelNames: ['stream'],
      registers,
    });
    this.gaps = new Counter({
      name: 'twohop_gaps_total',
      // Reserved for servers that follow a stream numbered upstream (hop 2), where the server itself can see a
      // gap. No server does yet, so nothing increments it; clients' gaps show as resyncs (twohop_resyncs_total).
      help: 'Sequence gaps a server detected in a stream it follows upstream (not incremented yet).',
      labelNames: ['stream'],
      registers,
    });
    this.resyncs = new Counter({
      name: 'twohop_resyncs_total',
      help: 'Snapshots sent because a client asked to resync.',
      labelNames: ['stream'],
      registers,
    });
    this.resumes = new Counter({
      name: 'twohop_resumes_total',
      help: 'Subscribes with resume, by result: replay (recovered) or snapshot.',
      labelNames: ['stream', 'result'],
      registers,
    });
    this.connectedClients = new Gauge({
      name: 'twohop_connected_clients',
      help: 'Open client connections.',
      labelNames: ['transport'],
      registers,
    });
    this.slowConsumerDisconnects = new Counter({
      name: 'twohop_slow_consumer_disconnects_total',
      help: 'Connections closed because the client read too slowly.',
      labelNames: ['transport', 'reason'],
      registers,
    });
    this.rejectedRequests = new Counter({
      name: 'twohop_rejected_requests_total',
      help: 'Client requests refused, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.queueDelay = new Histogram({
      name: 'twohop_queue_delay_seconds',
      help: "How long changes waited in a slow subscriber's queue before being written (subscribers that keep up never queue).",
      labelNames: ['stream'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
