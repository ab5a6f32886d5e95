/**
 * `@twohop/bus/conformance` — what tests of a bus, and of what runs on one, share: the conformance suite every
 * implementation runs unchanged, deliberately broken buses that it must fail, and a bus with faulty tails.
 */
export { busChecks, busConformance, failedChecks, type BusCheck, type OpenBuses } from './busConformance.js';
export { leakyTail, skippingSeqs } from './canaryBuses.js';
export { lossyBus, type LossyBus } from './lossyBus.js';
