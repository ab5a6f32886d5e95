/**
 * @twohop/testkit — what tests and scenarios share: a seeded lossy-network simulator that proves convergence, a
 * seeded random source, and a fake clock.
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
export { trackConnections } from '@twohop/app-kit';
export { startTestServer, type DisposableServer, type TestServerOptions } from './disposableServer.js';
export {
  connectStallableSocket,
  openStallableEventStream,
  stallable,
  type StallableClient,
  type StallableEventStream,
} from './stalledClients.js';
export { machine, writeBenchmarkSection } from './benchmarkReport.js';
export { CHROMIUM_FLAGS, launchChromium } from './chromium.js';
export {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  SCREENSHOTS,
  VIEWPORTS,
} from './pageLayout.js';
export { reportHtml, writeScenarioReport, type Invariant, type ScenarioReport } from './scenarioReport.js';
export { chartsHtml, type LatencyChart, type TimeChart } from './reportCharts.js';
export { waitFor } from './waitFor.js';
