import {
  StreamClient,
  eventSourceTransport,
  socketIoTransport,
  type EventSourceConstructor,
} from '@twohop/client';
import type { CloseNotice } from '@twohop/protocol';
import { keyedState } from '@twohop/snapshot-delta';
import { startTestServer } from '@twohop/testkit/node';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams, gracefulShutdown, sseStreams } from '../src/index.js';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('graceful shutdown', () => {
  it('stops accepting, tells every client server_shutdown (reconnect), closes, and exits 0', async () => {
    const publisher = levelsPublisher();
    publishChanges(publisher, 5);
    const catalog = catalogOf(publisher);
    const bindings: { close(): Promise<void> }[] = [];
    const server = await startTestServer(({ io, app }) => {
      bindings.push(attachSocketIoStreams(io, { catalog }));
      const sse = sseStreams({ catalog });
      app.get('/sse', sse.handler);
      bindings.push(sse);
    });
    cleanups.push(() => server.close());

    const clients = [
      new StreamClient({ transport: socketIoTransport(server.url), backoff: { baseMs: 5000 } }),
      new StreamClient({
        transport: eventSourceTransport(`${server.url}/sse`, {
          EventSource: EventSource as unknown as EventSourceConstructor,
        }),
        backoff: { baseMs: 5000 },
      }),
    ];
    const notices: CloseNotice[] = [];
    for (const client of clients) {
      cleanups.push(() => client.close());
      client.events.on('notice', (notice) => notices.push(notice));
    }
    const books = clients.map((client) => client.subscribe('book:TEST', { model: keyedState<number>() }));
    await waitFor('both live', () => books.every((book) => book.replica.position?.seq === 5));

    const exits: number[] = [];
    const lines: string[] = [];
    const shutdown = gracefulShutdown({
      server: server.http,
      closeables: bindings,
      deadlineMs: 5000,
      signals: [],
      log: (line) => lines.push(line),
      exit: (code) => exits.push(code),
    });
    await shutdown('SIGTERM');

    expect(exits).toEqual([0]);
    expect(server.http.listening).toBe(false);
    // Each client reads the notice, then sees its transport close: wait for both, not for a moment.
    await waitFor('both notices', () => notices.length === 2);
    for (const notice of notices)
      expect(notice).toMatchObject({ error: { code: 'server_shutdown' }, reconnect: true });
    await waitFor('both clients reconnecting', () =>
      clients.every((client) => client.state === 'reconnecting'),
    );
    for (const book of books) expect(sameState(book.replica.state, publisher.state)).toBe(true);
    expect(lines[0]).toContain('SIGTERM');
  });
});
