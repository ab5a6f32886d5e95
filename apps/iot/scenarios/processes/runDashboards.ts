/** Forks `dashboardClients.ts` and talks to it: ready, measure, result. */
import { reply } from '@twohop/scenarios';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetSize } from '../../src/domain/fleetLayout.js';
import type { DashboardsResult } from './dashboardClients.js';

/** What the dashboards process is asked to be. */
export interface DashboardLoad {
  url: string;
  dashboards: number;
  visible: number;
  mode: 'visible' | 'everything';
  rateMs: number;
  seed: number;
  fleet: FleetSize;
}

/** A running dashboards process. */
export interface Dashboards {
  /** Dashboards holding every snapshot. */
  readonly ready: number;
  /** Starts counting frames, bytes and latencies. */
  measure(): Promise<void>;
  /** Stops counting, closes the dashboards, and ends the process. */
  result(): Promise<DashboardsResult>;
}

/** Forks the dashboards and waits until they all hold their snapshots. */
export async function startDashboards(load: DashboardLoad): Promise<Dashboards> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./dashboardClients.ts', import.meta.url)),
    [
      ...['--url', load.url, '--dashboards', String(load.dashboards), '--visible', String(load.visible)],
      ...['--mode', load.mode, '--rate', String(load.rateMs), '--seed', String(load.seed)],
      ...['--fleet', `${load.fleet.buildings}x${load.fleet.floors}x${load.fleet.devicesPerFloor}`],
    ],
    { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
  );
  const { ready } = await reply<{ ready: number }>(child, 'ready');
  return {
    ready,
    async measure() {
      await reply(child, 'measuring', { cmd: 'measure' });
    },
    async result() {
      const { result } = await reply<{ result: DashboardsResult }>(child, 'result', { cmd: 'result' });
      child.kill('SIGTERM');
      return result;
    },
  };
}
