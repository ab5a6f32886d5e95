/**
 * `pnpm scenario cluster:redis-restart [--nodes 2] [--clients 9] [--warmup 5] [--seed S] [--smoke] [--write]`
 *
 * Every app with a cluster plan on one cluster (`@twohop/cluster`: its singletons, `nodes` nodes per app, nginx in
 * front) over a `redis-server` of this run's own, with persistence off. Under load (each app's driver, `clients`
 * clients per app through nginx), the redis-server is stopped and started again on the same port, empty: every
 * stream's history and epoch are gone. Reported per app: the client streams that moved to the new epoch, the time
 * from Redis answering again until each did, and whether each then held what a fresh client holds. Invariants: every
 * client stream converged on the new epoch, equal to a fresh client's, with its client still live.
 */
import { parseArgs } from 'node:util';
import { LatencyRecorder } from '@twohop/metrics';
import { seedFromEnv, waitFor } from '@twohop/testkit';
import { machine, startRedisServer, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { startAppClusters } from '../test/conformance/cluster/appCluster.js';
import { clusterAdapters } from '../test/conformance/cluster/registry.js';
import { judgeLoad, startLoad, type AppLoad } from './cluster/clusterLoad.js';
import { coverage, fixed, latencyCharts, markdownTable, perSecondChart } from './cluster/clusterReport.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2' },
    clients: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '5' },
    seed: { type: 'string', default: String(seedFromEnv(1)) },
    write: { type: 'boolean', default: false },
    /** The suite's size: two clients per app, 2 s before the restart. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { clients: '2', warmup: '2' });
const seed = Number(values.seed);
const [nodes, clients, warmup] = [values.nodes, values.clients, values.warmup].map(Number);
/** How long the clients may take to reach the new epoch before the run counts them as not converged. */
const CONVERGE_MS = 30_000;
console.log(
  `cluster redis restart: ${clusterAdapters.map((a) => a.app).join(', ')}; ${nodes} nodes and ${clients} clients per app, redis-server restarted empty after ${warmup} s (seed ${seed}); ${machine()}`,
);

let redis = await startRedisServer();
const { cluster, apps } = await startAppClusters(clusterAdapters, {
  nodes: nodes!,
  redisUrl: redis.url,
  log: console.log,
});
const loads: AppLoad[] = [];
try {
  for (const app of apps) loads.push(await startLoad(app, clients!, seed));
  for (const load of loads) load.reset();
  const sampler = setInterval(() => loads.forEach((load) => load.sample()), 250);
  await new Promise((resolve) => setTimeout(resolve, warmup! * 1000));

  // Where every client stream is, then Redis gone and back, empty, on the same port.
  const epochsBefore = loads.map((load) =>
    load.clients.map(({ follower }) => follower.streams.map((stream) => stream.position()?.epoch)),
  );
  await redis.stop();
  redis = await startRedisServer({ port: redis.port });
  const backAt = performance.now();
  console.log(`redis-server restarted empty on port ${redis.port} (pid ${redis.pid})`);

  const times = new Map(loads.map((load) => [load.app.adapter.app, new LatencyRecorder()]));
  const moved = loads.map((load) => load.clients.map(({ follower }) => follower.streams.map(() => false)));
  /** Apps known to fail this scenario: their streams are judged as they stand, never waited for. */
  const knownToFail = (load: AppLoad) => load.app.adapter.failsToday?.['cluster:redis-restart'] !== undefined;
  /**
   * Notes each client stream that has reached a new epoch (with the time it took); returns how many have not, of the
   * apps expected to get there.
   */
  const pending = () => {
    let left = 0;
    for (const [a, load] of loads.entries())
      for (const [c, { follower }] of load.clients.entries())
        for (const [s, stream] of follower.streams.entries()) {
          if (moved[a]![c]![s]) continue;
          const epoch = stream.position()?.epoch;
          if (epoch === undefined || epoch === epochsBefore[a]![c]![s]) left += knownToFail(load) ? 0 : 1;
          else {
            moved[a]![c]![s] = true;
            times.get(load.app.adapter.app)!.record(performance.now() - backAt);
          }
        }
    return left;
  };
  await waitFor('every client stream on a new epoch', () => pending() === 0, CONVERGE_MS, 20).catch(() =>
    console.log(`${pending()} client streams did not reach a new epoch in ${CONVERGE_MS / 1000} s`),
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  clearInterval(sampler);
  loads.forEach((load) => load.sample());

  const results = [];
  for (const [a, load] of loads.entries()) {
    const name = load.app.adapter.app;
    const verdict = await judgeLoad(load, load.app.live()[0]!, 5, knownToFail(load) ? 3_000 : 20_000);
    const streams = moved[a]!.flat();
    results.push({
      name,
      streams: streams.length,
      moved: streams.filter(Boolean).length,
      time: times.get(name)!.summary(),
      verdict,
      live: load.live(),
      failsToday: load.app.adapter.failsToday?.['cluster:redis-restart'],
    });
  }
  const headers = [
    'app',
    'clients',
    'client streams',
    'on the new epoch',
    'time to new epoch p50 / max ms',
    'differing from a fresh client',
    'resyncs',
  ];
  const rows = results.map((r) => [
    r.name,
    clients!,
    r.streams,
    r.moved,
    r.time.count === 0 ? '—' : `${fixed(r.time.p50)} / ${fixed(Math.max(r.time.p50, r.time.max))}`,
    `${r.verdict.differing} of ${r.verdict.compared}`,
    r.verdict.resyncs,
  ]);
  const table = markdownTable(headers, rows);
  console.log(table);
  const ok = writeScenarioReport({
    scenario: 'cluster-redis-restart',
    params: { nodes: nodes!, clients: clients!, warmup: warmup!, seed, smoke: values.smoke },
    table: { headers, rows },
    latency: {
      ...latencyCharts(loads),
      ...Object.fromEntries([...times].map(([name, t]) => [`${name} to new epoch`, t.distribution()])),
    },
    overTime: [perSecondChart(loads)],
    invariants: [
      coverage(),
      ...results.flatMap((r) => {
        const invariants = [
          {
            name: `${r.name}: every client stream moved to the new epoch`,
            ok: r.moved === r.streams,
            detail: `${r.moved} of ${r.streams}; p50 ${fixed(r.time.p50)} ms, max ${fixed(r.time.max)} ms`,
          },
          {
            name: `${r.name}: every client converged on it (its state equal to a fresh client's), still live`,
            ok: r.verdict.differing === 0 && r.verdict.compared === r.verdict.verdicts.length && r.live,
            detail: `${r.verdict.compared} of ${r.verdict.verdicts.length} compared, ${r.verdict.differing} differing; live ${r.live}`,
          },
        ];
        // Known to fail today: it must still fail, and the report says why.
        const gap = r.failsToday;
        if (gap === undefined) return invariants;
        return [
          {
            name: `${r.name}: fails today, as known — ${gap}`,
            ok: !invariants.every((invariant) => invariant.ok),
            detail: invariants.map((i) => `${i.ok ? 'ok' : 'FAIL'} ${i.name}: ${i.detail}`).join('; '),
          },
        ];
      }),
    ],
  });
  if (values.write)
    writeBenchmarkSection(
      'cluster-redis-restart',
      [
        `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario cluster:redis-restart --nodes ${nodes} --clients ${clients} --seed ${seed} --write\` on: ${machine()}.`,
        '',
        `Each app on ${nodes} nodes behind nginx over one \`redis-server\` (persistence off), ${clients} clients per app;`,
        `after ${warmup} s under load the redis-server is stopped and started again, empty, on the same port. The time is`,
        'from Redis answering again until a client stream holds the new epoch’s snapshot.',
        '',
        table,
      ].join('\n'),
    );
  await Promise.all(loads.map((load) => load.close()));
  await cluster.stop();
  await redis.stop();
  process.exit(ok ? 0 : 1);
} catch (error) {
  console.error(error);
  await Promise.all(loads.map((load) => load.close()));
  await cluster.stop();
  await redis.stop();
  process.exit(1);
}
