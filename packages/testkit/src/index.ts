/**
 * @twohop/testkit — what tests and scenarios share: a seeded lossy-network simulator that proves convergence, a
 * seeded random source, and a fake clock.
 */
export { ManualClock as FakeClock } from '@twohop/sequence';
export { SeededRandom, seedFromEnv } from './SeededRandom.js';
export {
  defaultFaults,
  emptySimulationCounts,
  simulateStream,
  type FaultRates,
  type SimulationCounts,
  type SimulatedReplica,
  type SimulationOptions,
  type SimulationResult,
} from './simulateStream.js';
export { orderBookWorkload, type OrderBookWorkloadOptions } from './orderBookWorkload.js';
export { startTestServer, type DisposableServer, type TestServerOptions } from './disposableServer.js';
export {
  connectStallableSocket,
  openStallableEventStream,
  stallable,
  type StallableClient,
  type StallableEventStream,
} from './stalledClients.js';
export { machine, writeBenchmarkSection } from './benchmarkReport.js';
