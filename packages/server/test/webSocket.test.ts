import { StreamClient, webSocketTransport, type WebSocketConstructor } from '@twohop/client';
import { protobufCodec, type CloseNotice, type ServerMessage, type WebSocketReply } from '@twohop/protocol';
import { keyedState, Replica, StreamPublisher } from '@twohop/snapshot-delta';
import { FakeClock } from '@twohop/testkit';
import { startTestServer } from '@twohop/testkit/node';
import WebSocket, { type ClientOptions } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  RequestError,
  RequestRouter,
  attachWebSocketStreams,
  type WebSocketPeer,
  type WebSocketStreams,
  type WebSocketStreamsOptions,
} from '../src/index.js';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Partial<WebSocketStreamsOptions> = {}, publisher = levelsPublisher()) {
  let streams: WebSocketStreams | undefined;
  const server = await startTestServer(({ http }) => {
    streams = attachWebSocketStreams(http, { catalog: catalogOf(publisher), ...options });
  });
  cleanups.push(() => server.close());
  return { server, publisher, streams: streams as WebSocketStreams };
}

/** A raw `ws` client, as someone following docs/protocol.md with any WebSocket library would write it. */
async function rawClient(url: string, query = '', options: ClientOptions = {}) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws${query}`, options);
  cleanups.push(() => socket.terminate());
  const texts: { type: string; [key: string]: unknown }[] = [];
  const binaries: Uint8Array[] = [];
  socket.on('message', (data: Buffer, isBinary) => {
    if (isBinary) binaries.push(new Uint8Array(data));
    else texts.push(JSON.parse(String(data)) as { type: string });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const replyTo = async (id: unknown) => {
    await waitFor(`the reply to ${String(id)}`, () =>
      texts.some((frame) => frame.type === 'reply' && frame['id'] === id),
    );
    return (texts.find((frame) => frame.type === 'reply' && frame['id'] === id) as unknown as WebSocketReply)
      .reply;
  };
  const request = (method: string, params?: unknown) => {
    const id = nextId++;
    socket.send(JSON.stringify({ id, method, ...(params === undefined ? {} : { params }) }));
    return replyTo(id);
  };
  const messages = () => texts.filter((frame) => frame.type !== 'reply') as unknown as ServerMessage[];
  return { socket, texts, binaries, closed, request, replyTo, messages };
}

describe('plain WebSocket binding', () => {
  it('answers each request frame by its id: subscribe (snapshot, then deltas), resync, unsubscribe', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 5);
    const client = await rawClient(server.url);

    expect(await client.request('subscribe', { stream: 'book:TEST' })).toEqual({
      ok: true,
      recovered: false,
    });
    await waitFor('the snapshot', () => client.messages().some((m) => m.type === 'snapshot'));
    publishChanges(publisher, 3, 20, 5);
    await waitFor('three deltas', () => client.messages().filter((m) => m.type === 'delta').length === 3);

    expect(await client.request('resync', { stream: 'book:TEST' })).toEqual({ ok: true });
    await waitFor(
      'a second snapshot',
      () => client.messages().filter((m) => m.type === 'snapshot').length === 2,
    );
    expect(await client.request('unsubscribe', { stream: 'book:TEST' })).toEqual({ ok: true });
    expect(await client.request('resync', { stream: 'book:TEST' })).toMatchObject({
      ok: false,
      error: { code: 'not_subscribed' },
    });
    // A string id is echoed as given.
    client.socket.send(JSON.stringify({ id: 'a-1', method: 'subscribe', params: { stream: 'book:NONE' } }));
    expect(await client.replyTo('a-1')).toMatchObject({ ok: false, error: { code: 'unknown_stream' } });
  });

  it('resumes from a position by replay (recovered: true) with exactly the missed deltas', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 10);
    const epoch = publisher.position.epoch;
    const client = await rawClient(server.url);
    expect(await client.request('subscribe', { stream: 'book:TEST', resume: { epoch, seq: 7 } })).toEqual({
      ok: true,
      recovered: true,
    });
    // The replay may come as deltas or as one batch: either way, exactly 8, 9 and 10.
    const replayed = () =>
      client
        .messages()
        .flatMap((m) => (m.type === 'delta' ? [m.seq] : m.type === 'batch' ? m.items.map((d) => d.seq) : []));
    await waitFor('the replay', () => replayed().length === 3);
    expect(replayed()).toEqual([8, 9, 10]);
    expect(client.messages().some((m) => m.type === 'snapshot')).toBe(false);
  });

  it('refuses what is not a request with invalid_message, each a strike, and closes on abuse (1008)', async () => {
    const { server } = await serve({ limits: { maxStrikes: 3, rateBurst: 100 } });
    const client = await rawClient(server.url);
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ id: 7, method: 'subscribe', params: {}, extra: 1 }));
    client.socket.send(Buffer.from([1, 2, 3]));
    await waitFor(
      'three refusals',
      () => client.texts.filter((frame) => frame.type === 'reply').length === 3,
    );
    const replies = client.texts.filter((frame) => frame.type === 'reply') as unknown as WebSocketReply[];
    expect(replies.map((frame) => [frame.id, frame.reply.ok ? 'ok' : frame.reply.error.code])).toEqual([
      [null, 'invalid_message'],
      [7, 'invalid_message'],
      [null, 'invalid_message'],
    ]);
    expect(await client.request('no-such-method')).toMatchObject({ error: { code: 'invalid_message' } });
    expect(await client.closed).toEqual({ code: 1008, reason: 'protocol_abuse' });
    expect(client.texts.at(-1)).toMatchObject({
      type: 'close',
      error: { code: 'protocol_abuse' },
      reconnect: false,
    });
  });

  it('refuses params over maxPayloadBytes, and closes on a frame over maxFrameBytes (1009)', async () => {
    const { server } = await serve({ limits: { maxPayloadBytes: 1000 }, maxFrameBytes: 4000 });
    const client = await rawClient(server.url);
    expect(await client.request('resync', { stream: 'x'.repeat(2000) })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
    client.socket.send(JSON.stringify({ id: 99, method: 'resync', params: { stream: 'x'.repeat(5000) } }));
    expect((await client.closed).code).toBe(1009);
  });

  it("serves the app's requests through the same gate, with the peer as context", async () => {
    const router = new RequestRouter<WebSocketPeer>().add('whoami', {
      schema: z.strictObject({ shout: z.boolean().optional() }),
      handle: ({ shout }, peer) => {
        if (shout === true) throw new RequestError('no_shouting' as never, 'quietly, please');
        return { path: peer.request.url };
      },
    });
    const { server } = await serve({ requests: router });
    const client = await rawClient(server.url, '?user=7');
    expect(await client.request('whoami')).toEqual({ ok: true, path: '/ws?user=7' });
    expect(await client.request('whoami', { shout: true })).toEqual({
      ok: false,
      error: { code: 'no_shouting', message: 'quietly, please' },
    });
  });

  it('sends binary protobuf frames on ?codec=protobuf, replies as text', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 4);
    const client = await rawClient(server.url, '?codec=protobuf');
    expect(await client.request('subscribe', { stream: 'book:TEST' })).toEqual({
      ok: true,
      recovered: false,
    });
    publishChanges(publisher, 2, 20, 4);
    await waitFor('snapshot and two deltas', () => client.binaries.length === 3);
    const replica = new Replica({ model: keyedState<number>(), onResync: () => undefined });
    for (const bytes of client.binaries) replica.receive(protobufCodec().decode(bytes) as never);
    expect(replica.position?.seq).toBe(6);
    expect(sameState(replica.state, publisher.state)).toBe(true);
  });

  it('negotiates no permessage-deflate by default, though the client offers it', async () => {
    const { server } = await serve();
    const client = await rawClient(server.url, '', { perMessageDeflate: true });
    expect(client.socket.extensions).toBe('');
  });

  it('sends heartbeats, and cuts a peer that stops answering pings', async () => {
    const clock = new FakeClock();
    const { server, streams } = await serve({ clock, limits: { heartbeatMs: 1000 } });
    const quiet = await rawClient(server.url, '', { autoPong: false });
    const answering = await rawClient(server.url);
    await waitFor('both connected', () => streams.connections === 2);
    clock.advance(1000);
    await waitFor('a heartbeat', () => answering.messages().some((m) => m.type === 'heartbeat'));
    // The first sweep pings; the next finds the quiet peer has not answered.
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(1000);
    expect((await quiet.closed).code).toBe(1006);
    await waitFor('one connection left', () => streams.connections === 1);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('a stalled reader holds at most the high-water mark plus a frame; it conflates, then converges', async () => {
    const pad = 'x'.repeat(140);
    const publisher = new StreamPublisher({
      stream: 'levels:PAD',
      model: keyedState<string>(),
      historyCapacity: 1024,
    });
    const { server, streams } = await serve({ highWaterBytes: 16 * 1024 }, publisher as never);
    const client = await rawClient(server.url);
    const replica = new Replica({ model: keyedState<string>(), onResync: () => undefined });
    client.socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const frame = JSON.parse(String(data)) as { type: string };
        if (frame.type !== 'reply') replica.receive(frame as never);
      }
    });
    await client.request('subscribe', { stream: 'levels:PAD' });
    client.socket.pause();
    let peakBuffered = 0;
    let peakQueued = 0;
    for (let n = 0; n < 100_000;) {
      for (let i = 0; i < 100; i++, n++)
        publisher.publish([{ op: 'set', key: `k${n % 200}`, value: `${n}${pad}` }]);
      await new Promise((resolve) => setImmediate(resolve));
      for (const stats of streams.inspect()) {
        peakBuffered = Math.max(peakBuffered, stats.transportBufferedBytes ?? 0);
        peakQueued = Math.max(peakQueued, stats.queuedChanges);
      }
    }
    console.log(`stalled ws reader: ${peakBuffered} bytes unflushed at most, ${peakQueued} changes queued`);
    expect(peakQueued).toBeGreaterThan(0);
    expect(peakQueued).toBeLessThanOrEqual(200);
    expect(peakBuffered).toBeLessThan(16 * 1024 + 1024);
    client.socket.resume();
    await waitFor('convergence', () => replica.position?.seq === publisher.position.seq, 20_000);
    expect(sameState(replica.state, publisher.state)).toBe(true);
    expect(replica.stats.resyncs).toBe(0);
  }, 60_000);

  it('shuts down gracefully: a close frame with server_shutdown, code 1001, and StreamClient resumes', async () => {
    const { server, publisher, streams } = await serve();
    publishChanges(publisher, 5);
    const client = new StreamClient({
      transport: webSocketTransport(`${server.url}/ws`, {
        WebSocket: WebSocket as unknown as WebSocketConstructor,
      }),
      backoff: { baseMs: 5000 },
    });
    cleanups.push(() => client.close());
    const notices: CloseNotice[] = [];
    client.events.on('notice', (notice) => notices.push(notice));
    const book = client.subscribe('book:TEST', { model: keyedState<number>() });
    await waitFor('live', () => book.replica.position?.seq === 5);
    const raw = await rawClient(server.url);
    await streams.close(2000);
    expect(await raw.closed).toEqual({ code: 1001, reason: 'server_shutdown' });
    await waitFor('the notice', () => notices.length === 1);
    expect(notices[0]).toMatchObject({ error: { code: 'server_shutdown' }, reconnect: true });
    expect(client.state).toBe('reconnecting');
    expect(streams.connections).toBe(0);
  });
});
