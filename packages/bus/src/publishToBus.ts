import { systemClock, type Clock, type StreamPosition, type TimerHandle } from '@twohop/sequence';
import type { SourceEvent, StreamPublisher } from '@twohop/snapshot-delta';
import type { Bus } from './Bus.js';
import { encodeBusData } from './BusError.js';

/**
 * Whether `data` is something a bus takes. Checked before an append is sent without waiting: a change refused on
 * its own while later ones are appended would leave a hole; a transport failure fails every later call too.
 */
function survivesJson(data: unknown): boolean {
  try {
    encodeBusData(data);
    return true;
  } catch {
    return false;
  }
}

/** Options for {@link publishToBus}. */
export interface PublishToBusOptions {
  /**
   * Keep a snapshot on the bus every this many changes, so a mirror that starts (or lost the log) replays at most
   * this many. Keep it well under the bus's log length. @default 256
   */
  snapshotEvery?: number;
  /** Hears each failed bus call; the stream is reset on the bus again (see below). @default none */
  onError?: (error: unknown) => void;
  /**
   * How often to check the stream on the bus between changes: after a failed call it is reset (a quiet stream must
   * not stay broken until its next change), and one the bus lost (its epoch is not the one this publication
   * started: a Redis restart) is started again with the publisher's state. @default 1000
   */
  checkEveryMs?: number;
  /** Times those checks. @default systemClock */
  clock?: Clock;
}

/** A publisher's changes on their way to a bus. */
export interface BusPublication {
  /** Resolves once every change published so far is on the bus. */
  flushed(): Promise<void>;
  /** Stops copying (after what is under way). */
  close(): Promise<void>;
}

/**
 * Copies a {@link StreamPublisher}'s changes to `bus`, in order, for the nodes that mirror the stream: the
 * producing half of hop 2. Each change's append is sent as the change is made, without waiting for the one
 * before to be answered (the bus applies one handle's calls in order), so a network bus's round trip does not
 * bound the rate; the answers are handled in order. The bus numbers what it receives, so mirrors follow the bus's positions, not the
 * publisher's. It starts the stream afresh on the bus (a new epoch, with the publisher's state as the snapshot),
 * and does the same on the publisher's own new epochs. Every `snapshotEvery` changes it keeps a snapshot, taken
 * when the change was made and saved under the position the bus gave it.
 *
 * A failed call leaves a hole no mirror could fill, so the stream is reset on the bus again, with a snapshot that
 * covers everything before it: at the next change, or at the next check (every `checkEveryMs`) if none comes
 * first. The mirrors see an epoch change and re-bootstrap, never a gap. A stream the bus lost (an append answered
 * in another epoch than the one this publication started, or a check that finds one: a Redis restart) is started
 * again the same way.
 */
export async function publishToBus<S, D, W>(
  publisher: StreamPublisher<S, D, W>,
  bus: Bus,
  options: PublishToBusOptions = {},
): Promise<BusPublication> {
  const { stream } = publisher;
  const every = options.snapshotEvery ?? 256;
  const clock = options.clock ?? systemClock;
  let chain = Promise.resolve();
  let broken: unknown;
  let timer: TimerHandle | undefined;
  let closed = false;
  /** The bus epoch this publication's last reset started: an append answered in another one found a lost log. */
  let busEpoch = '';
  /** The publisher position a reset snapshot already covers: changes up to it are not appended again. */
  let covered: StreamPosition = publisher.position;
  let sinceSnapshot = 0;
  /** While set (from a reset's start, or a failed append, to a reset's end), changes wait their turn in the chain. */
  let sequential = true;
  /** Changes queued in the chain that have not sent their append yet: later ones must not overtake them. */
  let waiting = 0;

  const enqueue = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((error: unknown) => {
      broken = error;
      options.onError?.(error);
    });
  };
  /** Recovery must not wait for the next change: a quiet stream would stay broken, or lost, on the bus. */
  const check = async () => {
    if (broken === undefined && (await bus.position(stream)).epoch === busEpoch) return;
    await restart();
  };
  const schedule = () => {
    if (closed) return;
    timer = clock.setTimeout(() => {
      enqueue(check);
      void chain.then(schedule);
    }, options.checkEveryMs ?? 1000);
  };
  const stop = () => {
    closed = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
  const reset = (data: W, at: StreamPosition) => async () => {
    busEpoch = (await bus.reset(stream, data)).epoch;
    broken = undefined;
    covered = at;
    sinceSnapshot = 0;
    sequential = false;
  };
  const resetNow = () => reset(publisher.snapshot().data, publisher.position);
  /** Starts the stream again on the bus from inside the chain, with a snapshot of now. */
  const restart = () => {
    sequential = true;
    return resetNow()();
  };

  const onEvent = (event: SourceEvent<D>) => {
    if (event.type === 'reset') {
      sequential = true;
      enqueue(resetNow());
      return;
    }
    // A snapshot must be of the state right after this change, so it is taken now, not when the append returns.
    const snapshot = ++sinceSnapshot >= every ? publisher.model.snapshot(publisher.state) : undefined;
    if (snapshot !== undefined) sinceSnapshot = 0;
    const coveredAlready = () => event.epoch === covered.epoch && event.seq <= covered.seq;
    const settle = async (at: StreamPosition) => {
      if (at.epoch !== busEpoch) return restart();
      if (snapshot !== undefined) await bus.saveSnapshot(stream, { ...at, data: snapshot });
    };
    if (!sequential && waiting === 0 && survivesJson(event.data)) {
      // Sent at once: a handle's calls take effect in the order they are made, so the changes are appended in
      // order without waiting for each answer (a network bus pipelines them). The answers are handled in order.
      const appended = bus.append(stream, event.data, event.ts);
      appended.catch(() => (sequential = true));
      enqueue(async () => {
        const at = await appended;
        if (!coveredAlready()) await settle(at);
      });
      return;
    }
    waiting++;
    enqueue(async () => {
      waiting--;
      if (coveredAlready()) return;
      if (broken !== undefined) return restart();
      await settle(await bus.append(stream, event.data, event.ts));
    });
  };

  enqueue(resetNow());
  const unsubscribe = publisher.subscribe(onEvent);
  await chain;
  if (broken !== undefined) {
    stop();
    unsubscribe();
    throw broken;
  }
  schedule();
  return {
    flushed: () => chain,
    async close() {
      stop();
      unsubscribe();
      await chain;
    },
  };
}
