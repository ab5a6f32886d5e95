import type { DeltaMessage, ServerMessage } from '@twohop/protocol';
import { keyedState, Replica } from '@twohop/snapshot-delta';
import { FakeClock } from '@twohop/testkit';
import { startTestServer } from '@twohop/testkit/node';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { attachWebSocketStreams, StreamCatalog, type WebSocketStreams } from '../src/index.js';
import { levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';

const STREAM = 'book:TEST';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A throttled stream (100 ms) on the plain-WebSocket binding, on a clock the test moves. */
async function serve(sharedWindows: boolean) {
  const clock = new FakeClock();
  const publisher = levelsPublisher(STREAM);
  let streams: WebSocketStreams | undefined;
  const server = await startTestServer(({ http }) => {
    streams = attachWebSocketStreams(http, {
      catalog: new StreamCatalog().add(publisher, { intervalMs: 100 }),
      clock,
      sharedWindows,
      allowFaultInjection: true,
      limits: { heartbeatMs: 60_000, maxStallMs: 60_000 },
    });
  });
  cleanups.push(() => server.close());
  const ws = streams as WebSocketStreams;
  const encodes = () => ws.encodedFrames().get(STREAM) ?? 0;
  return { server, publisher, clock, encodes };
}

/** A client keeping a replica of the stream from the frames it receives. */
async function subscriber(url: string) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  cleanups.push(() => socket.terminate());
  const frames: ServerMessage[] = [];
  const replica = new Replica({ model: keyedState<number>(), onResync: () => expect.fail('resynced') });
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(String(data)) as ServerMessage | { type: 'reply' };
    if (frame.type === 'reply' || frame.type === 'heartbeat') return;
    frames.push(frame);
    replica.receive(frame as never);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const send = (method: string, params: object) => socket.send(JSON.stringify({ id: ++id, method, params }));
  send('subscribe', { stream: STREAM });
  await waitFor('the snapshot', () => replica.status === 'live');
  const deltas = () => frames.filter((frame): frame is DeltaMessage<unknown> => frame.type === 'delta');
  return { replica, deltas, send };
}

describe('shared throttle windows', () => {
  it("close at the same instant for every subscriber, and each window's one frame is encoded once for all", async () => {
    const { server, publisher, clock, encodes } = await serve(true);
    const clients = [
      await subscriber(server.url),
      await subscriber(server.url),
      await subscriber(server.url),
    ];
    const before = encodes();
    // After a quiet interval the first change goes out at once; the rest wait for the end of the window.
    publishChanges(publisher, 30, 5);
    await waitFor('the first change', () => clients.every((client) => client.deltas().length === 1));
    clock.advance(99);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clients.map((client) => client.deltas().length)).toEqual([1, 1, 1]);

    clock.advance(1);
    await waitFor('every client at the last seq', () =>
      clients.every((client) => client.replica.position?.seq === publisher.position.seq),
    );
    // Two windows, a frame each: the same frames for every client, each made and encoded once.
    expect(clients[1]?.deltas()).toEqual(clients[0]?.deltas());
    expect(clients[2]?.deltas()).toEqual(clients[0]?.deltas());
    expect(clients[0]?.deltas()).toMatchObject([{ seq: 1 }, { from: 2, seq: 30 }]);
    expect(encodes() - before).toBe(2);
    for (const client of clients) expect(sameState(client.replica.state, publisher.state)).toBe(true);
  });

  it('without them, each subscriber has its own window and its own frame (one encoding each)', async () => {
    const { server, publisher, clock, encodes } = await serve(false);
    const clients = [
      await subscriber(server.url),
      await subscriber(server.url),
      await subscriber(server.url),
    ];
    const before = encodes();
    publishChanges(publisher, 30, 5);
    clock.advance(100);
    await waitFor('every client at the last seq', () =>
      clients.every((client) => client.replica.position?.seq === publisher.position.seq),
    );
    expect(encodes() - before).toBeGreaterThanOrEqual(3);
  });

  it('a subscriber out of step (joined mid-window, or stalled) catches up on its own and rejoins the shared frame', async () => {
    const { server, publisher, clock, encodes } = await serve(true);
    const early = await subscriber(server.url);
    publishChanges(publisher, 10, 5);
    // Joins mid-window: its snapshot is past where the window opened, so it conflates in its own lanes.
    const late = await subscriber(server.url);
    publishChanges(publisher, 10, 5, 10);
    clock.advance(100);
    await waitFor('both at the last seq', () =>
      [early, late].every((client) => client.replica.position?.seq === 20),
    );
    expect(early.deltas().at(-1)).toMatchObject({ from: 2, seq: 20 });
    expect(late.deltas().at(-1)).toMatchObject({ from: 11, seq: 20 });

    // Back in step: the next window is one frame for both.
    let before = encodes();
    publishChanges(publisher, 10, 5, 20);
    clock.advance(100);
    await waitFor('both at seq 30', () =>
      [early, late].every((client) => client.replica.position?.seq === 30),
    );
    expect(late.deltas().at(-1)).toEqual(early.deltas().at(-1));
    expect(encodes() - before).toBe(1);

    // Stalled through the next window: the frame waits for it, conflated with what came since, and goes out once
    // it can write again; the window after that is shared again.
    late.send('fault', { kind: 'stall', ms: 150 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    publishChanges(publisher, 10, 5, 30);
    clock.advance(100);
    await waitFor('the early one at seq 40', () => early.replica.position?.seq === 40);
    expect(late.replica.position?.seq).toBe(30);
    publishChanges(publisher, 5, 5, 40);
    clock.advance(50);
    await waitFor('the stalled one caught up', () => late.replica.position?.seq === 45);
    expect(late.deltas().at(-1)).toMatchObject({ from: 31, seq: 45 });
    clock.advance(50);
    await waitFor('the early one at seq 45', () => early.replica.position?.seq === 45);

    before = encodes();
    publishChanges(publisher, 10, 5, 45);
    clock.advance(100);
    await waitFor('both at seq 55', () =>
      [early, late].every((client) => client.replica.position?.seq === 55),
    );
    expect(late.deltas().at(-1)).toEqual(early.deltas().at(-1));
    expect(encodes() - before).toBe(1);
    for (const client of [early, late]) expect(sameState(client.replica.state, publisher.state)).toBe(true);
  });
});
