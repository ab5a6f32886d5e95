/**
 * nginx for tests and scenarios: Debian's nginx in front of processes on loopback, its configuration and files in a
 * temp dir, stopped by PID. One implementation, the cluster launcher's.
 */
export {
  nginxConfig,
  ROUTE_HEADER,
  startNginx,
  type NginxBackend,
  type NginxOptions,
  type NginxServer,
  type NginxSite,
} from '@twohop/cluster';
