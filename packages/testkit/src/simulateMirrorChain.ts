import { memoryBus, mirrorFromBus, publishToBus } from '@twohop/bus';
import { ManualClock } from '@twohop/sequence';
import { keyedState } from '@twohop/snapshot-delta';
import { lossyBus } from './lossyBus.js';
import { SeededRandom } from './SeededRandom.js';
import { SimulatedNetwork } from './SimulatedNetwork.js';
import { publishRandomChange, settleTicks, simulatedPublisher } from './simulateStream.js';
import {
  defaultFaults,
  emptySimulationCounts,
  type SimulationOptions,
  type SimulationResult,
} from './simulationTypes.js';
import { keyedChecksum } from './stateChecksum.js';

/** Lets every promise the bus, the publication and the mirror have under way run (no timers: deterministic). */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 40; i++) await Promise.resolve();
}

/**
 * The chain a node runs when its streams are numbered elsewhere: publisher → bus (`memoryBus`, a short log) →
 * `StreamMirror` (via `mirrorFromBus`) → replicas. Hop 2's tail loses, repeats and holds back entries, and the
 * publisher restarts into new epochs; hop 1 has the faults of {@link simulateStream}. After a fault-free settle
 * phase, the mirror must be live at the bus's position with the publisher's state, and every replica at the
 * mirror's position with that state. Async (the bus is), but deterministic: no timers run, the mirror's retry
 * clock is a `ManualClock` moved one unit a tick, and every run is reproduced by its seed.
 */
export async function simulateMirrorChain(options: SimulationOptions): Promise<SimulationResult> {
  const random = new SeededRandom(options.seed);
  const faults = { ...defaultFaults, ...options.faults };
  const counts = emptySimulationCounts();
  const publisher = simulatedPublisher(options);
  const clock = new ManualClock();
  let busEpochs = 0;
  let faulty = true;
  let tick = 0;
  let held: { at: number; deliver: () => void }[] = [];
  // Hop 2's faults, on the tail between the bus and the mirror.
  const lossy = lossyBus(
    memoryBus({ logCapacity: 48, newEpochId: () => `bus-${busEpochs++}` }),
    (event, deliver) => {
      if (!faulty) return deliver();
      if (event.type === 'entry' && random.chance(faults.drop)) {
        counts.dropped++;
        return;
      }
      if (random.chance(faults.duplicate)) {
        counts.duplicated++;
        deliver();
      }
      if (random.chance(faults.reorder)) held.push({ at: tick + random.int(1, 5), deliver });
      else deliver();
    },
  );
  const publication = await publishToBus(publisher, lossy.bus, { snapshotEvery: 16 });
  const { mirror, close } = await mirrorFromBus({
    bus: lossy.bus,
    stream: publisher.stream,
    model: keyedState<number>(),
    historyCapacity: options.historyCapacity ?? 24,
    maxBuffered: 16,
    clock,
    retryMs: 3,
    ...((options.checksum ?? true) ? { checksum: keyedChecksum } : {}),
  });
  // The mirror re-bootstraps within an epoch too, so the server's side must push a snapshot on each reset (as a
  // Subscription does): a conflated range must never straddle the mirror's gap.
  const network = new SimulatedNetwork(mirror, () => mirror.state, random, faults, counts, options, {
    snapshotOnReset: true,
  });

  const step = async () => {
    tick++;
    if (faulty && random.chance(faults.restart)) {
      counts.restarts++;
      publisher.newEpoch(); // a new history at the producer: a reset on the bus, a new epoch at the mirror
    }
    await settleMicrotasks();
    const due = held.filter((entry) => entry.at <= tick || !faulty);
    held = held.filter((entry) => !due.includes(entry));
    for (const entry of due) entry.deliver();
    await settleMicrotasks();
    clock.advance(1);
    network.step();
  };
  while (counts.published < (options.changes ?? 300)) {
    publishRandomChange(publisher, random, options, counts);
    await step();
  }

  faulty = false;
  network.faulty = false;
  const inStep = async () =>
    mirror.status === 'live' &&
    JSON.stringify(mirror.position) === JSON.stringify(await lossy.bus.position(publisher.stream)) &&
    network.caughtUp();
  const settleLimit = tick + 2000;
  for (let quiet = 0; tick < settleLimit; quiet++) {
    if (quiet < settleTicks(options)) publisher.publish([{ op: 'set', key: 'settle', value: quiet }]);
    await step();
    if (quiet > 20 && (await inStep())) break;
  }

  const problems = network.problems(publisher.state);
  const busAt = await lossy.bus.position(publisher.stream);
  if (mirror.status !== 'live') problems.push(`the mirror is ${mirror.status}`);
  if (mirror.position.epoch !== busAt.epoch || mirror.position.seq !== busAt.seq) {
    problems.push(`the mirror at ${JSON.stringify(mirror.position)}, the bus at ${JSON.stringify(busAt)}`);
  }
  await publication.close();
  await close();
  counts.dropped += lossy.lost;
  return {
    seed: options.seed,
    converged: problems.length === 0,
    problems,
    ticks: tick,
    counts,
    mirror: { ...mirror.stats },
  };
}
