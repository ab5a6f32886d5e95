import { StreamMetrics } from '@twohop/metrics';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The chat's own metrics on `/metrics`, beside every twohop server's standard ones. */
export interface ChatMetrics {
  readonly stream: StreamMetrics;
  readonly registry: Registry;
  /** Messages this node fanned out to its connections, by fan-out (every node counts every message). */
  readonly messages: Counter<'fanout'>;
  /** Retried sends answered `duplicate: true` from the store (their first ack was lost). */
  readonly duplicates: Counter;
  /** Time to commit a send (fsync included) before its ack. */
  readonly commitSeconds: Histogram;
  /** Connections the server closed on purpose, by code (`protocol_abuse`, `slow_consumer`). */
  readonly closed: Counter<'code'>;
}

/** Registers the chat's metrics in a new registry (with the standard ones). */
export function chatMetrics(stream = new StreamMetrics({ defaultLabels: { app: 'chat' } })): ChatMetrics {
  const registers = [stream.registry];
  return {
    stream,
    registry: stream.registry,
    messages: new Counter({
      name: 'chat_messages_total',
      help: 'Messages this node fanned out to its connections, by fan-out (each message once per node; retries of a stored message are not).',
      labelNames: ['fanout'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'chat_duplicate_sends_total',
      help: 'Retried sends answered duplicate: true from the store, storing nothing (their first ack was lost).',
      registers,
    }),
    closed: new Counter({
      name: 'chat_connections_closed_total',
      help: 'Connections the server closed on purpose, by code (protocol_abuse, slow_consumer).',
      labelNames: ['code'] as const,
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'chat_send_commit_seconds',
      help: 'Time to commit a send to the store (fsync included) before it is acknowledged.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    }),
  };
}
