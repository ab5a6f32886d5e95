/**
 * The server process of `pnpm scenario idle-memory`: raw `ws` (`--mode ws`) or twohop's plain-WebSocket binding
 * (`--mode twohop-ws`) on a loopback port 0, with one stream. It reports `{ port }` once listening, then answers
 * `{ cmd: 'heap' }` with `{ heap }` (V8's used heap plus memory outside it, after a full GC) and `{ cmd: 'census' }`
 * with `{ census, total }`: objects by constructor in a heap snapshot (its 25 largest, and the bytes of all), as the
 * change since the previous census.
 * Run with `--expose-gc`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { getHeapSnapshot } from 'node:v8';
import { attachWebSocketStreams, StreamCatalog } from '@twohop/server';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'twohop-ws' } } });
const http = createServer();
if (values.mode === 'ws') new WebSocketServer({ server: http, path: '/ws' });
else {
  const publisher = new StreamPublisher({ stream: 'idle:MEM', model: keyedState<number>() });
  attachWebSocketStreams(http, { catalog: new StreamCatalog().add(publisher), path: '/ws' });
}

/** One constructor's (or V8 node kind's) share of the heap. */
export interface CensusRow {
  readonly name: string;
  readonly count: number;
  readonly bytes: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Objects in a heap snapshot by `type:name` (an object's name is its constructor's), counted and self-sized. */
async function census(): Promise<Map<string, { count: number; bytes: number }>> {
  gc();
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += String(chunk);
  const snapshot = JSON.parse(text) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byName = new Map<string, { count: number; bytes: number }>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[0][nodes[i + typeAt] as number] as string;
    const name = type === 'string' || type === 'number' ? '' : strings[nodes[i + nameAt] as number];
    const key = `${type}:${name ?? ''}`.slice(0, 80);
    const row = byName.get(key) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += nodes[i + sizeAt] as number;
    byName.set(key, row);
  }
  return byName;
}

/** Used heap plus external memory after full GCs, once sweeping has caught up (the least of three samples). */
async function settledHeap(): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { heapUsed, external } = process.memoryUsage();
    least = Math.min(least, heapUsed + external);
  }
  return least;
}

let previous: Map<string, { count: number; bytes: number }> | undefined;
process.on('message', (message: { cmd?: string }) => {
  if (message.cmd === 'heap') {
    gc();
    void settledHeap().then((heap) => process.send?.({ heap }));
  } else if (message.cmd === 'census') {
    void census().then((now) => {
      const rows: CensusRow[] = [];
      let total = 0;
      for (const [name, { count, bytes }] of now) {
        const before = previous?.get(name) ?? { count: 0, bytes: 0 };
        rows.push({ name, count: count - before.count, bytes: bytes - before.bytes });
        total += bytes - before.bytes;
      }
      previous = now;
      process.send?.({ census: rows.sort((a, b) => b.bytes - a.bytes).slice(0, 25), total });
    });
  }
});
http.listen(0, '127.0.0.1', () => process.send?.({ port: (http.address() as AddressInfo).port }));
