/**
 * @twohop/bus-redis — `@twohop/bus`'s {@link Bus} on Redis, for several nodes: {@link redisBus}. It keeps the Bus
 * interface unchanged and passes the same conformance suite as the in-process bus.
 */
export { redisBus, type RedisBusOptions } from './redisBus.js';
export type { Bus } from '@twohop/bus';
