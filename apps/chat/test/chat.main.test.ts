import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSession } from '@twohop/client';
import { SqliteChatStore } from '../src/server/store/SqliteChatStore.js';

const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('the chat process (pnpm start)', () => {
  it('on SIGTERM tells clients to reconnect, keeps every acked message, folds the WAL in, and exits 0', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'twohop-chat-main-'));
    folders.push(folder);
    const database = join(folder, 'chat.db');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, PORT: String(port), CHAT_DB: database },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && resolve()),
    );
    const url = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ status: 'ok', mode: 'embedded' });
    const { token } = await requestSession(url, 'ada');
    const socket = io(url, { transports: ['websocket'], reconnection: false, auth: { token } });
    await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
    // The seeded rooms exist; a message is acked after its commit.
    expect(await socket.emitWithAck('room:join', { room: 'general' })).toMatchObject({ ok: true });
    expect(
      await socket.emitWithAck('message:send', { room: 'general', clientId: 'c1', text: 'kept' }),
    ).toMatchObject({ ok: true, seq: 1 });
    const notice = new Promise((resolve) => socket.once('close-notice', resolve));

    child.kill('SIGTERM');
    expect(await notice).toMatchObject({ error: { code: 'server_shutdown' }, reconnect: true });
    expect(await exited).toBe(0);
    socket.disconnect();
    // The write-ahead log was folded into the database; the message is there for the next process.
    expect(existsSync(`${database}-wal`) ? 'wal left behind' : 'clean').toBe('clean');
    const store = new SqliteChatStore({ path: database });
    expect((await store.latest('general', 50)).map((message) => message.text)).toEqual(['kept']);
    await store.close();
  }, 30_000);
});
