import { StreamClient, socketIoTransport } from '@twohop/client';
import type { CloseNotice } from '@twohop/protocol';
import { keyedState } from '@twohop/snapshot-delta';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { startRedisServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_EXIT_CODE } from '../src/index.js';

const demoApp = fileURLToPath(new URL('./fixtures/demoApp.ts', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs the demo app in a process of its own, as `pnpm start` does, and collects what it prints. */
function run(env: Record<string, string>, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', demoApp, ...args], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const listening = async (): Promise<string> => {
    for (;;) {
      const url = /listening on (http:\/\/[\d.:]+)/.exec(output.stdout)?.[1];
      if (url !== undefined) return url;
      if (child.exitCode !== null) throw new Error(`exited early: ${output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, output, exited, listening };
}

describe('runApp', () => {
  it('logs JSON lines carrying the app’s name; on SIGINT tells clients to reconnect, says stopped, exits 0', async () => {
    const app = run({ TWOHOP_LOG_FORMAT: 'json', TWOHOP_NODE: 'node-7' });
    const url = await app.listening();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({
      status: 'ok',
      mode: 'embedded',
      node: 'node-7',
    });

    const client = new StreamClient({ transport: socketIoTransport(url), backoff: { baseMs: 60_000 } });
    cleanups.push(() => client.close());
    const notices: CloseNotice[] = [];
    client.events.on('notice', (notice) => notices.push(notice));
    const counter = client.subscribe('demo:counter', { model: keyedState<number>() });
    await expect.poll(() => counter.replica.status, { timeout: 10_000 }).toBe('live');

    app.child.kill('SIGINT');
    expect(await app.exited).toEqual([0, null]);
    expect(notices.map((notice) => notice.error.code)).toEqual(['server_shutdown']);
    const lines = app.output.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; msg: string });
    expect(lines.every((line) => line.name === 'demo')).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual([
      `listening on ${url} (one stream), embedded mode, node node-7`,
      'stopping… (SIGINT: clients are told to reconnect elsewhere)',
      'stopped',
    ]);
    expect(app.output.stderr).toBe('');
  });

  it('at a terminal’s format, each line reads "<app>: …"; SIGTERM stops it the same way', async () => {
    const app = run({ TWOHOP_LOG_FORMAT: 'pretty' });
    await app.listening();
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual([0, null]);
    const messages = app.output.stdout
      .trim()
      .split('\n')
      .map((line) => stripVTControlCharacters(line).replace(/^\[[\d:]+\] INFO: /, ''));
    expect(messages).toEqual([
      expect.stringMatching(
        /^demo: listening on http:\/\/127\.0\.0\.1:\d+ \(one stream\), embedded mode, node /,
      ),
      'demo: stopping… (SIGTERM: clients are told to reconnect elsewhere)',
      'demo: stopped',
    ]);
  });

  it('refuses a bad configuration before listening: every problem on stderr, exit 78', async () => {
    const app = run({ PORT: 'eighty', TWOHOP_REDIS_URL: 'localhost:6379' });
    expect(await app.exited).toEqual([CONFIG_EXIT_CODE, null]);
    expect(app.output.stdout).toBe('');
    expect(app.output.stderr).toBe(
      [
        'demo: invalid configuration:',
        '  PORT="eighty": must be a port number from 0 to 65535',
        '  TWOHOP_REDIS_URL="localhost:6379": must be a redis:// (or rediss://) URL, e.g. redis://127.0.0.1:6379',
        '',
      ].join('\n'),
    );
  });

  it('an app that runs embedded only refuses TWOHOP_REDIS_URL, naming itself, with exit 78', async () => {
    const app = run({ TWOHOP_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await app.exited).toEqual([CONFIG_EXIT_CODE, null]);
    expect(app.output.stdout).toBe('');
    expect(app.output.stderr).toBe(
      'demo: redis mode is not supported by demo yet: it runs embedded only (unset TWOHOP_REDIS_URL and TWOHOP_MODE for it)\n',
    );
  });

  it('an app that supports it runs in redis mode on TWOHOP_REDIS_URL: /healthz says so; it stops cleanly', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const app = run({ TWOHOP_REDIS_URL: redis.url, TWOHOP_NODE: 'gw-2', TWOHOP_LOG_FORMAT: 'json' }, [
      '--redis-mode',
    ]);
    const url = await app.listening();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({
      status: 'ok',
      mode: 'redis',
      node: 'gw-2',
    });
    expect(app.output.stdout).toContain('redis mode, node gw-2');
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual([0, null]);
    expect(app.output.stderr).toBe('');
  });

  it('stops at once, saying so, when the Redis it is given cannot be reached', async () => {
    const app = run({ TWOHOP_REDIS_URL: 'redis://127.0.0.1:1', TWOHOP_LOG_FORMAT: 'json' }, ['--redis-mode']);
    expect(await app.exited).toEqual([1, null]);
    expect(app.output.stdout).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });
});
