/**
 * @twohop/bus — hop 2: how a change reaches every node that serves its stream. One {@link Bus} interface (a log per
 * stream that the bus numbers atomically, a live tail, a kept snapshot), the in-process {@link memoryBus} (the
 * embedded default), {@link publishToBus} for the producing side and {@link mirrorFromBus} for the serving side.
 * Every implementation passes the same suite, `@twohop/bus/conformance`.
 */
export type { Bus, BusEntry, BusEvent, BusSnapshot, BusTail, LogRead } from './Bus.js';
export { BusError, encodeBusData, isBusError, type BusErrorCode } from './BusError.js';
export { MemoryBusStore, memoryBus, type MemoryBusOptions, type MemoryBusStoreOptions } from './memoryBus.js';
export { catchUpFromBus, mirrorFromBus, type BusMirror, type MirrorFromBusOptions } from './mirrorFromBus.js';
export { publishToBus, type BusPublication, type PublishToBusOptions } from './publishToBus.js';
