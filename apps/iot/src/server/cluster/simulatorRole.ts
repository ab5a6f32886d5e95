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
  /** How often to look for a first broker in the directory (ms). @default 250 */
  pollMs?: number;
  /** How often the fleet is told the brokers announced now (ms). @default 2000 */
  followMs?: number;
  /** Hears a failed look-up or start (it is tried again). */
  onError?: (error: unknown) => void;
}

/** The cluster's simulator: its fleet once it runs. */
export interface SimulatorRole {
  /** The running fleet, once a broker was announced and every node was born. */
  current(): SimulatorHandle | undefined;
  /** Resolves with it then. */
  readonly ready: Promise<SimulatorHandle>;
}

/**
 * The cluster's device simulator (one per cluster): the same forked, seeded fleet as in one process, its nodes
 * given every broker announced in the directory (and told again as brokers come and go), so each spreads over them
 * and a node whose broker dies starts its next session on another. It does not wait for the brokers to listen (a launcher starts the singletons before the
 * nodes): the fleet starts in the background once a first broker is announced. It answers the fault buttons and the
 * counters that the serving nodes forward to it (409 `no_simulator` until the fleet runs).
 */
export function startSimulatorRole(kit: App, options: SimulatorRoleOptions): SimulatorRole {
  const group = options.group ?? 'site';
  let simulator: SimulatorHandle | undefined;
  let closed = false;
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  const start = async (): Promise<SimulatorHandle> => {
    const plan = fleetLayout(options.size, group);
    for (;;) {
      if (closed) throw new Error('closed before the fleet started');
      try {
        const brokers = await options.directory.list('broker');
        if (brokers.length > 0) {
          return await forkSimulator({
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
        }
      } catch (error) {
        options.onError?.(error);
      }
      await pause();
    }
  };
  // Brokers that come (a node started later) or go are told to the fleet: a node's next session may go to any.
  let known = '';
  let timer: NodeJS.Timeout | undefined;
  const follow = (started: SimulatorHandle) => {
    timer = setInterval(() => {
      options.directory
        .list('broker')
        .then(async (brokers) => {
          const urls = brokers.map((broker) => broker.url).sort();
          if (urls.length === 0 || urls.join() === known) return;
          known = urls.join();
          await started.brokers(urls);
        })
        .catch((error: unknown) => options.onError?.(error));
    }, options.followMs ?? 2000);
    timer.unref();
  };
  const ready = start().then(async (started) => {
    if (closed) await started.close();
    simulator = started;
    follow(started);
    return started;
  });
  ready.catch(() => {});
  kit.onClose({
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await simulator?.close();
    },
  });
  mountSimulatorRoutes(kit.routes, () => simulator);
  return { current: () => simulator, ready };
}
