/**
 * `@twohop/bus/conformance` — what tests of a bus, and of what runs on one, share: the conformance suite every
 * implementation runs unchanged, and deliberately broken buses that it must fail.
 */
export { busChecks, busConformance, failedChecks, type BusCheck, type OpenBuses } from './busConformance.js';
export { leakyTail, skippingSeqs } from './canaryBuses.js';
