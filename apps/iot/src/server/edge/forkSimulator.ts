import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetFault } from '../../domain/faults.js';
import type {
  DeviceTruth,
  FleetStats,
  SimulatorProcessOptions,
  SimulatorReply,
  SimulatorRequest,
} from '../../edge/edgeTypes.js';

/** A refusal from the simulator (an unknown node, …), with its stable code. */
export class SimulatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

/** The forked device simulator, driven over IPC. */
export interface SimulatorHandle {
  readonly pid: number;
  /** Its counters when it announced itself ready (every node born). */
  readonly started: FleetStats;
  fault(fault: FleetFault): Promise<void>;
  pause(paused: boolean): Promise<void>;
  /** The brokers the nodes' next sessions go to. */
  brokers(urls: readonly string[]): Promise<void>;
  truth(): Promise<Record<string, DeviceTruth>>;
  stats(): Promise<FleetStats>;
  /** The bdSeq of every session each node has ended. */
  endedSessions(): Promise<Record<string, number[]>>;
  /** SIGTERM (its nodes end cleanly), then waits for the exit. */
  close(): Promise<void>;
}

/** A request without its id (the handle numbers it). */
type SimulatorRequestBody = SimulatorRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id'>
    : never
  : never;

const entry = fileURLToPath(new URL('../../edge/simulatorProcess.ts', import.meta.url));

/** Forks the device simulator and resolves once every node has connected and published its births. */
export async function forkSimulator(options: SimulatorProcessOptions): Promise<SimulatorHandle> {
  const child: ChildProcess = fork(entry, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<FleetStats>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the device simulator exited (${code}) before it was ready`)),
    );
    child.on('message', (message: SimulatorReply) => {
      if ('type' in message) return resolve(message.stats);
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new SimulatorError(message.error.code, message.error.message));
    });
  });
  child.once('exit', () => {
    for (const pending of waiting.values())
      pending.reject(new SimulatorError('simulator_gone', 'the device simulator exited'));
    waiting.clear();
  });
  const request = <T>(body: SimulatorRequestBody): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || !child.connected)
        return reject(new SimulatorError('simulator_gone', 'the device simulator is not running'));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...body, id });
    });
  return {
    pid: child.pid!,
    started,
    fault: (fault) => request({ type: 'fault', fault }),
    pause: (paused) => request({ type: 'pause', paused }),
    brokers: (urls) => request({ type: 'brokers', urls }),
    truth: () => request({ type: 'truth' }),
    stats: () => request({ type: 'stats' }),
    endedSessions: () => request({ type: 'ended-sessions' }),
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
