/**
 * `pnpm scenario orderbook:hop2-cost [--clients 50] [--rate 1000] [--duration 15] [--seed S] [--smoke] [--write]`
 *
 * What Redis adds between the engine and a client, in one run: the order book embedded (one process) beside the
 * order book on Redis (an engine process publishing through a `redis-server` of its own, a gateway process following
 * it), each engine at `rate` book changes/s per symbol with the same seed, and `clients` pro-tier clients on each
 * (socket.io, in one load-generator process per mode, each keeping a verified replica). Reports per mode:
 * deliveries/s and engine-to-client latency (the engine's timestamp on each delta to its arrival), and the CPU each
 * process used. Invariants: every client received deltas; none resynced (every checksum matched across the bus).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LatencySummary } from '@twohop/metrics';
import { cpuOf, reply, sleep } from '@twohop/scenarios';
import { machine, startRedisServer, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '15' },
    seed: { type: 'string', default: '11' },
    write: { type: 'boolean', default: false },
    /** The suite's size: 5 clients per mode for 3 s. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { clients: '5', rate: '300', duration: '3' });
const seconds = Number(values.duration);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const run = (script: string, args: string[]) =>
  fork(here(script), args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
console.log(
  `orderbook hop-2 cost: ${values.clients} pro clients per mode, engines at ${values.rate} changes/s per symbol (seed ${values.seed}); ${machine()}`,
);

const redis = await startRedisServer();
const engineArgs = ['--rate', values.rate, '--seed', values.seed];
const embedded = run('./processes/server.ts', engineArgs);
const engine = run('./processes/server.ts', [...engineArgs, '--redis', redis.url, '--role', 'engine']);
await reply(engine, 'port');
const gateway = run('./processes/server.ts', ['--redis', redis.url, '--role', 'gateway']);
const ports = { embedded: (await reply<{ port: number }>(embedded, 'port')).port };
const gatewayPort = (await reply<{ port: number }>(gateway, 'port')).port;
const modes = { embedded: ports.embedded, redis: gatewayPort };
const loads = Object.fromEntries(
  Object.entries(modes).map(([mode, port]) => [
    mode,
    run('./processes/clients.ts', [
      '--url',
      `http://127.0.0.1:${port}`,
      '--clients',
      values.clients,
      '--tiers',
      'pro',
    ]),
  ]),
) as Record<keyof typeof modes, ChildProcess>;
for (const load of Object.values(loads)) await reply(load, 'connected');
console.log('connected; warming up 3 s …');
await sleep(3000);
const processes = { embedded, engine, gateway, redisClients: loads.redis, embeddedClients: loads.embedded };
for (const load of Object.values(loads)) load.send({ cmd: 'record' });
const cpu = async () =>
  Object.fromEntries(await Promise.all(Object.entries(processes).map(async ([k, p]) => [k, await cpuOf(p)])));
const started = { at: performance.now(), cpu: await cpu() };
await sleep(seconds * 1000);
const ended = { at: performance.now(), cpu: await cpu() };
const coreUs = (ended.at - started.at) * 1000 * availableParallelism();
const cpuLine = Object.keys(processes)
  .map((key) => `${key} ${((100 * (ended.cpu[key]! - started.cpu[key]!)) / coreUs).toFixed(0)}%`)
  .join(', ');

type Summary = {
  clients: number;
  deliveries: number;
  resyncs: number;
  latency: LatencySummary;
  distribution: Array<[number, number]>;
  perSecond: number[];
};
const summaries = {} as Record<string, Summary>;
for (const [mode, load] of Object.entries(loads)) {
  const { summary } = await reply<{ summary: Record<string, Summary> }>(load, 'summary', { cmd: 'summary' });
  summaries[mode] = summary['pro']!;
  load.send({ cmd: 'exit' });
}
for (const server of [embedded, engine, gateway]) server.kill('SIGTERM');
await redis.stop();

const fixed = (ms: number) => ms.toFixed(1);
const table = [
  '| mode | clients | deliveries/s (all clients) | engine → client p50 / p99 / max | resyncs |',
  '|---|---:|---:|---:|---:|',
  ...Object.entries(summaries).map(
    ([mode, s]) =>
      `| ${mode} | ${s.clients} | ${Math.round(s.deliveries / seconds).toLocaleString('en')} | ${fixed(s.latency.p50)} / ${fixed(s.latency.p99)} / ${fixed(s.latency.max)} ms | ${s.resyncs} |`,
  ),
].join('\n');
console.log(table);
console.log(`CPU of ${availableParallelism()} cores while recording: ${cpuLine}`);
const all = Object.values(summaries);
const ok = writeScenarioReport({
  scenario: 'orderbook-hop2-cost',
  params: {
    clients: values.clients,
    rate: values.rate,
    duration: seconds,
    seed: values.seed,
    smoke: values.smoke,
  },
  table: {
    headers: ['mode', 'clients', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'resyncs'],
    rows: Object.entries(summaries).map(([mode, s]) => [
      mode,
      s.clients,
      Math.round(s.deliveries / seconds),
      Number(fixed(s.latency.p50)),
      Number(fixed(s.latency.p99)),
      Number(fixed(s.latency.max)),
      s.resyncs,
    ]),
  },
  latency: Object.fromEntries(Object.entries(summaries).map(([mode, s]) => [mode, s.distribution])),
  overTime: [
    {
      title: 'Deliveries per second, by mode',
      unit: 'deliveries/s',
      series: Object.fromEntries(
        Object.entries(summaries).map(([mode, s]) => [
          mode,
          s.perSecond.map((n, i) => [i + 1, n] as [number, number]),
        ]),
      ),
    },
  ],
  invariants: [
    {
      name: 'every mode delivered deltas',
      ok: all.every((s) => s.deliveries > 0),
      detail: all.map((s) => s.deliveries).join(' / '),
    },
    {
      name: 'no client resynced (every checksum matched, across the bus too)',
      ok: all.every((s) => s.resyncs === 0),
      detail: all.map((s) => s.resyncs).join(' / '),
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'orderbook-hop2-cost',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:hop2-cost --clients ${values.clients} --rate ${values.rate} --duration ${seconds} --write\` on: ${machine()}.`,
      '',
      `The order book embedded (one process) and on Redis (an engine process → \`redis-server\` → a gateway process), in`,
      `the same run on the same machine, each engine at ${values.rate} book changes/s per symbol on three symbols with`,
      `the same seed; ${values.clients} pro-tier clients on each over socket.io, in a load-generator process per mode.`,
      'Latency is from the engine’s timestamp on a delta to its arrival at the client.',
      '',
      table,
      '',
      `CPU of ${availableParallelism()} cores while recording: ${cpuLine}.`,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
