import type { App } from '@twohop/app-kit';
import { fleetLayout, type FleetSize } from '../../domain/fleetLayout.js';
import { fleetLogins, type DerivedCredentials } from '../broker/credentials.js';
import { forkSimulator, type SimulatorHandle } from '../edge/forkSimulator.js';
import { mountSimulatorRoutes } from '../edge/simulatorRoutes.js';
import type { ClusterDirectory } from './ClusterDirectory.js';

/** Options for {@link startSimulatorRole}. */
export interface SimulatorRoleOptions {
  directory: ClusterDirectory;
  credentials: DerivedCredentials;
  size: FleetSize;
  seed: number;
  ratePerDevice: number;
  /** @default 'site' */
  group?: string;
  /** How long to wait for a first broker to be announced (ms). @default 60000 */
  waitMs?: number;
}

/**
 * The cluster's device simulator (one per cluster): the same forked, seeded fleet as in one process, its nodes
 * given every broker announced in the directory, so each spreads over them and a node whose broker dies starts its
 * next session on another. It answers the fault buttons and the counters that the serving nodes forward to it.
 */
export async function startSimulatorRole(kit: App, options: SimulatorRoleOptions): Promise<SimulatorHandle> {
  const group = options.group ?? 'site';
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  let brokers = await options.directory.list('broker');
  while (brokers.length === 0) {
    if (Date.now() > deadline)
      throw new Error('no broker of the cluster announced itself: start a node first');
    await new Promise((resolve) => setTimeout(resolve, 250));
    brokers = await options.directory.list('broker');
  }
  const plan = fleetLayout(options.size, group);
  const simulator = await forkSimulator({
    url: brokers.map((broker) => broker.url),
    group,
    size: options.size,
    seed: options.seed,
    ratePerDevice: options.ratePerDevice,
    credentials: fleetLogins(
      options.credentials,
      group,
      plan.nodes.map(({ node }) => node),
    ),
  });
  kit.onClose({ close: () => simulator.close() });
  mountSimulatorRoutes(kit.routes, simulator);
  return simulator;
}
