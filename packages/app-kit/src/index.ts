/**
 * @twohop/app-kit — what every twohop app server repeats, written once: express + HTTP + socket.io with the app's
 * streams, `/healthz`, `/metrics`, the built UI, a favicon and JSON errors (`createApp`, `createWebApp`); its `main`
 * — validated configuration, pino logs, listen, graceful shutdown, and in redis mode the node's entry in the Redis
 * node registry (`runApp`, `registerNode`, `listNodes`); the same app on a free port for
 * tests (`startApp`); and signed sessions for the apps that have users (`signedSessions`).
 */
export { createApp, type App, type AppOptions, type StreamApp } from './createApp.js';
export { createWebApp, type HealthReport, type WebApp, type WebAppOptions } from './createWebApp.js';
export {
  CONFIG_EXIT_CODE,
  CONFIG_VARIABLES,
  ConfigError,
  LOG_LEVELS,
  defaultNode,
  embeddedRuntime,
  loadConfig,
  type AppConfig,
  type AppMode,
  type AppRuntime,
  type LoadConfigOptions,
} from './config.js';
export { FAVICON_SVG, faviconHandler } from './favicon.js';
export {
  HttpError,
  errorHandler,
  isHttpError,
  notFoundHandler,
  sendHttpError,
  toHttpError,
  type HttpErrorBody,
  type HttpErrorCode,
} from './httpErrors.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  discoverApps,
  readAppManifest,
  type AppManifest,
  type ClusterPlan,
  type ClusterSingleton,
} from './manifest.js';
export {
  listNodes,
  NODE_REGISTRY_KEYS,
  registerNode,
  type ListedNode,
  type ListNodesOptions,
  type NodeRecord,
  type NodeRegistration,
  type RegisterNodeOptions,
} from './nodeRegistry.js';
export { refreshed, signIn, tokenOf, verifySession, type Session } from './sessions.js';
export {
  sessionOf,
  signedSessions,
  type SignedSessions,
  type SignedSessionsOptions,
} from './signedSessions.js';
export { sharedSecret } from './sharedSecret.js';
export { runApp, type AppContext, type RunAppOptions, type RunningApp } from './runApp.js';
export { listen, startApp, type AppHandle, type StartAppOptions, type StartedApp } from './startApp.js';
export { trackConnections } from './trackConnections.js';
