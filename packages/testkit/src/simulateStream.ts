import { StreamPublisher, keyedState, type KeyedChange } from '@twohop/snapshot-delta';
import { SeededRandom } from './SeededRandom.js';
import { SimulatedNetwork } from './SimulatedNetwork.js';
import {
  defaultFaults,
  emptySimulationCounts,
  type SimulationCounts,
  type SimulationOptions,
  type SimulationResult,
} from './simulationTypes.js';
import { keyedChecksum } from './stateChecksum.js';

type Value = number;

/** The publisher every simulation starts from: keyed numbers, epochs `epoch-0`, `epoch-1`, … */
export function simulatedPublisher(options: SimulationOptions) {
  let epochCounter = 0;
  return new StreamPublisher({
    stream: 'sim',
    model: keyedState<Value>(),
    historyCapacity: options.historyCapacity ?? 24,
    sequencer: { epoch: `epoch-${epochCounter}`, newEpochId: () => `epoch-${++epochCounter}` },
    ...((options.checksum ?? true) ? { checksum: keyedChecksum } : {}),
  });
}

/** Publishes one change of 1–3 keyed sets or removes, at random. */
export function publishRandomChange(
  publisher: ReturnType<typeof simulatedPublisher>,
  random: SeededRandom,
  options: SimulationOptions,
  counts: SimulationCounts,
): void {
  const keys = options.keys ?? 16;
  const changes: KeyedChange<Value>[] = [];
  for (let n = random.int(1, 3); n > 0; n--) {
    const key = `k${random.int(0, keys - 1)}`;
    changes.push(
      random.chance(options.removeRate ?? 0.1)
        ? { op: 'remove', key }
        : { op: 'set', key, value: random.int(0, 1000) },
    );
  }
  publisher.publish(changes);
  counts.published++;
}

/** Ticks of settle traffic: long enough for every lost message to show and every resync to finish. */
export const settleTicks = (options: SimulationOptions) => 2 * ((options.resyncTimeoutTicks ?? 10) + 10);

/**
 * One publisher, several replicas, a seeded lossy network between them (drop, duplicate, reorder, delay, corrupt,
 * disconnect, reconnect-with-resume, server restart, a new epoch under live links), slow replicas behind a
 * conflating queue — then a fault-free
 * settle phase and a convergence check. Modelled on yjs's `TestConnector`: every run is reproduced by its seed.
 *
 * A loss is only visible once a later message arrives, so the settle phase keeps publishing (fault-free) until
 * every replica has seen one, resynced if it needed to, and caught up.
 */
export function simulateStream(options: SimulationOptions): SimulationResult {
  const random = new SeededRandom(options.seed);
  const faults = { ...defaultFaults, ...options.faults };
  const counts = emptySimulationCounts();
  const publisher = simulatedPublisher(options);
  // The replicas find out about a new epoch from the next delta (rule 4): no snapshot is pushed on a reset, so the
  // epoch rule is what the run exercises.
  const network = new SimulatedNetwork(publisher, () => publisher.state, random, faults, counts, options, {
    snapshotOnReset: false,
  });

  const step = () => {
    if (network.faulty && random.chance(faults.restart)) {
      counts.restarts++;
      network.dropAll();
      publisher.newEpoch();
    } else if (network.faulty && random.chance(faults.epochReset)) {
      // A new epoch with an empty state while every link stays connected, as on a node whose upstream lost its
      // history: new-epoch deltas reach replicas that hold the old state.
      counts.epochResets++;
      publisher.newEpoch(new Map());
    }
    network.step();
  };
  while (counts.published < (options.changes ?? 300)) {
    publishRandomChange(publisher, random, options, counts);
    step();
  }

  // Settle: no more faults. Keep the stream going until every replica has caught up and nothing is in flight.
  // Settle traffic touches a key of its own: keyed state heals by overwrite, so settling on the fault phase's keys
  // would repair a replica that lost changes and hide the very bug the check is for.
  network.faulty = false;
  const settleLimit = network.tick + 2000;
  for (let quiet = 0; network.tick < settleLimit; quiet++) {
    if (quiet < settleTicks(options)) publisher.publish([{ op: 'set', key: 'settle', value: quiet }]);
    step();
    if (quiet > 20 && network.caughtUp()) break;
  }

  const problems = network.problems(publisher.state);
  return { seed: options.seed, converged: problems.length === 0, problems, ticks: network.tick, counts };
}
