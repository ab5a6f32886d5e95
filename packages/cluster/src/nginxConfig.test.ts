import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nginxConfig, type NginxSite } from './nginxConfig.js';

const site = (name: string, sticky: boolean, ports: number[]): NginxSite => ({
  name,
  listen: { host: '127.0.0.1', port: 18_000 + ports[0]! },
  sticky,
  backends: ports.map((port, i) => ({ name: `${name}-${i + 1}`, host: '127.0.0.1', port })),
});
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The lines of the block that starts with `head` (up to its closing brace). */
function block(config: string, head: string): string[] {
  const lines = config.split('\n');
  const start = lines.findIndex((line) => line.trim() === `${head} {`);
  if (start < 0) throw new Error(`no block ${head}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === '}');
  return lines.slice(start + 1, end).map((line) => line.trim());
}

describe('nginxConfig', () => {
  const dir = '/run/twohop-test';
  const config = nginxConfig({
    dir,
    sites: [site('chat', true, [7001, 7002, 7003]), site('orderbook', false, [7101, 7102])],
  });

  it('keeps a client on one node only for apps whose clients may long-poll', () => {
    expect(block(config, 'upstream twohop_chat')).toEqual([
      'hash $remote_addr consistent;',
      'server 127.0.0.1:7001 max_fails=1 fail_timeout=2s;',
      'server 127.0.0.1:7002 max_fails=1 fail_timeout=2s;',
      'server 127.0.0.1:7003 max_fails=1 fail_timeout=2s;',
    ]);
    expect(block(config, 'upstream twohop_orderbook')[0]).toBe('least_conn;');
  });

  it('passes WebSocket upgrades on, streams responses unbuffered, and outwaits the heartbeats', () => {
    const location = block(config, 'location /');
    expect(location).toEqual(
      expect.arrayContaining([
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $twohop_connection;',
        'proxy_buffering off;',
        'proxy_read_timeout 75s;',
      ]),
    );
    expect(block(config, 'map $http_upgrade $twohop_connection')).toEqual(['default upgrade;', "'' '';"]);
    expect(nginxConfig({ dir, sites: [], readTimeoutSeconds: 120 })).not.toContain('75s');
  });

  it('routes the route header to the node it names, with the others as backups in order', () => {
    expect(block(config, 'map $http_x_twohop_node $twohop_chat_upstream')).toEqual([
      'default twohop_chat;',
      '"chat-1" twohop_chat__chat_1;',
      '"chat-2" twohop_chat__chat_2;',
      '"chat-3" twohop_chat__chat_3;',
    ]);
    expect(block(config, 'upstream twohop_chat__chat_2')).toEqual([
      'server 127.0.0.1:7002 max_fails=1 fail_timeout=2s;',
      'server 127.0.0.1:7001 max_fails=1 fail_timeout=2s backup;',
      'server 127.0.0.1:7003 max_fails=1 fail_timeout=2s backup;',
    ]);
    const unrouted = nginxConfig({ dir, sites: [site('chat', true, [7001])], routeHeader: false });
    expect(unrouted).not.toContain('map $http_x_twohop_node');
    expect(unrouted).toContain('proxy_pass http://twohop_chat;');
  });

  it('writes nothing outside its directory and stays in the foreground', () => {
    expect(config).toContain('daemon off;');
    expect(config).toContain(`pid ${dir}/nginx.pid;`);
    const paths = [...config.matchAll(/_path (\S+);/g)].map((match) => match[1]!);
    expect(paths).toHaveLength(5);
    expect(paths.every((path) => path.startsWith(`${dir}/temp/`))).toBe(true);
    expect(config).toContain('error_log stderr');
    expect(config).toContain('client_body_buffer_size 1m;');
  });

  it('is a configuration Debian’s nginx accepts', () => {
    const here = mkdtempSync(join(tmpdir(), 'twohop-nginx-test-'));
    dirs.push(here);
    mkdirSync(join(here, 'temp'));
    writeFileSync(
      join(here, 'nginx.conf'),
      nginxConfig({ dir: here, sites: [site('chat', true, [7001, 7002]), site('orderbook', false, [7101])] }),
    );
    const check = spawnSync('nginx', ['-t', '-e', 'stderr', '-p', here, '-c', join(here, 'nginx.conf')], {
      encoding: 'utf8',
    });
    expect(check.stderr).toContain('test is successful');
  });
});
