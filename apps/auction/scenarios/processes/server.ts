/**
 * The auction app in a process of its own, on a free port, for `auction:watchers` and `auction:sniping`, with no
 * simulated bidders and every budget lifted (the scenarios measure fan-out and timing, not limits). Beside it, on a
 * second port, a raw socket.io server: each bid the lot `--lot` accepts is also broadcast there as
 * `io.emit('bid', {ts})` at the same instant — the baseline the watchers measure against. `--skew <ms>` runs the
 * auction's clock (the store's, which judges bids and answers `time`) that far from this machine's.
 * IPC: sends `{ports: {app, raw}}`; `{cmd: 'open', terms}` → `{opened}`; `{cmd: 'audit'}` → `{audit}` (every
 * line); `{cmd: 'cpu'}` → `{cpu}`.
 */
import { answerCpu } from '@twohop/scenarios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { createAuctionServer } from '../../src/server/createAuctionServer.js';
import type { AuctionTerms } from '../../src/domain/index.js';

const { values } = parseArgs({
  options: {
    lot: { type: 'string', default: 'hall' },
    skew: { type: 'string', default: '0' },
  },
});
const skew = Number(values.skew);
const lifted = 1e9;
const server = createAuctionServer({
  secret: 'scenario-secret',
  now: () => Date.now() + skew,
  sessionsPerMinute: lifted,
  sessionBurst: lifted,
  bidRate: lifted,
  bidBurst: lifted,
  userRate: lifted,
  userBurst: lifted,
  limits: { ratePerSecond: lifted, rateBurst: lifted },
});
const rawHttp = createServer();
const raw = new Server(rawHttp);
const listen = (http: typeof rawHttp) =>
  new Promise<number>((resolve) =>
    http.listen(0, '127.0.0.1', () => resolve((http.address() as AddressInfo).port)),
  );
await server.ready;
answerCpu();
process.on('message', async (message: { cmd?: string; terms?: AuctionTerms }) => {
  if (message.cmd === 'open' && message.terms !== undefined) {
    await server.house.open(message.terms);
    if (message.terms.id === values.lot) {
      // The baseline: one raw broadcast per accepted bid, at the instant twohop publishes it.
      server.feed.lot(values.lot)?.subscribe((event) => {
        if (event.type === 'delta' && event.data.some((change) => change.key === 'bidCount'))
          raw.emit('bid', { ts: Date.now() });
      });
    }
    process.send?.({ opened: message.terms.id });
  } else if (message.cmd === 'audit') {
    process.send?.({ audit: await (await server.stores).audit.entries() });
  }
});
process.send?.({ ports: { app: await listen(server.http), raw: await listen(rawHttp) } });
process.on('SIGTERM', () => {
  raw.close();
  void server.close().then(() => process.exit(0));
});
