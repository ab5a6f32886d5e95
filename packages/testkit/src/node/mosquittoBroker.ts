import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';

/** Options for {@link startMosquitto}. */
export interface MosquittoOptions {
  /** Publish `$SYS/broker/…` counters every this many seconds (0: never). @default 0 */
  sysIntervalSeconds?: number;
  /** Extra `mosquitto.conf` lines (after the listener's). */
  config?: readonly string[];
  /** How long to wait for the broker to accept connections. @default 5000 */
  startTimeoutMs?: number;
}

/** A Debian `mosquitto` running for one test or scenario. */
export interface MosquittoBroker {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** CPU time the broker process has used so far (user + system, ms), from `/proc/<pid>/stat`. */
  cpuMs(): number;
  /** SIGTERM by PID, waits for the exit, removes its directory. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** CPU time of a Linux process in ms (utime + stime, from `/proc/<pid>/stat`, at 100 ticks per second). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Starts Debian's `mosquitto` on a free loopback port with its own configuration in a temp directory: anonymous
 * clients allowed (the test decides who connects), no persistence, errors to stderr. Stopped by its PID.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'twohop-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      `sys_interval ${options.sysIntervalSeconds ?? 0}`,
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (options.startTimeoutMs ?? 5000);
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mosquitto did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = child.pid!;
  const stop = async () => {
    if (child.exitCode === null) {
      process.kill(pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid,
    cpuMs: () => processCpuMs(pid),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
