import { discoverApps } from '@twohop/app-kit';
import { StreamClient, socketIoTransport } from '@twohop/client';
import { bookChecksum, levelBookState } from '@twohop/orderbook/book';
import { bookStream } from '@twohop/orderbook/streams';
import { waitFor } from '@twohop/testkit';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../src/index.js';

// The launcher with the one app that has a cluster plan today: the order book's engine, two gateways, nginx in
// front and a redis-server of its own, all real processes.
const root = new URL('../../../', import.meta.url);
const orderbook = discoverApps(new URL('apps/', root)).filter((app) => app.name === 'orderbook');
const lines: string[] = [];
let cluster: Cluster;
const clients: StreamClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    root,
    apps: orderbook,
    nodes: 2,
    env: { ...process.env, TWOHOP_LOG_FORMAT: 'json', ORDERBOOK_RATE: '200' },
    log: (line) => lines.push(line),
  });
}, 120_000);
afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.stop();
});

/** Whether `pid` is a live process (a zombie waiting to be reaped is not). */
const alive = (pid: number) =>
  existsSync(`/proc/${pid}/stat`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
/** The parent of each process now, from /proc. */
const parents = () =>
  new Map(
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid): [number, number][] => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return [[Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])]];
        } catch {
          return []; // it has just exited
        }
      }),
  );
/** `pid` and every process below it. */
const tree = (pid: number, all = parents()): number[] => [
  pid,
  ...[...all].filter(([, parent]) => parent === pid).flatMap(([child]) => tree(child, all)),
];
const where = async (headers: Record<string, string> = {}) =>
  (
    (await (await fetch(`${cluster.app('orderbook').publicUrl}/healthz`, { headers })).json()) as {
      node: string;
    }
  ).node;

/** A client of BTC-USD's pro book through nginx (with `headers` on its WebSocket upgrade). */
function follow(headers: Record<string, string> = {}) {
  const client = new StreamClient({
    transport: socketIoTransport(cluster.app('orderbook').publicUrl, { socket: { extraHeaders: headers } }),
    backoff: { baseMs: 50, capMs: 200 },
  });
  clients.push(client);
  const states: string[] = [];
  const resyncs: string[] = [];
  client.events.on('state', (state) => states.push(state));
  client.events.on('resync', (event) => resyncs.push(event.reason));
  const book = client.subscribe(bookStream('BTC-USD', 'pro'), {
    model: levelBookState(),
    checksum: bookChecksum,
  });
  return { client, book, states, resyncs };
}

describe('startCluster, with the order book', () => {
  it('runs the engine, N gateways behind nginx and a redis-server, each named, with its URL and PID', async () => {
    const app = cluster.app('orderbook');
    expect(app.nodes.map((node) => node.name)).toEqual(['orderbook-1', 'orderbook-2']);
    expect(app.singletons.map((node) => node.name)).toEqual(['orderbook-engine']);
    expect(app.sticky).toBe(false);
    for (const node of [...app.nodes, ...app.singletons]) {
      const health = (await (await fetch(`${node.url}/healthz`)).json()) as { node: string; mode: string };
      expect(health).toMatchObject({ node: node.name, mode: 'redis' });
      expect(alive(node.pid)).toBe(true);
    }
    // Spread over both gateways, never the engine; the route header picks one.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await where());
    expect([...seen].sort()).toEqual(['orderbook-1', 'orderbook-2']);
    expect(await where(cluster.routeTo('orderbook-2'))).toBe('orderbook-2');
    expect(lines).toContain(`orderbook-1: listening on ${app.nodes[0]!.url} (pid ${app.nodes[0]!.pid})`);
  });

  it('a client receives the book through nginx; when its gateway is SIGKILLed, nginx gives it to the other', async () => {
    const plain = follow();
    const pinned = follow(cluster.routeTo('orderbook-1'));
    await waitFor('both live with a book', () =>
      [plain, pinned].every(
        ({ book }) => book.replica.status === 'live' && book.replica.position !== undefined,
      ),
    );
    const before = pinned.book.replica.position!.seq;

    await cluster.kill('orderbook-1');
    expect(cluster.process('orderbook-1').running).toBe(false);
    await waitFor(
      'the pinned client dropped and back',
      () => pinned.states.at(-1) === 'live' && pinned.states.length >= 3,
    );
    // Its requests now reach orderbook-2, and its book moves on there, every checksum matching.
    expect(await where(cluster.routeTo('orderbook-1'))).toBe('orderbook-2');
    await waitFor('the book past where it was', () => (pinned.book.replica.position?.seq ?? 0) > before + 20);
    expect(pinned.resyncs.filter((reason) => reason === 'checksum')).toEqual([]);

    // Restarted, it serves again on the same port under the same name.
    const port = cluster.process('orderbook-1').port;
    const restarted = await cluster.restart('orderbook-1');
    expect(restarted.port).toBe(port);
    await waitFor(
      'nginx sends to orderbook-1 again',
      async () => (await where(cluster.routeTo('orderbook-1'))) === 'orderbook-1',
    );
  }, 60_000);

  it('stop() ends every process it started, nginx’s worker and the redis-server included, by PID', async () => {
    const pids = cluster.pids().flatMap((pid) => tree(pid));
    expect(pids.length).toBeGreaterThanOrEqual(6); // engine, 2 gateways, nginx and its worker, redis-server
    expect(pids.every(alive)).toBe(true);
    for (const client of clients.splice(0)) client.close();
    await cluster.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect(lines.slice(-2)).toEqual([
      'redis-server: stopping… (pid ' + cluster.redis!.pid + ')',
      'redis-server: stopped',
    ]);
    expect(existsSync(cluster.nginx.dir)).toBe(false);
  }, 60_000);
});
