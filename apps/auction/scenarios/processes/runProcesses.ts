/**
 * What the auction's scenarios share: the server process (`server.ts`) and the lots they open in it.
 */
import { reply } from '@twohop/scenarios';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AuctionTerms } from '../../src/domain/index.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Forks one of the scenario processes beside this file, running TypeScript through tsx. */
export const child = (script: string, args: string[]): ChildProcess =>
  fork(here(script), args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });

/** The auction server process, listening: its app and raw-baseline URLs, and how to open a lot in it. */
export async function startServer(args: string[]) {
  const server = child('./server.ts', args);
  const { ports } = await reply<{ ports: { app: number; raw: number } }>(server, 'ports');
  return {
    process: server,
    url: `http://127.0.0.1:${ports.app}`,
    rawUrl: `http://127.0.0.1:${ports.raw}`,
    open: (terms: AuctionTerms) => reply(server, 'opened', { cmd: 'open', terms }),
    stop: () => server.kill('SIGTERM'),
  };
}
