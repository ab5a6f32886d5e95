/**
 * @twohop/cluster — a local cluster of twohop apps for `pnpm start --nodes N`, tests and scenarios: a
 * `redis-server`, each app's singletons and N serving nodes as child processes (`startCluster`), Debian's nginx in
 * front (`startNginx`, `nginxConfig`), and the system packages they need (`planSystemPackages`). Node only; apps
 * never import it.
 */
export { AppProcess, startAppProcess, type AppProcessOptions, type ClusterProcess } from './appProcess.js';
export { freePort } from './freePort.js';
export { startNginx, type NginxOptions, type NginxServer } from './nginx.js';
export {
  nginxConfig,
  ROUTE_HEADER,
  type NginxBackend,
  type NginxConfigOptions,
  type NginxSite,
} from './nginxConfig.js';
export { type ProcessExit } from './process.js';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redisServer.js';
export { startCluster, type Cluster, type ClusterApp, type ClusterOptions } from './startCluster.js';
export {
  ensureSystemPackages,
  planSystemPackages,
  thisMachine,
  type Machine,
  type SystemPackage,
  type SystemPackagePlan,
  type SystemPackagePurpose,
} from './systemPackages.js';
export { ClusterError, type ClusterErrorCode } from './stopCluster.js';
