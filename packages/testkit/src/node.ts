/**
 * @twohop/testkit/node — the part of the test kit that needs Node: disposable servers and their connections, a
 * redis-server, an nginx and a mosquitto of their own, clients that stop reading their socket, Debian's Chromium through
 * playwright-core with page-layout checks, and the
 * scenario and benchmark reports. What runs anywhere is `@twohop/testkit`.
 */
export { trackConnections } from '@twohop/app-kit';
export { startTestServer, type DisposableServer, type TestServerOptions } from './node/disposableServer.js';
export {
  connectStallableSocket,
  openStallableEventStream,
  stallable,
  type StallableClient,
  type StallableEventStream,
} from './node/stalledClients.js';
export { machine, writeBenchmarkSection } from './node/benchmarkReport.js';
export { CHROMIUM_FLAGS, launchChromium } from './node/chromium.js';
export {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  newPerson,
  SCREENSHOTS,
  VIEWPORTS,
  type Person,
} from './node/pageLayout.js';
export {
  reportHtml,
  writeScenarioReport,
  type Invariant,
  type ScenarioReport,
} from './node/scenarioReport.js';
export {
  processCpuMs,
  startMosquitto,
  type MosquittoBroker,
  type MosquittoOptions,
} from './node/mosquittoBroker.js';
export {
  startAppProcess,
  startRedisServer,
  type AppProcess,
  type AppProcessOptions,
  type RedisServer,
  type RedisServerOptions,
} from '@twohop/cluster';
export * from './node/nginx.js';
export { chartsHtml, type LatencyChart, type TimeChart } from './node/reportCharts.js';
