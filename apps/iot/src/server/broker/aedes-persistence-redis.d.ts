/** The package ships no types: the factory, and the one method the broker's owner calls on shutdown. */
declare module 'aedes-persistence-redis' {
  import type { RedisOptions } from 'ioredis';

  /** An aedes persistence on Redis (retained messages, subscriptions, QoS 1 in flight, wills). */
  interface RedisPersistence {
    /** Without a callback: a promise (its callback form waits for a `ready` that aedes 1 never makes it emit). */
    destroy(): Promise<void>;
  }
  function aedesPersistenceRedis(options?: RedisOptions & { maxSessionDelivery?: number }): RedisPersistence;
  export default aedesPersistenceRedis;
}
