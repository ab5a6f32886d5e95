/**
 * `pnpm bench`: runs every benchmark with its baseline in the same process, prints the figures and writes them,
 * with the machine, into their section of docs/benchmarks.md. `pnpm bench -- --no-write` only prints.
 */
import { machine, writeBenchmarkSection } from '@twohop/testkit/node';
import { benchConflatingQueue } from './conflatingQueue.bench.js';
import { formatRate, type BenchRow } from './benchTable.js';
import { benchClientBook } from './clientBook.bench.js';
import { benchReplica } from './replica.bench.js';
import { benchWireSize } from './wireSize.bench.js';

function table(rows: BenchRow[], baselineOf: (row: BenchRow) => BenchRow | undefined): string {
  const lines = [
    '| workload | implementation | throughput | time per run (median of 7 interleaved rounds) | cost vs baseline |',
    '|---|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    const baseline = baselineOf(row);
    const ratio =
      baseline === undefined || baseline === row ? '—' : `${(row.meanMs / baseline.meanMs).toFixed(2)}×`;
    lines.push(
      `| ${row.workload} | ${row.subject} | ${formatRate(row.opsPerSecond)} | ${row.meanMs.toFixed(1)} ms | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

const baselineIn = (rows: BenchRow[]) => (row: BenchRow) =>
  rows.find((other) => other.workload === row.workload && other.subject.startsWith('baseline'));

const write = !process.argv.includes('--no-write');
console.log(`machine: ${machine()}\n`);

console.log('Replica vs naive Map …');
const replicaRows = benchReplica();
console.log(table(replicaRows, baselineIn(replicaRows)), '\n');

console.log('ConflatingQueue vs array queue …');
const queue = benchConflatingQueue();
console.log(table(queue.rows, baselineIn(queue.rows)));
console.log(
  `stalled consumer after 1,000,000 pushes: ConflatingQueue holds ${queue.stalled.conflating} entries, array ${queue.stalled.array}`,
);
console.log(
  `burst of 100,000 changes over 100 keys: ConflatingQueue high-water ${queue.burstHighWater} entries\n`,
);

console.log('Order book client book vs ccxt …');
const bookRows = benchClientBook();
console.log(table(bookRows, baselineIn(bookRows)), '\n');

console.log('Order book pro tier wire size …');
const wire = benchWireSize();
const wireRows = [...wire.byLevels]
  .filter(([levels]) => levels <= 4)
  .sort(([a], [b]) => a - b)
  .map(
    ([levels, r]) =>
      `| ${levels} | ${r.count.toLocaleString('en')} | ${(r.json / r.count).toFixed(0)} B | ${(r.proto / r.count).toFixed(0)} B | ${((r.proto / r.json) * 100).toFixed(0)}% |`,
  );
const wireTable = [
  '| levels in the delta | deltas | JSON frame, mean | protobuf frame, mean | protobuf / JSON |',
  '|---:|---:|---:|---:|---:|',
  ...wireRows,
  `| all | ${wire.deltas.toLocaleString('en')} | ${(wire.json / wire.deltas).toFixed(0)} B | ${(wire.proto / wire.deltas).toFixed(0)} B | ${((wire.proto / wire.json) * 100).toFixed(0)}% |`,
].join('\n');
console.log(wireTable, '\n');

if (write) {
  writeBenchmarkSection(
    'orderbook-wire-size',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} on: ${machine()}.`,
      '',
      '**Pro tier wire size** — the book deltas of 20,000 simulated engine operations on BTC-USD, each encoded as the',
      'JSON text the retail tier sends and as the protobuf frame the pro tier sends (envelope + `BookLevels`',
      'payload, `apps/orderbook/proto/book.proto`). Frame bytes as written to socket.io, before its own framing.',
      '',
      wireTable,
    ].join('\n'),
  );

  writeBenchmarkSection(
    'orderbook-client-book',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} on: ${machine()}.`,
      '',
      '**Client book** (apps/orderbook `LevelBook`) — 1,000,000 absolute level changes over 1,000 levels per side,',
      'clustered near the touch, 10% removals, a top-20 read of both sides every 100 changes. Baseline: the',
      '`OrderBook` ccxt maintains exchange books with (`Exchange#orderBook()`), same stream, same run.',
      '',
      table(bookRows, baselineIn(bookRows)),
    ].join('\n'),
  );

  writeBenchmarkSection(
    'core',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} on: ${machine()}.`,
      '',
      '**Replica** — order-book stream: 1,000 levels per side, 1,000,000 keyed changes, 10% removals, levels',
      'clustered near the top (exponential, mean depth 50). Baseline: the same deltas applied to a `Map` with no',
      'sequence, epoch or checksum rules.',
      '',
      table(replicaRows, baselineIn(replicaRows)),
      '',
      '**ConflatingQueue** — the same kind of stream, 1,000,000 pushes, the consumer draining every 1,000.',
      'Baseline: an array queue that never merges.',
      '',
      table(queue.rows, baselineIn(queue.rows)),
      '',
      `- Stalled consumer (no drain during 1,000,000 pushes): the ConflatingQueue holds **${queue.stalled.conflating}** entries`,
      `  (one per distinct level), the array queue **${queue.stalled.array.toLocaleString('en')}**.`,
      `- Burst of 100,000 changes over 100 keys: ConflatingQueue high-water mark **${queue.burstHighWater}** entries.`,
    ].join('\n'),
  );
}
