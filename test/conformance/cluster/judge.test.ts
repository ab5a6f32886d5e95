import { describe, expect, it } from 'vitest';
import type { StreamPosition } from './ClusterAdapter.js';
import { faultsOf, judgeStream } from './judge.js';
import { StreamRecord } from './StreamRecord.js';

/**
 * A stream as a client sees it: `script` is what arrives, in order — `[from, seq]` for a delivery (applied at once,
 * as a replica would apply it), `'resume'` / `'snapshot'` for a re-subscribe's answer, `{ snapshot: seq }` for a
 * snapshot that moves the client's position.
 */
function recorded(kind: 'reliable' | 'state', script: readonly unknown[], epoch = 'e1') {
  let position: StreamPosition | undefined;
  const record = new StreamRecord('s', kind, () => position);
  for (const step of script) {
    if (step === 'resume' || step === 'snapshot') record.subscribed(step === 'resume');
    else if (Array.isArray(step)) {
      const [from, seq] = step as [number, number];
      record.delivered(from, seq);
      if (position !== undefined && seq > position.seq) position = { epoch, seq };
      record.changed(`state at ${position?.seq}`);
    } else {
      position = { epoch, seq: (step as { snapshot: number }).snapshot };
      record.changed(`state at ${position.seq}`);
    }
  }
  return record;
}

describe('the failover judge', () => {
  it('finds nothing wrong in a stream resumed by replay with every change once and in order', () => {
    const stream = recorded('reliable', [
      'snapshot',
      { snapshot: 3 },
      [4, 4],
      [5, 5],
      'resume',
      [6, 6],
      [7, 7],
    ]);
    const verdict = judgeStream(stream, recorded('reliable', ['snapshot', { snapshot: 5 }, [6, 6], [7, 7]]));
    expect(faultsOf(verdict)).toEqual([]);
    expect(verdict.compared).toBe(3);
  });

  it('counts a change that never arrived as lost', () => {
    const verdict = judgeStream(
      recorded('reliable', ['snapshot', { snapshot: 3 }, 'resume', [4, 4], [6, 6]]),
      undefined,
    );
    expect(verdict.lost).toBe(1);
  });

  it('counts a change that arrived twice as duplicated, and one that came after a later one as reordered', () => {
    const verdict = judgeStream(
      recorded('reliable', ['snapshot', { snapshot: 3 }, 'resume', [4, 4], [4, 4], [6, 6], [5, 5]]),
      undefined,
    );
    expect(verdict.duplicated).toBe(1);
    expect(verdict.reordered).toBe(1);
  });

  it('judges a batch by the position each of its deliveries reaches, not the one it arrived at', () => {
    // The three deliveries of one batch all arrive while the client is at 3.
    const record = new StreamRecord('s', 'reliable', () => ({ epoch: 'e1', seq: 3 }));
    record.subscribed(false);
    record.subscribed(true);
    for (const seq of [4, 5, 6]) record.delivered(seq, seq);
    expect(faultsOf(judgeStream(record, undefined))).toEqual([]);
  });

  it('allows merged changes on a state stream and refuses them on a reliable one', () => {
    const script = ['snapshot', { snapshot: 3 }, 'resume', [4, 6], [7, 7]];
    expect(judgeStream(recorded('state', script), undefined).merged).toBe(0);
    expect(judgeStream(recorded('reliable', script), undefined).merged).toBe(1);
  });

  it('ignores what arrives before the first snapshot (the snapshot covers it)', () => {
    const verdict = judgeStream(
      recorded('reliable', [[2, 2], [3, 3], 'snapshot', { snapshot: 3 }, [4, 4]]),
      undefined,
    );
    expect(verdict.duplicated + verdict.reordered + verdict.lost).toBe(0);
  });

  it('names a resume answered with a snapshot, a resync, a missing re-subscribe and a differing state', () => {
    const snapshot = recorded('state', ['snapshot', { snapshot: 3 }, 'snapshot', [4, 4]]);
    snapshot.resynced('gap');
    const probe = recorded('state', ['snapshot', { snapshot: 4 }]);
    probe.states.set('e1:4', 'another state');
    expect(faultsOf(judgeStream(snapshot, probe))).toEqual([
      's: resynced (gap)',
      's: resumed with a snapshot (false, false)',
      "s: state differs from a fresh client's at e1:4",
    ]);
    expect(faultsOf(judgeStream(recorded('state', ['snapshot', { snapshot: 3 }]), undefined))).toEqual([
      's: never re-subscribed',
    ]);
  });
});
