/**
 * @twohop/testkit — what tests, scenarios and benchmarks share that runs anywhere (Node or a browser): a seeded
 * lossy-network simulator that proves convergence, seeded random sources, workloads, a fake clock and `waitFor`.
 * What needs Node — disposable servers, stallable clients, Chromium, reports — is `@twohop/testkit/node`.
 * Only tests, scenarios and benchmarks import either: no production code does (a test in test/ checks it).
 */
export { ManualClock as FakeClock } from '@twohop/sequence';
export { SeededRandom, seedFromEnv } from './SeededRandom.js';
export { seededProperty, testSeed } from './testSeed.js';
export { lossyBus, type LossyBus } from './lossyBus.js';
export { simulateMirrorChain } from './simulateMirrorChain.js';
export { simulateStream } from './simulateStream.js';
export {
  defaultFaults,
  emptySimulationCounts,
  type FaultRates,
  type SimulatedMessage,
  type SimulatedReplica,
  type SimulationCounts,
  type SimulationOptions,
  type SimulationResult,
} from './simulationTypes.js';
export { keyedChecksum } from './stateChecksum.js';
export { orderBookWorkload, type OrderBookWorkloadOptions } from './orderBookWorkload.js';
export { waitFor } from './waitFor.js';
