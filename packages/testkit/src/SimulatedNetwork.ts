import { ConflatingQueue } from '@twohop/conflation';
import {
  Replica,
  keyedState,
  type DeltaMessage,
  type KeyedChange,
  type KeyedState,
  type ResyncReason,
  type SourceEvent,
  type StreamSource,
} from '@twohop/snapshot-delta';
import type { SeededRandom } from './SeededRandom.js';
import type {
  FaultRates,
  SimulatedMessage,
  SimulatedReplica,
  SimulationCounts,
  SimulationOptions,
} from './simulationTypes.js';
import { keyedChecksum } from './stateChecksum.js';

type Value = number;
type Changes = readonly KeyedChange<Value>[];
/** The kind of source the simulator serves: keyed numbers. */
export type SimulatedSource = StreamSource<KeyedState<Value>, Changes, [string, Value][]>;

interface InFlight {
  readonly at: number;
  readonly order: number;
  readonly message: SimulatedMessage;
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
    replica: (onResync: (reason: ResyncReason) => void) => SimulatedReplica,
    onResync: (link: SimulatedLink, reason: ResyncReason) => void,
  ) {
    this.replica = replica((reason) => onResync(this, reason));
  }
}

/**
 * Hop 1 in the simulator: one source, several replicas behind a seeded lossy network (drop, duplicate, reorder,
 * delay, disconnect, reconnect-with-resume), some behind a conflating queue — the server's side of each rule done
 * the way `@twohop/server` does it, in ticks. The source may be a publisher or a mirror.
 */
export class SimulatedNetwork {
  /** Faults apply while true; the settle phase turns them off. */
  faulty = true;
  tick = 0;
  readonly #links: SimulatedLink[];
  #order = 0;

  constructor(
    readonly source: SimulatedSource,
    /** The source's live state, for the checksum of a conflated delta that ends at the newest seq. */
    readonly state: () => KeyedState<Value>,
    readonly random: SeededRandom,
    readonly faults: FaultRates,
    readonly counts: SimulationCounts,
    readonly options: SimulationOptions,
    /**
     * Whether a reset from the source sends every connected link a fresh snapshot, as a `Subscription` does; off,
     * links only restart their conflating queue and replicas find out from the next delta (rule 4).
     */
    readonly behaviour: { snapshotOnReset: boolean },
  ) {
    const withChecksum = options.checksum ?? true;
    const replica =
      options.createReplica ??
      ((onResync) =>
        new Replica({
          model: keyedState<Value>(),
          onResync,
          maxBuffered: 64,
          ...(withChecksum ? { checksum: keyedChecksum } : {}),
        }));
    const conflating = options.conflatingReplicas ?? 1;
    this.#links = Array.from(
      { length: options.replicas ?? 3 },
      (_, i) =>
        new SimulatedLink(
          i,
          i < conflating ? new ConflatingQueue<string, KeyedChange<Value>>() : undefined,
          random.int(2, 6),
          replica,
          (link, reason) => this.#askResync(link, reason),
        ),
    );
    for (const link of this.#links) this.#subscribe(link);
    source.subscribe((event) => this.#onEvent(event));
  }

  /** The server restarted: every connection drops with it. */
  dropAll(): void {
    for (const link of this.#links) if (link.connected) this.#disconnect(link);
  }

  /** One tick for every link: faults, conflated drains, resync answers, deliveries, resync timeouts. */
  step(): void {
    this.tick++;
    const { faults, random } = this;
    for (const link of this.#links) {
      if (link.connected && this.faulty && random.chance(faults.disconnect)) this.#disconnect(link);
      else if (!link.connected && (!this.faulty || random.chance(faults.reconnect))) {
        link.connected = true;
        this.#subscribe(link);
      }
      if (!link.connected) continue;
      if (link.queue !== undefined && this.tick % link.drainEvery === 0) this.#drain(link, link.queue);

      // Upstream: resync requests that reach the server are answered with a snapshot.
      const due = link.upstream.filter((at) => at <= this.tick);
      link.upstream = link.upstream.filter((at) => at > this.tick);
      for (const _request of due) this.#sendSnapshot(link);

      const arriving = link.downstream
        .filter((m) => m.at <= this.tick)
        .sort((a, b) => a.at - b.at || a.order - b.order);
      link.downstream = link.downstream.filter((m) => m.at > this.tick);
      for (const { message } of arriving) {
        this.counts.delivered++;
        link.replica.receive(message);
      }
      // A resync request or its snapshot may have been lost: ask again after a while.
      const timeout = this.options.resyncTimeoutTicks ?? 10;
      if (
        link.replica.status !== 'live' &&
        (link.resyncAskedAt === undefined || this.tick - link.resyncAskedAt >= timeout)
      ) {
        this.#askResync(link);
      }
    }
  }

  /** Every replica live at the source's position, nothing in flight. */
  caughtUp(): boolean {
    const { epoch, seq } = this.source.position;
    return this.#links.every(
      (link) =>
        link.connected &&
        link.downstream.length === 0 &&
        link.upstream.length === 0 &&
        (link.queue?.size ?? 0) === 0 &&
        link.replica.status === 'live' &&
        link.replica.position?.epoch === epoch &&
        link.replica.position.seq === seq,
    );
  }

  /** Why replicas differ from the source's position and from `expected`, replica by replica. */
  problems(expected: KeyedState<Value>): string[] {
    const problems: string[] = [];
    const at = this.source.position;
    for (const link of this.#links) {
      const { replica } = link;
      const where = `replica ${link.id}${link.queue ? ' (conflating)' : ''}`;
      if (replica.status !== 'live') problems.push(`${where} is ${replica.status}`);
      const position = replica.position;
      if (position?.epoch !== at.epoch || position.seq !== at.seq) {
        problems.push(`${where} at ${JSON.stringify(position)}, source at ${JSON.stringify(at)}`);
      }
      const differing = [...new Set([...expected.keys(), ...replica.state.keys()])].filter(
        (key) => expected.get(key) !== replica.state.get(key),
      );
      if (differing.length > 0) problems.push(`${where} differs at keys ${differing.join(', ')}`);
    }
    return problems;
  }

  #transmit(link: SimulatedLink, sent: SimulatedMessage): void {
    const { faulty, faults, random, counts } = this;
    if (faulty && random.chance(faults.drop)) {
      counts.dropped++;
      return;
    }
    let message = sent;
    if (
      faulty &&
      (this.options.checksum ?? true) &&
      message.type === 'delta' &&
      random.chance(faults.corrupt)
    ) {
      counts.corrupted++;
      message = corrupted(message);
    }
    const copies = faulty && random.chance(faults.duplicate) ? 2 : 1;
    if (copies === 2) counts.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      const delay = 1 + (faulty && random.chance(faults.reorder) ? random.int(1, 5) : 0);
      link.downstream.push({ at: this.tick + delay, order: this.#order++, message });
    }
  }

  #askResync(link: SimulatedLink, reason?: ResyncReason): void {
    this.counts.resyncs++;
    if (reason === 'checksum') this.counts.checksumResyncs++;
    link.resyncAskedAt = this.tick;
    if (link.connected) link.upstream.push(this.tick + 1);
  }

  /** The server's side of (re)subscribing: protocol rule 6. */
  #subscribe(link: SimulatedLink): void {
    const live = link.replica.status === 'live';
    const plan = this.source.resume(live ? link.replica.position : undefined);
    if (plan.recovered) {
      this.counts.replays++;
      for (const delta of plan.deltas) this.#transmit(link, delta);
      link.queue?.reset(this.source.position.seq);
    } else {
      this.counts.snapshots++;
      this.#transmit(link, plan.snapshot);
      link.queue?.reset(plan.snapshot.seq);
    }
  }

  #sendSnapshot(link: SimulatedLink): void {
    this.counts.snapshots++;
    const snapshot = this.source.snapshot();
    link.queue?.reset(snapshot.seq);
    this.#transmit(link, snapshot);
  }

  #disconnect(link: SimulatedLink): void {
    this.counts.disconnects++;
    link.connected = false;
    link.downstream = [];
    link.upstream = [];
    link.queue?.reset();
  }

  #onEvent(event: SourceEvent<Changes>): void {
    for (const link of this.#links) {
      if (!link.connected) continue;
      // A broken history (new epoch, re-bootstrap): drop what is queued, send a fresh snapshot — as a Subscription.
      if (event.type === 'reset') {
        if (this.behaviour.snapshotOnReset) this.#sendSnapshot(link);
        else link.queue?.reset(event.seq);
      } else if (link.queue === undefined) this.#transmit(link, event);
      else for (const change of event.data) link.queue.push(change.key, change, event.seq);
    }
  }

  #drain(link: SimulatedLink, queue: ConflatingQueue<string, KeyedChange<Value>>): void {
    const batch = queue.drain();
    if (batch === undefined) return;
    const { epoch, seq } = this.source.position;
    this.counts.conflated += batch.from < batch.seq ? 1 : 0;
    const delta: DeltaMessage<Changes> = {
      type: 'delta',
      stream: this.source.stream,
      epoch,
      seq: batch.seq,
      from: batch.from,
      data: batch.changes.map((change) => change.value),
      ...((this.options.checksum ?? true) && batch.seq === seq
        ? { checksum: keyedChecksum(this.state()) }
        : {}),
    };
    this.#transmit(link, delta);
  }
}

/** The delta with its first set value altered, as a bug or a bad link might: only a checksum can tell. */
function corrupted(delta: DeltaMessage<Changes>): DeltaMessage<Changes> {
  let done = false;
  const data = delta.data.map((change) => {
    if (done || change.op !== 'set') return change;
    done = true;
    return { ...change, value: change.value + 1 };
  });
  return { ...delta, data };
}
