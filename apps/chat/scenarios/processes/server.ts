/**
 * The chat app in a process of its own, on a free port (sent to the parent over IPC), for scenarios. The store is a
 * real file in a temporary folder (WAL, `synchronous = FULL`: every send is on disk before its ack) unless
 * `--database :memory:` is given. `--lose-ack-every N` loses the ack of every Nth stored send: the sender's
 * connection is cut after the commit, before the reply (its retry must then be answered `duplicate: true`).
 * IPC: `{ cmd: 'dump', rooms }` → `{ dump }` (each room's stored messages, in seq order), `{ cmd: 'stats' }` →
 * `{ stats }` (refusals and closes by code, duplicates answered, acks lost, RSS, CPU), `{ cmd: 'rooms', names }` →
 * `{ created }`, `{ cmd: 'messages', room, count, text }` → `{ stored }` (written straight to the store by a system
 * user), `{ cmd: 'rss', gc }` → `{ rss }`, `{ cmd: 'connections' }` → `{ connections }` (each one's request counters).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createChatServer } from '../../src/server/createChatServer.js';
import { SqliteChatStore } from '../../src/server/store/SqliteChatStore.js';
import { losingAcks } from '../../test/lostAcks.js';
import { startApp } from '@twohop/app-kit';
import { readHistogramCount, readHistogramSum, readMetric } from '@twohop/metrics';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: '' },
    /** A fixed port (a restarted server takes its predecessor's). @default a free one */
    port: { type: 'string', default: '0' },
    'send-rate': { type: 'string', default: '5' },
    'send-burst': { type: 'string', default: '20' },
    'large-room': { type: 'string', default: '100' },
    'max-rooms': { type: 'string', default: '50' },
    'lose-ack-every': { type: 'string', default: '0' },
    'sessions-per-minute': { type: 'string', default: '1000000' },
    /** @default as many as `--sessions-per-minute` */
    'session-burst': { type: 'string' },
  },
});
const folder = values.database === '' ? mkdtempSync(join(tmpdir(), 'twohop-chat-scenario-')) : undefined;
const loseEvery = Number(values['lose-ack-every']);
let stored = 0;
// Every Nth stored send: its sender is cut off after the commit, before the reply can go out.
const lossy = losingAcks(
  new SqliteChatStore({ path: folder === undefined ? values.database : join(folder, 'chat.db') }),
  () => loseEvery > 0 && ++stored % loseEvery === 0,
);
const server = createChatServer({
  secret: 'scenario-secret',
  store: lossy.store,
  // Every scenario client signs in from 127.0.0.1: the per-address sign-in limit is for the hostile scenario to test.
  sessionsPerMinute: Number(values['sessions-per-minute']),
  sessionBurst: Number(values['session-burst'] ?? values['sessions-per-minute']),
  sendRate: Number(values['send-rate']),
  sendBurst: Number(values['send-burst']),
  largeRoom: Number(values['large-room']),
  maxRooms: Number(values['max-rooms']),
});
lossy.state.cut = (uid) => server.io.in(`user:${uid}`).disconnectSockets(true);
await server.ready;
// Started as every app's tests start it: app-kit's startApp, whose close() is the graceful shutdown of SIGTERM.
const app = await startApp(server, { port: Number(values.port) });
process.send?.({ port: app.port });

interface Command {
  cmd: string;
  rooms?: string[];
  names?: string[];
  room?: string;
  count?: number;
  text?: string;
  gc?: boolean;
}
process.on('message', async (message: Command) => {
  if (message.cmd === 'rss') {
    // After a full GC when the process runs with --expose-gc; `gc: false` for a live sample.
    if (message.gc !== false) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
  }
  if (message.cmd === 'connections') process.send?.({ connections: server.inspect() });
  if (message.cmd === 'messages') {
    const room = message.room ?? 'lobby';
    await server.store.join(room, 'system', Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < (message.count ?? 0); i++)
      await server.store.send({
        room,
        userId: 'system',
        name: 'system',
        clientId: `seed-${i}`,
        text: message.text ?? `${i}`,
      });
    process.send?.({ stored: message.count ?? 0 });
  }
  if (message.cmd === 'rooms') {
    for (const name of message.names ?? []) await server.store.ensureRoom(name);
    process.send?.({ created: message.names?.length ?? 0 });
  }
  if (message.cmd === 'dump') {
    const dump: Record<string, Array<[number, string, string]>> = {};
    for (const room of message.rooms ?? []) {
      const { messages } = await server.store.after(room, 0, Number.MAX_SAFE_INTEGER);
      dump[room] = messages.map((m) => [m.seq, m.userId, m.clientId]);
    }
    process.send?.({ dump });
  }
  if (message.cmd === 'stats') {
    const refused: Record<string, number> = {};
    for (const value of (
      await server.metrics.registry.getSingleMetric('twohop_rejected_requests_total')?.get()
    )?.values ?? [])
      refused[String(value.labels['code'])] = value.value;
    const commitSeconds = await readHistogramSum(server.metrics.registry, 'chat_send_commit_seconds');
    const commits = await readHistogramCount(server.metrics.registry, 'chat_send_commit_seconds');
    const cpu = process.cpuUsage();
    process.send?.({
      stats: {
        refused,
        duplicates: await readMetric(server.metrics.registry, 'chat_duplicate_sends_total'),
        closed: Object.fromEntries(
          await Promise.all(
            ['protocol_abuse', 'slow_consumer'].map(async (code) => [
              code,
              await readMetric(server.metrics.registry, 'chat_connections_closed_total', { code }),
            ]),
          ),
        ) as Record<string, number>,
        acksLost: lossy.state.lost,
        rss: process.memoryUsage().rss,
        cpuMs: (cpu.user + cpu.system) / 1000,
        commitMeanMs: commits === 0 ? 0 : (commitSeconds / commits) * 1000,
      },
    });
  }
});
process.on('SIGTERM', () => {
  void app.close().then(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    process.exit(0);
  });
});
