/**
 * `pnpm scenario idle-memory [--clients 2000] [--top 12] [--smoke] [--write]`
 *
 * What an idle WebSocket connection holds in the server's memory: raw `ws` beside twohop's plain-WebSocket binding,
 * each server in a fresh process of its own (loopback, port 0, `--expose-gc`), its clients connecting from this
 * process and staying idle. twohop's are measured twice: connected, then subscribed to one stream (as the fan-out
 * clients are). A warm-up of 100 connections comes and goes first, so code compiled on first use is not counted.
 *
 * Two figures per connection, each (after − before) ÷ clients: the bytes of every object a heap snapshot holds (the
 * reliable one: it counts only what is reachable), and V8's used heap plus external memory after full GCs (what the
 * process pays, sweeping included). The snapshot diff also names the top retainers by constructor. Memory is
 * reported, never asserted; the invariants are that every client connected and every subscribe was answered `ok`.
 * The report's charts: connect and subscribe round trips by percentile, and the server's heap at each step.
 * `--smoke` (the suite's): 50 clients, no heap snapshots. `--write` puts the table in docs/benchmarks.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import type { CensusRow } from './servers/idleMemoryServer.js';
import { reply, sleep } from './servers/ipc.js';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    top: { type: 'string', default: '12' },
    /** A small, quick run: 50 clients, no heap snapshots. */
    smoke: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
  },
});
const clientCount = values.smoke ? 50 : Number(values.clients);
const top = Number(values.top);

/** Round trips (ms) by series name: connect, subscribe. */
const roundTrips = new Map<string, number[]>();
const timed = <T>(series: string, work: Promise<T>): Promise<T> => {
  const started = performance.now();
  return work.then((value) => {
    roundTrips.set(series, [...(roundTrips.get(series) ?? []), performance.now() - started]);
    return value;
  });
};

/** Opens `count` WebSocket clients to `url`, a hundred at a time; `series` names their connect times. */
async function connect(url: string, count: number, series?: string): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, () => new WebSocket(url));
    await Promise.all(
      batch.map((socket) => {
        const open = new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        return series === undefined ? open : timed(series, open);
      }),
    );
    sockets.push(...batch);
  }
  return sockets;
}

/** Subscribes every socket to the server's one stream; resolves once every one was answered `ok`. */
async function subscribe(sockets: WebSocket[], series?: string): Promise<void> {
  await Promise.all(
    sockets.map((socket) => {
      const answered = new Promise<void>((resolve, reject) => {
        socket.on('message', (data) => {
          const frame = JSON.parse(String(data)) as { type?: string; reply?: { ok: boolean } };
          if (frame.type !== 'reply') return;
          if (frame.reply?.ok === true) resolve();
          else reject(new Error(`subscribe refused: ${String(data)}`));
        });
        socket.send(JSON.stringify({ id: 1, method: 'subscribe', params: { stream: 'idle:MEM' } }));
      });
      return series === undefined ? answered : timed(series, answered);
    }),
  );
}

/** Both figures, sampled together: the heap snapshot's diff since the last sample, and the settled heap. */
async function sample(
  server: ChildProcess,
  mode: string,
): Promise<{ census: CensusRow[]; total: number; heap: number }> {
  const { census, total } = values.smoke
    ? { census: [], total: Number.NaN }
    : await reply<{ census: CensusRow[]; total: number }>(server, 'census', { cmd: 'census' });
  const { heap } = await reply<{ heap: number }>(server, 'heap', { cmd: 'heap' });
  heapSteps.set(mode, [...(heapSteps.get(mode) ?? []), [(performance.now() - began) / 1000, heap / 2 ** 20]]);
  return { census, total, heap };
}

/** The server's heap (MiB) at each step, by mode, against seconds since the start. */
const heapSteps = new Map<string, Array<[number, number]>>();
const began = performance.now();

const kb = (bytes: number) => bytes / 1024 / clientCount;

function printTop(label: string, rows: CensusRow[]): void {
  if (rows.length === 0) return;
  console.log(`\n${label}: top retainers per connection (bytes, objects, snapshot type:constructor)`);
  for (const row of rows.slice(0, top)) {
    const bytes = (row.bytes / clientCount).toFixed(0).padStart(6);
    console.log(`${bytes} B ${(row.count / clientCount).toFixed(2).padStart(6)}×  ${row.name}`);
  }
}

interface Figures {
  /** KB per connection in the heap snapshot. */
  snapshot: number;
  /** KB per connection of used heap + external. */
  heap: number;
}

/** One server's figures: connected, and (twohop) subscribed. */
async function run(mode: 'ws' | 'twohop-ws'): Promise<{ connected: Figures; subscribed?: Figures }> {
  const script = fileURLToPath(new URL('./servers/idleMemoryServer.ts', import.meta.url));
  const server = fork(script, ['--mode', mode], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  });
  try {
    const { port } = await reply<{ port: number }>(server, 'port');
    const url = `ws://127.0.0.1:${port}/ws`;
    const warmUp = await connect(url, 100);
    if (mode === 'twohop-ws') await subscribe(warmUp);
    for (const socket of warmUp) socket.terminate();
    await sleep(300);
    const before = await sample(server, mode);
    const sockets = await connect(url, clientCount, `${mode} connect`);
    await sleep(300);
    const connected = await sample(server, mode);
    printTop(`${mode}, connected`, connected.census);
    const figures = (from: typeof before, to: typeof before, total: number) => ({
      snapshot: kb(total),
      heap: kb(to.heap - from.heap),
    });
    const result: { connected: Figures; subscribed?: Figures } = {
      connected: figures(before, connected, connected.total),
    };
    if (mode === 'twohop-ws') {
      await subscribe(sockets, `${mode} subscribe`);
      await sleep(300);
      const subscribed = await sample(server, mode);
      printTop(`${mode}, subscribed (beyond connected)`, subscribed.census);
      result.subscribed = figures(before, subscribed, connected.total + subscribed.total);
    }
    for (const socket of sockets) socket.terminate();
    return result;
  } finally {
    server.kill();
  }
}

const ws = await run('ws');
const twohop = await run('twohop-ws');
const ratio = (value: number, baseline: number) =>
  Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} KB (${(value / baseline).toFixed(2)}×)`;
const rows = [
  ['raw ws', ws.connected],
  ['twohop-ws, connected', twohop.connected],
  ['twohop-ws, subscribed', twohop.subscribed],
].flatMap(([label, figures]) =>
  figures === undefined || typeof figures === 'string'
    ? []
    : [
        [
          label as string,
          ratio(figures.snapshot, ws.connected.snapshot),
          ratio(figures.heap, ws.connected.heap),
        ],
      ],
);
const headers = [
  'server',
  'heap snapshot per connection (vs ws)',
  'used heap + external per connection (vs ws)',
];
console.log(`\nper idle connection, ${clientCount} clients (same run):`);
for (const row of rows) console.log(`  ${row.join(' | ')}`);

/** `samples` by percentile, as the report's HDR plot takes them. */
const percentiles = (samples: number[]): Array<[number, number]> => {
  const sorted = [...samples].sort((a, b) => a - b);
  return [0, 25, 50, 75, 90, 99, 99.9, 100].map((p) => [
    p,
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number,
  ]);
};
const allConnected = [...roundTrips].filter(([name]) => name.endsWith('connect'));
const ok = writeScenarioReport({
  scenario: 'idle-memory',
  params: { clients: clientCount, smoke: values.smoke },
  table: { headers, rows },
  invariants: [
    {
      name: 'every client connected, to each server',
      ok: allConnected.length === 2 && allConnected.every(([, times]) => times.length === clientCount),
      detail: allConnected.map(([name, times]) => `${name}: ${times.length}/${clientCount}`).join(', '),
    },
    {
      name: 'every subscribe was answered ok',
      ok: (roundTrips.get('twohop-ws subscribe')?.length ?? 0) === clientCount,
      detail: `${roundTrips.get('twohop-ws subscribe')?.length ?? 0}/${clientCount}`,
    },
  ],
  latency: Object.fromEntries([...roundTrips].map(([name, times]) => [name, percentiles(times)])),
  overTime: [
    {
      title: 'Server heap (used + external, after full GCs): before, connected, subscribed',
      unit: 'MiB',
      series: Object.fromEntries(heapSteps),
    },
  ],
});
if (values.write && !values.smoke) {
  writeBenchmarkSection(
    'idle-memory',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario idle-memory --write\` on: ${machine()}.`,
      '',
      `${clientCount} idle clients per server, each server in its own process; ratios are to raw \`ws\` in the same run.`,
      '',
      `| ${headers.join(' | ')} |`,
      '|---|---:|---:|',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
