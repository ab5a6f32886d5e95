import type { CloseNotice } from '@twohop/protocol';
import { waitFor } from '@twohop/testkit';
import { connectStallableSocket, startTestServer } from '@twohop/testkit/node';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  RequestError,
  RequestRouter,
  attachSocketIoRequests,
  type ConnectionLimits,
  type RequestGateStats,
  type SocketIoRequests,
} from '../src/index.js';

const REPLY_BYTES = 256 * 1024;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A small app: `page` answers a large reply (like a page of history), `whoami` the connection's user. */
const router = new RequestRouter<{ user: string }>()
  .add('page', {
    schema: z.strictObject({ n: z.number().int().min(0) }),
    handle: ({ n }) => ({ n, body: 'x'.repeat(REPLY_BYTES) }),
  })
  .add('whoami', {
    schema: z.strictObject({}),
    handle: (_input, { user }) => {
      if (user === 'nobody') throw new RequestError<'unknown_user'>('unknown_user', 'sign in first');
      return { user };
    },
  });

async function setup(limits: Partial<ConnectionLimits>) {
  const closes: { notice: CloseNotice; stats: RequestGateStats }[] = [];
  let requests: SocketIoRequests | undefined;
  const server = await startTestServer(({ io }) => {
    requests = attachSocketIoRequests(io, {
      router,
      context: (socket) => ({ user: String(socket.handshake.query['user']) }),
      identity: (socket) => String(socket.handshake.query['user']),
      limits,
      onClose: (_socket, notice, stats) => closes.push({ notice, stats }),
    });
  });
  cleanups.push(() => server.close());
  return { server, closes, requests: requests as SocketIoRequests };
}

async function client(url: string, user: string): Promise<ClientSocket> {
  const socket = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query: { user },
  });
  cleanups.push(() => socket.disconnect());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('socket.io requests', () => {
  it('answers ok with the fields, or the app’s code, over real socket.io', async () => {
    const { server } = await setup({});
    const ada = await client(server.url, 'ada');
    expect(await ada.emitWithAck('whoami', {})).toEqual({ ok: true, user: 'ada' });
    expect(await ada.emitWithAck('whoami')).toEqual({ ok: true, user: 'ada' });
    const nobody = await client(server.url, 'nobody');
    expect(await nobody.emitWithAck('whoami', {})).toEqual({
      ok: false,
      error: { code: 'unknown_user', message: 'sign in first' },
    });
  });

  it('stops serving a client that does not read its replies, bounds what it holds, and a bystander is answered', async () => {
    const limits = {
      ratePerSecond: 1_000_000,
      rateBurst: 1_000_000,
      replyHighWaterBytes: 1024 * 1024,
      maxQueuedBytes: 8 * 1024 * 1024,
      maxPendingRequests: 32,
    };
    const { server, closes } = await setup(limits);
    const bystander = await client(server.url, 'bob');
    const stalled = await connectStallableSocket(server.url, { user: 'eve' });
    cleanups.push(() => stalled.disconnect());
    stalled.stall();
    const sent = 500;
    for (let n = 0; n < sent; n++) stalled.emit('page', { n }, () => {});

    // The bystander keeps being answered while (and after) the stalled reader is dealt with.
    let answered = 0;
    for (let n = 0; answered < 40; n++) {
      const reply = (await bystander.timeout(10_000).emitWithAck('page', { n })) as {
        ok: boolean;
        n: number;
      };
      expect(reply).toMatchObject({ ok: true, n });
      answered++;
    }
    await waitFor('the stalled reader to be closed', () => closes.length > 0);
    const [{ notice, stats }] = closes as [(typeof closes)[number]];
    expect(notice).toMatchObject({ error: { code: 'slow_consumer' }, reconnect: true });
    // Served only while its output was under the mark: far fewer than it asked for, never more than the bound.
    expect(stats.handled).toBeLessThan(sent);
    expect(stats.peakBufferedBytes).toBeLessThanOrEqual(limits.replyHighWaterBytes + 2 * REPLY_BYTES);
    expect(stats.peakBufferedBytes).toBeLessThan(limits.maxQueuedBytes);
    expect(answered).toBe(40);
  }, 60_000);
});
