import { waitFor } from '@twohop/testkit';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/server/main.ts', import.meta.url));

/** A chat node in a process of its own, as `pnpm start --nodes N` runs it. */
export interface ChatNodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<unknown>;
  /** What it printed. */
  output(): string;
}

/**
 * Starts a chat node in redis mode on `redisUrl` (port 0, JSON logs, `env` added) and resolves once it listens. It
 * is killed (SIGKILL, by PID) by the cleanup pushed onto `cleanups`, if still running.
 */
export async function startChatNode(
  cleanups: Array<() => unknown>,
  redisUrl: string,
  name: string,
  env: Record<string, string> = {},
): Promise<ChatNodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      PORT: '0',
      TWOHOP_REDIS_URL: redisUrl,
      TWOHOP_NODE: name,
      TWOHOP_LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    `${name} listening`,
    () => /listening on http/.test(output) || child.exitCode !== null,
    30_000,
  );
  const url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`${name} did not start (exit ${child.exitCode}):\n${output}`);
  return { child, url, exited, output: () => output };
}
