import { ConflatingQueue } from '@twohop/conflation';
import {
  Replica,
  StreamPublisher,
  keyedState,
  type DeltaMessage,
  type KeyedChange,
  type ResyncReason,
} from '@twohop/snapshot-delta';
import { SeededRandom } from './SeededRandom.js';
import {
  defaultFaults,
  emptySimulationCounts,
  type SimulatedMessage,
  type SimulatedReplica,
  type SimulationOptions,
  type SimulationResult,
} from './simulationTypes.js';
import { keyedChecksum } from './stateChecksum.js';

type Value = number;
type Changes = readonly KeyedChange<Value>[];
type Message = SimulatedMessage;

interface InFlight {
  readonly at: number;
  readonly order: number;
  readonly message: Message;
}

/** One subscriber's connection: a FIFO with faults downstream, resync requests upstream. */
class SimulatedLink {
  connected = true;
  downstream: InFlight[] = [];
  upstream: number[] = [];
  resyncAskedAt: number | undefined;
  readonly replica: SimulatedReplica;

  constructor(
    readonly id: number,
    readonly queue: ConflatingQueue<string, KeyedChange<Value>> | undefined,
    readonly drainEvery: number,
    createReplica: (onResync: (reason: ResyncReason) => void) => SimulatedReplica,
    onResync: (link: SimulatedLink) => void,
  ) {
    this.replica = createReplica(() => onResync(this));
  }
}

/**
 * One publisher, several replicas, a seeded lossy network between them (drop, duplicate, reorder, delay,
 * disconnect, reconnect-with-resume, server restart), slow replicas behind a conflating queue — then a fault-free
 * settle phase and a convergence check. Modelled on yjs's `TestConnector`: every run is reproduced by its seed.
 *
 * A loss is only visible once a later message arrives, so the settle phase keeps publishing (fault-free) until
 * every replica has seen one, resynced if it needed to, and caught up.
 */
export function simulateStream(options: SimulationOptions): SimulationResult {
  const random = new SeededRandom(options.seed);
  const faults = { ...defaultFaults, ...options.faults };
  const keys = Array.from({ length: options.keys ?? 16 }, (_, i) => `k${i}`);
  const removeRate = options.removeRate ?? 0.1;
  const resyncTimeout = options.resyncTimeoutTicks ?? 10;
  const withChecksum = options.checksum ?? true;
  const counts = emptySimulationCounts();
  let epochCounter = 0;
  const publisher = new StreamPublisher({
    stream: 'sim',
    model: keyedState<Value>(),
    historyCapacity: options.historyCapacity ?? 24,
    sequencer: { epoch: `epoch-${epochCounter}`, newEpochId: () => `epoch-${++epochCounter}` },
    ...(withChecksum ? { checksum: keyedChecksum } : {}),
  });
  const createReplica =
    options.createReplica ??
    ((onResync) =>
      new Replica({
        model: keyedState<Value>(),
        onResync,
        maxBuffered: 64,
        ...(withChecksum ? { checksum: keyedChecksum } : {}),
      }));

  let tick = 0;
  let order = 0;
  let faulty = true;
  const transmit = (link: SimulatedLink, message: Message) => {
    if (faulty && random.chance(faults.drop)) {
      counts.dropped++;
      return;
    }
    const copies = faulty && random.chance(faults.duplicate) ? 2 : 1;
    if (copies === 2) counts.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      const delay = 1 + (faulty && random.chance(faults.reorder) ? random.int(1, 5) : 0);
      link.downstream.push({ at: tick + delay, order: order++, message });
    }
  };
  const askResync = (link: SimulatedLink) => {
    counts.resyncs++;
    link.resyncAskedAt = tick;
    if (link.connected) link.upstream.push(tick + 1);
  };

  const replicaCount = options.replicas ?? 3;
  const conflating = options.conflatingReplicas ?? 1;
  const links = Array.from(
    { length: replicaCount },
    (_, i) =>
      new SimulatedLink(
        i,
        i < conflating ? new ConflatingQueue<string, KeyedChange<Value>>() : undefined,
        random.int(2, 6),
        createReplica,
        askResync,
      ),
  );

  /** The server's side of (re)subscribing: protocol rule 6. */
  const subscribe = (link: SimulatedLink) => {
    const live = link.replica.status === 'live';
    const plan = publisher.resume(live ? link.replica.position : undefined);
    if (plan.recovered) {
      counts.replays++;
      for (const delta of plan.deltas) transmit(link, delta);
      link.queue?.reset(publisher.position.seq);
    } else {
      counts.snapshots++;
      transmit(link, plan.snapshot);
      link.queue?.reset(plan.snapshot.seq);
    }
  };
  const disconnect = (link: SimulatedLink) => {
    counts.disconnects++;
    link.connected = false;
    link.downstream = [];
    link.upstream = [];
    link.queue?.reset();
  };
  for (const link of links) subscribe(link);

  publisher.subscribe((delta) => {
    if (delta.type === 'reset') return; // a restart: every link was dropped with it and resumes into the new epoch
    for (const link of links) {
      if (!link.connected) continue;
      if (link.queue === undefined) transmit(link, delta);
      else for (const change of delta.data) link.queue.push(change.key, change, delta.seq);
    }
  });

  const publishOne = () => {
    const changes: KeyedChange<Value>[] = [];
    for (let n = random.int(1, 3); n > 0; n--) {
      const key = random.pick(keys);
      changes.push(
        random.chance(removeRate) ? { op: 'remove', key } : { op: 'set', key, value: random.int(0, 1000) },
      );
    }
    publisher.publish(changes);
    counts.published++;
  };

  const step = () => {
    tick++;
    if (faulty && random.chance(faults.restart)) {
      counts.restarts++;
      publisher.newEpoch();
      for (const link of links) if (link.connected) disconnect(link);
    }
    for (const link of links) {
      if (link.connected && faulty && random.chance(faults.disconnect)) disconnect(link);
      else if (!link.connected && (!faulty || random.chance(faults.reconnect))) {
        link.connected = true;
        subscribe(link);
      }
      if (!link.connected) continue;

      if (link.queue !== undefined && tick % link.drainEvery === 0) {
        const batch = link.queue.drain();
        if (batch !== undefined) {
          const { epoch, seq } = publisher.position;
          counts.conflated += batch.from < batch.seq ? 1 : 0;
          const delta: DeltaMessage<Changes> = {
            type: 'delta',
            stream: 'sim',
            epoch,
            seq: batch.seq,
            from: batch.from,
            data: batch.changes.map((change) => change.value),
            ...(withChecksum && batch.seq === seq ? { checksum: keyedChecksum(publisher.state) } : {}),
          };
          transmit(link, delta);
        }
      }

      // Upstream: resync requests that reach the server are answered with a snapshot.
      const due = link.upstream.filter((at) => at <= tick);
      link.upstream = link.upstream.filter((at) => at > tick);
      for (const _request of due) {
        counts.snapshots++;
        const snapshot = publisher.snapshot();
        link.queue?.reset(snapshot.seq);
        transmit(link, snapshot);
      }

      const arriving = link.downstream
        .filter((m) => m.at <= tick)
        .sort((a, b) => a.at - b.at || a.order - b.order);
      link.downstream = link.downstream.filter((m) => m.at > tick);
      for (const { message } of arriving) {
        counts.delivered++;
        link.replica.receive(message);
      }

      // A resync request or its snapshot may have been lost: ask again after a while.
      if (
        link.replica.status !== 'live' &&
        (link.resyncAskedAt === undefined || tick - link.resyncAskedAt >= resyncTimeout)
      ) {
        askResync(link);
      }
    }
  };

  const changes = options.changes ?? 300;
  while (counts.published < changes) {
    publishOne();
    step();
  }

  // Settle: no more faults. Keep the stream going until every replica has caught up and nothing is in flight.
  faulty = false;
  const caughtUp = () =>
    links.every(
      (link) =>
        link.connected &&
        link.downstream.length === 0 &&
        link.upstream.length === 0 &&
        (link.queue?.size ?? 0) === 0 &&
        link.replica.status === 'live' &&
        link.replica.position?.epoch === publisher.position.epoch &&
        link.replica.position.seq === publisher.position.seq,
    );
  // Settle traffic touches a key of its own: keyed state heals by overwrite, so settling on the fault phase's keys
  // would repair a replica that lost changes and hide the very bug the check is for.
  const settleLimit = tick + 2000;
  let quietTicks = 0;
  while (tick < settleLimit) {
    if (quietTicks < 2 * (resyncTimeout + 10))
      publisher.publish([{ op: 'set', key: 'settle', value: quietTicks }]);
    step();
    quietTicks++;
    if (quietTicks > 20 && caughtUp()) break;
  }

  const problems: string[] = [];
  const expected = publisher.state;
  for (const link of links) {
    const { replica } = link;
    const where = `replica ${link.id}${link.queue ? ' (conflating)' : ''}`;
    if (replica.status !== 'live') problems.push(`${where} is ${replica.status}`);
    const position = replica.position;
    if (position?.epoch !== publisher.position.epoch || position.seq !== publisher.position.seq) {
      problems.push(
        `${where} at ${JSON.stringify(position)}, publisher at ${JSON.stringify(publisher.position)}`,
      );
    }
    const differing = [...new Set([...expected.keys(), ...replica.state.keys()])].filter(
      (key) => expected.get(key) !== replica.state.get(key),
    );
    if (differing.length > 0) problems.push(`${where} differs at keys ${differing.join(', ')}`);
  }
  return { seed: options.seed, converged: problems.length === 0, problems, ticks: tick, counts };
}
