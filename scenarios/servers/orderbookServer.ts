/** The order book app in a process of its own, on a free port (sent to the parent over IPC), for scenarios. */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createOrderbookServer } from '@twohop/orderbook/server';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '1000' }, seed: { type: 'string', default: '11' } },
});
const server = createOrderbookServer({ rate: Number(values.rate), seed: Number(values.seed) });
server.http.listen(0, '127.0.0.1', () =>
  process.send?.({ port: (server.http.address() as AddressInfo).port }),
);
process.on('message', (message: { cmd: string; gc?: boolean }) => {
  if (message.cmd === 'rss') {
    // After a full GC when the process runs with --expose-gc (steady-state figures); `gc: false` for a live sample.
    if (message.gc !== false) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
  }
  if (message.cmd === 'connections') process.send?.({ connections: server.streams.inspect() });
});
process.on('SIGTERM', () => process.exit(0));
