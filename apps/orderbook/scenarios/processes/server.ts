/**
 * The order book app in a process of its own, on a free port (sent to the parent over IPC), for scenarios: embedded,
 * or with `--redis <url> --role engine|gateway|both` one node on that Redis. `--shared-windows false` gives every
 * throttled subscriber a window of its own (to measure what sharing them saves); `{ cmd: 'encoded' }` answers the
 * plain-WebSocket binding's frames encoded so far, by stream.
 */
import { startApp } from '@twohop/app-kit';
import { redisBus } from '@twohop/bus-redis';
import { createOrderbookNode, ORDERBOOK_ROLES, type OrderbookRole } from '@twohop/orderbook/node';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { SeededRandom } from '@twohop/testkit';
import { parseArgs } from 'node:util';
import { answerCpu } from '@twohop/scenarios';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '11' },
    redis: { type: 'string' },
    role: { type: 'string', default: 'both' },
    'shared-windows': { type: 'string', default: 'true' },
  },
});
const random = new SeededRandom(Number(values.seed));
const options = {
  rate: Number(values.rate),
  random: () => random.float(),
  sharedWindows: values['shared-windows'] !== 'false',
};
if (!(ORDERBOOK_ROLES as readonly string[]).includes(values.role))
  throw new Error(`unknown role ${values.role}`);
const app = await startApp(
  values.redis === undefined
    ? createOrderbookServer(options)
    : await createOrderbookNode({
        ...options,
        bus: await redisBus({ url: values.redis }),
        role: values.role as OrderbookRole,
        runtime: { mode: 'redis', node: `${values.role}-${process.pid}` },
      }),
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
  if (message.cmd === 'encoded')
    process.send?.({ encoded: Object.fromEntries(app.server.webSocketStreams?.encodedFrames() ?? []) });
});
process.on('SIGTERM', () => process.exit(0));
