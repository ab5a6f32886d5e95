/**
 * `pnpm start` for the order book: listens on HOST:PORT (default 127.0.0.1:4101), simulates order flow at
 * ORDERBOOK_RATE book changes/s per symbol (default 1000; 20000 for a burst), and shuts down gracefully on
 * SIGINT/SIGTERM.
 */
import { gracefulShutdown } from '@twohop/server';
import { createOrderbookServer } from './createOrderbookServer.js';

const port = Number(process.env['PORT'] ?? 4101);
const host = process.env['HOST'] ?? '127.0.0.1';
const server = createOrderbookServer({ rate: Number(process.env['ORDERBOOK_RATE'] ?? 1000) });
server.http.listen(port, host, () => {
  console.log(
    `orderbook: http://${host}:${port} (symbols ${[...server.symbols.keys()].join(', ')}, ${server.rate} changes/s each)`,
  );
});
gracefulShutdown({ server: server.http, closeables: [server] });
