import { join } from 'node:path';

/** One node nginx proxies to. */
export interface NginxBackend {
  /** The node's name (`TWOHOP_NODE`), which the route header names. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** One app behind nginx: a public address, and the nodes its requests are spread over. */
export interface NginxSite {
  /** The app's name (its upstream is named after it). */
  readonly name: string;
  /** Where nginx listens for the app. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly backends: readonly NginxBackend[];
  /**
   * Whether a client must keep to one node: socket.io's long-polling sends each request of one session separately, and
   * only the node holding the session can answer them, so an app whose clients may poll needs `hash $remote_addr
   * consistent`. Clients on WebSocket, SSE or plain HTTP may land anywhere: `least_conn`.
   */
  readonly sticky: boolean;
}

/** Options for {@link nginxConfig}. */
export interface NginxConfigOptions {
  /** nginx's prefix directory: its pid file and temp paths go here. */
  readonly dir: string;
  readonly sites: readonly NginxSite[];
  /**
   * How long a proxied connection may be silent before nginx closes it, in seconds: above the longest heartbeat of
   * any app (the stream heartbeat is 15 s, socket.io's ping 25 s). @default 75
   */
  readonly readTimeoutSeconds?: number;
  /**
   * A request header naming a node (`x-twohop-node: orderbook-2`) that sends the request to that node while it is up
   * (and to the others, in order, while it is down), whatever the balancing says: how tests put a client on a chosen
   * node. `false` leaves it out. @default 'x-twohop-node'
   */
  readonly routeHeader?: string | false;
  /** @default 4096 */
  readonly workerConnections?: number;
}

/** The header {@link nginxConfig} routes by unless told otherwise. */
export const ROUTE_HEADER = 'x-twohop-node';

/** A name as an nginx identifier (variables take letters, digits and underscores only). */
const ident = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;
const address = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** `server` lines: the node, failed for 2 s after one refused connection, so a dead node is skipped at once. */
const server = (backend: NginxBackend, backup = false) =>
  `    server ${address(backend.host, backend.port)} max_fails=1 fail_timeout=2s${backup ? ' backup' : ''};`;

function upstreams(site: NginxSite, routed: boolean): string[] {
  const id = ident(site.name);
  const lines = [
    `  upstream twohop_${id} {`,
    site.sticky ? '    hash $remote_addr consistent;' : '    least_conn;',
    ...site.backends.map((backend) => server(backend)),
    '  }',
  ];
  if (!routed) return lines;
  // One upstream per node for the route header: the node first, the others as backups in order.
  site.backends.forEach((backend, i) => {
    lines.push(
      `  upstream twohop_${id}__${ident(backend.name)} {`,
      server(backend),
      ...site.backends.filter((_, j) => j !== i).map((other) => server(other, true)),
      '  }',
    );
  });
  return lines;
}

function serverBlock(site: NginxSite, options: NginxConfigOptions, header: string | false): string[] {
  const id = ident(site.name);
  const target = header === false ? `twohop_${id}` : `$twohop_${id}_upstream`;
  const timeout = options.readTimeoutSeconds ?? 75;
  const lines: string[] = [];
  if (header !== false)
    lines.push(
      `  map $http_${ident(header.toLowerCase())} $twohop_${id}_upstream {`,
      `    default twohop_${id};`,
      ...site.backends.map((backend) => `    ${quote(backend.name)} twohop_${id}__${ident(backend.name)};`),
      '  }',
    );
  lines.push(
    '  server {',
    `    listen ${address(site.listen.host, site.listen.port)};`,
    '    location / {',
    `      proxy_pass http://${target};`,
    '      proxy_http_version 1.1;',
    // WebSocket: pass the upgrade on (socket.io, the order book's /ws).
    '      proxy_set_header Upgrade $http_upgrade;',
    '      proxy_set_header Connection $twohop_connection;',
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '      proxy_set_header X-Forwarded-Proto $scheme;',
    // Server-sent events leave at once, not when a buffer fills.
    '      proxy_buffering off;',
    '      proxy_cache off;',
    `      proxy_read_timeout ${timeout}s;`,
    `      proxy_send_timeout ${timeout}s;`,
    '      proxy_connect_timeout 2s;',
    '    }',
    '  }',
  );
  return lines;
}

/**
 * The nginx configuration that puts each site's nodes behind its public port: WebSocket upgrades passed on,
 * responses unbuffered (server-sent events), a read timeout above the heartbeats, sticky routing only for the apps
 * whose clients may long-poll, and a dead node skipped on the next connection. Runs in the foreground (`daemon off`)
 * with everything it writes inside `dir`; errors go to stderr.
 */
export function nginxConfig(options: NginxConfigOptions): string {
  const header = options.routeHeader ?? ROUTE_HEADER;
  const temp = (what: string) => join(options.dir, 'temp', what);
  return [
    '# Written by @twohop/cluster; regenerated on every start.',
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(options.dir, 'nginx.pid')};`,
    'error_log stderr warn;',
    `events { worker_connections ${options.workerConnections ?? 4096}; }`,
    'http {',
    '  access_log off;',
    // Request bodies stay in memory (the apps take JSON bodies of at most 100 kB): nginx's worker, run as `nobody`
    // when nginx starts as root, may not be allowed into a directory under a user's home to write temp files.
    '  client_body_buffer_size 1m;',
    `  client_body_temp_path ${temp('body')};`,
    `  proxy_temp_path ${temp('proxy')};`,
    `  fastcgi_temp_path ${temp('fastcgi')};`,
    `  uwsgi_temp_path ${temp('uwsgi')};`,
    `  scgi_temp_path ${temp('scgi')};`,
    '  map $http_upgrade $twohop_connection {',
    '    default upgrade;',
    "    '' '';",
    '  }',
    ...options.sites.flatMap((site) => [
      ...upstreams(site, header !== false),
      ...serverBlock(site, options, header),
    ]),
    '}',
    '',
  ].join('\n');
}
