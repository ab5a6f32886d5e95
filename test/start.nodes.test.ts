import { discoverApps } from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `pnpm start --nodes 2` end to end, as a person runs it (the UIs aside: `--skip-build`), on ports shifted clear of
// anything else: the cluster comes up, the portal lists the nodes, SIGTERM stops every process and it exits 0.
const root = fileURLToPath(new URL('..', import.meta.url));
const apps = discoverApps(new URL('../apps/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twohop-start-nodes-'));
const cleanups: (() => unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
/** A TWOHOP_PORT_OFFSET under which every app's port and the MQTT port are free now (tried in a bounded range). */
async function freeOffset(): Promise<number> {
  for (let offset = 5000 + (process.pid % 40) * 100; offset <= 9900; offset += 100) {
    const ports = [...apps.map((app) => app.port), 1883].map((port) => port + offset);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return offset;
  }
  throw new Error('no free port offset');
}

/** Whether `pid` is a live process (a zombie waiting to be reaped is not). */
const alive = (pid: number) =>
  existsSync(`/proc/${pid}/stat`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

interface Listed {
  name: string;
  health: { status: string };
  nodes?: { node: string; beating: boolean; health: { status: string } }[];
}

describe('pnpm start --nodes 2', () => {
  it('starts the cluster behind nginx, the portal lists every node live, SIGTERM stops it all and exits 0', async () => {
    const offset = await freeOffset();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--nodes', '2', '--skip-build'],
      {
        cwd: root,
        env: {
          ...process.env,
          TWOHOP_PORT_OFFSET: String(offset),
          TWOHOP_CLUSTER_DIR: join(dir, 'cluster'),
          TWOHOP_LOG_FORMAT: 'json',
          CHAT_DB: join(dir, 'chat.db'),
          AUCTION_DB: join(dir, 'auction.db'),
          IOT_DB: join(dir, 'iot.db'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    });

    const portal = `http://127.0.0.1:${4100 + offset}`;
    const listed = async () => {
      try {
        return (await (await fetch(`${portal}/api/apps`)).json()) as Listed[];
      } catch {
        return [];
      }
    };
    await waitFor(
      'the portal listing every app live, and both order book nodes',
      async () => {
        if (child.exitCode !== null) throw new Error(`pnpm start exited:\n${output}`);
        const all = await listed();
        const nodes = all.find((app) => app.name === 'orderbook')?.nodes ?? [];
        return (
          all.length > 0 &&
          all.every((app) => app.health.status === 'ok') &&
          ['orderbook-1', 'orderbook-2'].every((name) =>
            nodes.some((node) => node.node === name && node.beating && node.health.status === 'ok'),
          )
        );
      },
      90_000,
    );
    // The order book's port is nginx's, in front of its gateways.
    const health = (await (await fetch(`http://127.0.0.1:${4101 + offset}/healthz`)).json()) as {
      node: string;
    };
    expect(health.node).toMatch(/^orderbook-[12]$/);
    const pids = [...output.matchAll(/\(pid (\d+)\)/g)].map((match) => Number(match[1]));
    expect(pids.length).toBeGreaterThanOrEqual(5); // redis-server, the engine, two gateways, nginx

    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    for (const name of ['orderbook-engine', 'orderbook-1', 'orderbook-2', 'nginx', 'redis-server']) {
      expect(output).toContain(`start: ${name}: stopping…`);
      expect(output).toContain(`start: ${name}: stopped\n`); // exit 0 (else the line says how it ended)
    }
    expect(pids.filter(alive)).toEqual([]);
  }, 150_000);
});
