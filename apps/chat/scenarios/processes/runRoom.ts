/**
 * One run of a big chat room, shared by `chat:large-room` and `chat:busy-room`: a chat server process
 * (`server.ts` with `serverArgs`) with the room `hall`, a members process (`roomClients.ts`), the run, and the
 * server's CPU time and mean commit over it.
 */
import type { LatencySummary } from '@twohop/metrics';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reply } from '@twohop/scenarios';

/** What `roomClients.ts` reports. */
export interface RoomResult {
  sent: number;
  refused: number;
  members: number;
  open: number;
  /** Full messages received by members with the room open, and by the others. */
  openMessages: number;
  closedMessages: number;
  notices: number;
  /** Bytes received live, and in the join replies when the members not looking opened the room. */
  bytes: number;
  fetchBytes: number;
  fetched: number;
  everyOpenMemberGotAll: boolean;
  everyMemberKnowsTheEnd: boolean;
  /** Sender to member, and send to ack. */
  latency: LatencySummary;
  /** Sender to member by percentile, for the report's chart. */
  distribution: Array<[number, number]>;
  ack: LatencySummary;
  /** Full messages and notices received per second over every member, as `[seconds, per second]`. */
  perSecond: { messages: Array<[number, number]>; notices: Array<[number, number]> };
}

/** The members process's shape: how many, how many looking, who sends how fast, for how long. */
export interface RoomLoad {
  members: number;
  open: number;
  senders: number;
  rate: number;
  duration: number;
  text: number;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const child = (script: string, args: string[]) =>
  fork(here(script), args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });

export async function runRoom(
  serverArgs: string[],
  load: RoomLoad,
): Promise<RoomResult & { cpuMs: number; commitMeanMs: number }> {
  const server = child('./server.ts', serverArgs);
  const { port } = await reply<{ port: number }>(server, 'port');
  await reply(server, 'created', { cmd: 'rooms', names: ['hall'] });
  const clients = child('./roomClients.ts', [
    '--url',
    `http://127.0.0.1:${port}`,
    ...Object.entries(load).flatMap(([name, value]) => [`--${name}`, String(value)]),
  ]);
  await reply(clients, 'ready');
  type Stats = { stats: { cpuMs: number; commitMeanMs: number } };
  const before = await reply<Stats>(server, 'stats', { cmd: 'stats' });
  const { result } = await reply<{ result: RoomResult }>(clients, 'result', { cmd: 'run' });
  const after = await reply<Stats>(server, 'stats', { cmd: 'stats' });
  server.kill('SIGTERM');
  return { ...result, cpuMs: after.stats.cpuMs - before.stats.cpuMs, commitMeanMs: after.stats.commitMeanMs };
}
