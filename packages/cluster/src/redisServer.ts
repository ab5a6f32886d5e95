import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';

/** A `redis-server` this process started, for tests and scenarios. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops it by its PID (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Extra `redis-server` arguments (`['--maxmemory', '64mb']`). */
  args?: readonly string[];
  /** Listen on this port (to start a server again where a stopped one was, empty). @default a free port */
  port?: number;
  /**
   * `none`: nothing written to disk (tests, scenarios); `aof`: an append-only file in `dir`, so the data outlive a
   * restart (a local cluster's chat rooms). @default 'none'
   */
  persistence?: 'none' | 'aof';
  /**
   * With `aof`: fsync every second, or before every reply (`always`: an acknowledged write survives a crash of the
   * machine, as the chat's store asks). @default 'everysec'
   */
  fsync?: 'everysec' | 'always';
  /** Its working directory (the AOF goes here; kept after stop). @default a new temp dir, removed after stop */
  dir?: string;
}

/** Resolves once the server logs that it accepts connections; rejects if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log.slice(-2000)}`));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts Debian's `redis-server` on a free loopback port with its own directory (under the temp dir unless given),
 * never RDB snapshots, and an append-only file only when asked. A port taken between the probe and the bind is
 * retried on another (unless `port` was given). Stopped by its PID.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'twohop-redis-'));
  if (!owned) mkdirSync(dir, { recursive: true });
  const cleanUp = () => {
    if (owned) rmSync(dir, { recursive: true, force: true });
  };
  const persistence =
    options.persistence === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', options.fsync ?? 'everysec']
      : ['--appendonly', 'no'];
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...persistence,
        '--dir',
        dir,
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await ready(child);
    } catch (error) {
      if (attempt < 5 && options.port === undefined) continue;
      cleanUp();
      throw error;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      cleanUp();
    };
    return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop, [Symbol.asyncDispose]: stop };
  }
}
