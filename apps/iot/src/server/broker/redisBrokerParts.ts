import aedesPersistenceRedis from 'aedes-persistence-redis';
import mqemitterRedis from 'mqemitter-redis';

/**
 * What makes one aedes broker a node of a cluster sharing Redis: the message bus between brokers, the shared
 * persistence, and how often each broker says it is alive.
 */
export interface RedisBrokerParts {
  /** `mqemitter-redis`: every publish on any broker reaches the subscribers on every broker (Redis pub/sub). */
  readonly mq: unknown;
  /**
   * `aedes-persistence-redis`: retained messages (the host's STATE, a node's last births), subscriptions, QoS 1
   * messages in flight and wills, readable by every broker.
   */
  readonly persistence: unknown;
  /** The broker heartbeat (ms): a broker silent for 3 of them is dead, and another publishes its clients' wills. */
  readonly heartbeatInterval: number;
  /** Closes the persistence's connections (aedes closes `mq` itself). */
  close(): Promise<void>;
}

/** Options for {@link redisBrokerParts}. */
export interface RedisBrokerPartsOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Key prefix of the persistence's keys, so several apps can share one Redis. @default 'twohop:iot:mqtt:' */
  keyPrefix?: string;
  /**
   * The broker heartbeat (ms). aedes' default (one minute) would leave the wills of a crashed broker's clients
   * unpublished for up to seven minutes; a few seconds brings that under half a minute. @default 5000
   */
  heartbeatMs?: number;
}

/**
 * Builds the parts that let aedes on several nodes act as one broker through Redis (the way aedes documents
 * clustering): pass them to `Aedes.createBroker` on every node. Each part opens two connections to Redis.
 */
export function redisBrokerParts(options: RedisBrokerPartsOptions): RedisBrokerParts {
  const redis = new URL(options.url);
  const connection = {
    host: redis.hostname,
    port: Number(redis.port || 6379),
    db: Number(redis.pathname.slice(1) || 0),
    ...(redis.password === '' ? {} : { password: decodeURIComponent(redis.password) }),
    ...(redis.username === '' ? {} : { username: decodeURIComponent(redis.username) }),
  };
  // No ready check (INFO) on the emitter's connections: ioredis 5 may send it after the subscriber connection has
  // already subscribed during connect, and Redis refuses it there with an uncaught error (ioredis issue #2037).
  const mq = mqemitterRedis({ ...connection, enableReadyCheck: false });
  const persistence = aedesPersistenceRedis({
    ...connection,
    keyPrefix: options.keyPrefix ?? 'twohop:iot:mqtt:',
  });
  return {
    mq,
    persistence,
    heartbeatInterval: options.heartbeatMs ?? 5000,
    close: () => persistence.destroy().catch(() => {}),
  };
}
