/**
 * `pnpm scenario cluster:hop2-cost [--clients 20] [--duration 10] [--warmup 2] [--seed S] [--smoke] [--write]`
 *
 * What hop 2 costs, for every app with a cluster plan, in one run of three phases on the same machine with the same
 * load (each app's driver and `clients` clients of its own kind): the app **embedded** (one process, no Redis),
 * then **on Redis with 1 node** and **with 2 nodes** behind nginx (`@twohop/cluster`: its singletons, a
 * `redis-server`, the clients pinned round-robin to the nodes; for the first, each app's second node is stopped). Reported per app and phase: delivery latency (the
 * server's time of a change to its arrival at a client) p50 / p99, deliveries/s in all and per node, each node's
 * CPU and the deliveries it made per CPU-second; per phase, the CPU of the singletons, nginx and redis-server and
 * Redis's commands/s. Invariants: every phase delivered to every client; no client resynced.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { seedFromEnv } from '@twohop/testkit';
import { machine, processCpuMs, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { startAppClusters } from '../test/conformance/cluster/appCluster.js';
import { clusterAdapters } from '../test/conformance/cluster/registry.js';
import { startLoad, type AppLoad } from './cluster/clusterLoad.js';
import { coverage, fixed, markdownTable } from './cluster/clusterReport.js';
import { startEmbeddedApp } from './cluster/embeddedApp.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    seed: { type: 'string', default: String(seedFromEnv(1)) },
    write: { type: 'boolean', default: false },
    /** The suite's size: two clients per app, 1 s per phase after 1 s of warm-up. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { clients: '2', duration: '1', warmup: '1' });
const seed = Number(values.seed);
const [clients, seconds, warmup] = [values.clients, values.duration, values.warmup].map(Number) as [
  number,
  number,
  number,
];
console.log(
  `cluster hop-2 cost: ${clusterAdapters.map((a) => a.app).join(', ')}; ${clients} clients per app, ${seconds} s per phase: embedded, redis with 1 node, with 2 nodes (seed ${seed}); ${machine()}`,
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuPercent = (ms: number) => (100 * ms) / (seconds * 1000);
/** Redis's commands processed so far (`INFO stats`). */
function redisCommands(url: string): number {
  const info = spawnSync('redis-cli', ['-u', url, 'info', 'stats'], { encoding: 'utf8' }).stdout;
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/** What one app did in one phase. */
interface AppPhase {
  phase: string;
  app: string;
  deliveriesPerSecond: number;
  perNode: { node: string; perSecond: number; cpu: number; perCpuSecond: number }[];
  latency: ReturnType<AppLoad['latency']['summary']>;
  distribution: Array<[number, number]>;
  overTime: Array<[number, number]>;
  starved: number;
  resyncs: number;
}
const results: AppPhase[] = [];
const sideLines: string[] = [];

/** Runs the load on `targets` for the phase: warm-up, then `seconds` recorded with each process's CPU. */
async function measure(
  phase: string,
  targets: Parameters<typeof startLoad>[0][],
  pids: Map<string, number>,
  redisUrl?: string,
) {
  const loads: AppLoad[] = [];
  try {
    for (const target of targets) loads.push(await startLoad(target, clients, seed));
    const sampler = setInterval(() => loads.forEach((load) => load.sample()), 250);
    await sleep(warmup * 1000);
    loads.forEach((load) => load.reset());
    const cpu = (): Map<string, number> => new Map([...pids].map(([name, pid]) => [name, processCpuMs(pid)]));
    const [cpu0, commands0] = [cpu(), redisUrl === undefined ? 0 : redisCommands(redisUrl)];
    await sleep(seconds * 1000);
    const [cpu1, commands1] = [cpu(), redisUrl === undefined ? 0 : redisCommands(redisUrl)];
    clearInterval(sampler);
    const used = (name: string) => cpu1.get(name)! - cpu0.get(name)!;
    for (const load of loads) {
      load.sample();
      const nodes = load.app.live();
      const perNode = nodes.map((node) => {
        const key = nodes.length === 1 && phase === 'embedded' ? load.app.adapter.app : node;
        return {
          node,
          perSecond: load.deliveredOn(node) / seconds,
          cpu: cpuPercent(used(key)),
          perCpuSecond: load.deliveredOn(node) / Math.max(0.001, used(key) / 1000),
        };
      });
      const streams = load.clients.flatMap(({ follower }) => follower.streams);
      results.push({
        phase,
        app: load.app.adapter.app,
        deliveriesPerSecond: load.delivered() / seconds,
        perNode,
        latency: load.latency.summary(),
        distribution: load.latency.distribution(),
        overTime: load.deliveries.points(),
        starved: streams.filter((stream) => stream.deliveries.length === 0).length,
        resyncs: streams.reduce((n, stream) => n + stream.resyncs.length, 0),
      });
    }
    const others = [...pids.keys()].filter(
      (name) => !results.some((r) => r.perNode.some((n) => n.node === name)),
    );
    const side = others.map((name) => `${name} ${cpuPercent(used(name)).toFixed(0)}%`);
    if (redisUrl !== undefined)
      side.push(`Redis ${Math.round((commands1 - commands0) / seconds).toLocaleString('en')} commands/s`);
    if (side.length > 0) sideLines.push(`${phase}: ${side.join(', ')}`);
  } finally {
    await Promise.all(loads.map((load) => load.close()));
  }
}

// Embedded: one process per app, its own everything.
const embedded = await Promise.all(clusterAdapters.map((adapter) => startEmbeddedApp(adapter)));
try {
  await measure('embedded', embedded, new Map(embedded.map((app) => [app.adapter.app, app.pid])));
} finally {
  await Promise.all(embedded.map((app) => app.stop()));
}
// On Redis: the same load on 1 node (each app's second node stopped), then on 2 (started again).
const { cluster, apps } = await startAppClusters(clusterAdapters, { nodes: 2 });
try {
  const pids = () =>
    new Map<string, number>([
      ...cluster.apps.flatMap((app) =>
        [...app.singletons, ...app.nodes]
          .filter((p) => p.running)
          .map((p): [string, number] => [p.name, p.pid]),
      ),
      ['nginx', cluster.nginx.pid],
      ...(cluster.redis === undefined ? [] : [['redis-server', cluster.redis.pid] as [string, number]]),
    ]);
  const second = apps.map((app) => app.view.nodes[1]!);
  await Promise.all(second.map((node) => cluster.kill(node, 'SIGTERM')));
  await measure('redis, 1 node', [...apps], pids(), cluster.redisUrl);
  await Promise.all(second.map((node) => cluster.restart(node)));
  await measure('redis, 2 nodes', [...apps], pids(), cluster.redisUrl);
} finally {
  await cluster.stop();
}

const headers = [
  'app',
  'mode',
  'clients',
  'deliveries/s',
  'per node: deliveries/s · CPU · per CPU-second',
  'latency p50 / p99 ms',
  'resyncs',
];
const rows = results.map((r) => [
  r.app,
  r.phase,
  clients,
  Math.round(r.deliveriesPerSecond),
  r.perNode
    .map((n) => `${Math.round(n.perSecond)} · ${n.cpu.toFixed(0)}% · ${Math.round(n.perCpuSecond)}`)
    .join('; '),
  `${fixed(r.latency.p50)} / ${fixed(r.latency.p99)}`,
  r.resyncs,
]);
const table = markdownTable(headers, rows);
console.log(table);
const cpuNote = `CPU is of one core (${availableParallelism()} here). ${sideLines.join('. ')}.`;
console.log(cpuNote);
const key = (r: AppPhase) => `${r.app} ${r.phase}`;
const ok = writeScenarioReport({
  scenario: 'cluster-hop2-cost',
  params: { clients, duration: seconds, seed, smoke: values.smoke },
  table: { headers, rows },
  latency: Object.fromEntries(results.map((r) => [key(r), r.distribution])),
  overTime: [
    {
      title: 'Deliveries per second, by app and mode',
      unit: 'deliveries/s',
      series: Object.fromEntries(results.map((r) => [key(r), r.overTime])),
    },
  ],
  invariants: [
    coverage(),
    {
      name: 'every client received changes in every mode',
      ok: results.every((r) => r.starved === 0 && r.deliveriesPerSecond > 0),
      detail: results.map((r) => `${key(r)}: ${r.starved} streams starved`).join('; '),
    },
    {
      name: 'no client resynced',
      ok: results.every((r) => r.resyncs === 0),
      detail: results.map((r) => `${key(r)}: ${r.resyncs}`).join('; '),
    },
  ],
});
if (values.write)
  writeBenchmarkSection(
    'cluster-hop2-cost',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario cluster:hop2-cost --clients ${clients} --duration ${seconds} --seed ${seed} --write\` on: ${machine()}.`,
      '',
      `Each app with the same load in three phases of one run: embedded (one process), then on Redis with 1 and with 2`,
      `nodes behind nginx (its singletons and one \`redis-server\` beside); ${clients} clients per app, pinned round-robin`,
      'to the nodes. Latency is from the server’s time of a change to its arrival at a client.',
      '',
      table,
      '',
      cpuNote,
    ].join('\n'),
  );
process.exit(ok ? 0 : 1);
