/** The order book app in a process of its own, on a free port (sent to the parent over IPC), for scenarios. */
import { startApp } from '@twohop/app-kit';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { SeededRandom } from '@twohop/testkit';
import { parseArgs } from 'node:util';
import { answerCpu } from '@twohop/scenarios';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '1000' }, seed: { type: 'string', default: '11' } },
});
const random = new SeededRandom(Number(values.seed));
const app = await startApp(
  createOrderbookServer({ rate: Number(values.rate), random: () => random.float() }),
);
process.send?.({ port: app.port });
answerCpu();
process.on('message', (message: { cmd: string; gc?: boolean }) => {
  if (message.cmd === 'rss') {
    // After a full GC when the process runs with --expose-gc (steady-state figures); `gc: false` for a live sample.
    if (message.gc !== false) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
  }
  if (message.cmd === 'connections') process.send?.({ connections: app.server.streams.inspect() });
});
process.on('SIGTERM', () => process.exit(0));
