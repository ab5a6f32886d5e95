import type { StreamPosition } from '@twohop/sequence';
import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedState, type KeyedChange, type KeyedSnapshot, type KeyedState } from './keyedState.js';
import type { DeltaMessage } from './messages.js';
import { StreamMirror, type UpstreamCatchUp } from './StreamMirror.js';
import { StreamPublisher } from './StreamPublisher.js';

type Changes = readonly KeyedChange<number>[];
type Plan = UpstreamCatchUp<KeyedSnapshot<number>, Changes>;

/** What the network between the upstream and the mirror does next, and when the upstream answers a catch-up. */
const op = fc.constantFrom(
  'publish',
  'publish',
  'deliver',
  'deliver',
  'drop',
  'dup',
  'swap',
  'answer',
  'epoch',
);

async function run(ops: readonly string[]): Promise<void> {
  let epochs = 0;
  const upstream = new StreamPublisher({
    stream: 's',
    model: keyedState<number>(),
    historyCapacity: 6,
    sequencer: { epoch: 'e0', newEpochId: () => `e${++epochs}` },
  });
  /** The upstream's state at every position it passed, to check the mirror against at its own position. */
  const truth = new Map<string, string>([['e0:0', '[]']]);
  const at = (position: StreamPosition) => `${position.epoch}:${position.seq}`;
  const record = () => truth.set(at(upstream.position), JSON.stringify([...upstream.state].sort()));
  const inFlight: DeltaMessage<Changes>[] = [];
  const pending: { position: StreamPosition | undefined; answer: (plan: Plan) => void }[] = [];
  const mirror = new StreamMirror({
    stream: 's',
    model: keyedState<number>(),
    maxBuffered: 4,
    catchUp: (position) => new Promise<Plan>((answer) => pending.push({ position, answer })),
  });
  // A subscriber as the server drives one: a snapshot on every reset, then each delta, which must follow on.
  let served: { position: StreamPosition; state: KeyedState<number> } | undefined;
  mirror.subscribe((event) => {
    if (event.type === 'reset') {
      const snapshot = mirror.snapshot();
      served = { position: snapshot, state: new Map(snapshot.data) };
    } else {
      if (served === undefined) throw new Error('a delta before any snapshot');
      expect([event.epoch, event.seq]).toEqual([served.position.epoch, served.position.seq + 1]);
      keyedState<number>().apply(served.state, event.data);
      served.position = event;
    }
    // Never across a gap: what the mirror serves is exactly the upstream's state at the mirror's position.
    expect(JSON.stringify([...mirror.state].sort())).toBe(truth.get(at(mirror.position)));
  });
  const publish = (key: string) => {
    inFlight.push(upstream.publish([{ op: 'set', key, value: upstream.position.seq }]));
    record();
  };
  const answer = () => {
    const request = pending.shift();
    request?.answer(upstream.resume(request.position));
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  void mirror.start();
  for (const [i, step] of ops.entries()) {
    if (step === 'publish') publish(`k${i % 4}`);
    else if (step === 'deliver' && inFlight.length > 0) mirror.receive(inFlight.shift()!);
    else if (step === 'drop') inFlight.shift();
    else if (step === 'dup' && inFlight.length > 0) inFlight.splice(1, 0, inFlight[0]!);
    else if (step === 'swap' && inFlight.length > 1) inFlight.splice(0, 2, inFlight[1]!, inFlight[0]!);
    else if (step === 'answer') answer();
    else if (step === 'epoch') {
      upstream.newEpoch();
      record();
    }
    await tick();
  }
  // Settle: no more faults. A loss shows only when a later change arrives, so keep publishing until in step.
  for (
    let round = 0;
    round < 50 && (mirror.status !== 'live' || at(mirror.position) !== at(upstream.position));
    round++
  ) {
    publish('settle');
    while (inFlight.length > 0) mirror.receive(inFlight.shift()!);
    await tick();
    for (let answered = 0; pending.length > 0; answered++) {
      if (answered > 100)
        throw new Error(`catch-ups never end: ${mirror.status} ${JSON.stringify(mirror.stats)}`);
      answer();
      await tick();
    }
  }
  expect(mirror.status).toBe('live');
  expect(mirror.position).toEqual(upstream.position);
  expect(mirror.state).toEqual(upstream.state);
  expect(served?.state).toEqual(upstream.state);
}

describe('StreamMirror under a faulty upstream link', () => {
  it('never serves across a gap, and converges once the faults stop', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), (ops) => run(ops)),
      { ...seededProperty('StreamMirror under a faulty upstream link', 0x6d1440), numRuns: 150 },
    );
  });
});
