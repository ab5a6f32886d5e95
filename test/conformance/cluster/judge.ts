import type { FollowedStream } from './ClusterAdapter.js';

/** What a client saw of one stream across a failover, judged against a fresh client of a surviving node. */
export interface StreamVerdict {
  readonly stream: string;
  readonly kind: FollowedStream['kind'];
  /** Entries missing between the first and the last the client was delivered (reliable streams: must be 0). */
  readonly lost: number;
  /** Entries delivered more than once. */
  readonly duplicated: number;
  /** Deliveries that came after a later entry's. */
  readonly reordered: number;
  /** Conflated deliveries on a reliable stream (each change must arrive on its own). */
  readonly merged: number;
  /** Each (re)subscribe's `recovered`, in order. */
  readonly resumes: readonly boolean[];
  readonly resyncs: readonly string[];
  /** Positions both the client and the probe held a state at, and those where the states differ. */
  readonly compared: number;
  readonly differing: readonly string[];
}

/**
 * Counts what was lost, duplicated and reordered in `stream`'s deliveries once the client held its first snapshot
 * (deliveries buffered before it are the snapshot's business), and compares its states with `probe`'s.
 *
 * On any stream, a delivery that starts past the position it arrived at is a gap (lost), one that ends at or before
 * it is a repeat (duplicated, or reordered when it was never delivered before). A state stream may merge changes
 * (`from < seq`), a reliable one may not.
 */
export function judgeStream(stream: FollowedStream, probe: FollowedStream | undefined): StreamVerdict {
  let lost = 0;
  let duplicated = 0;
  let reordered = 0;
  let merged = 0;
  const delivered = new Set<string>();
  // Deliveries of one batch all arrive at the same position: follow the position past each, not only `at`.
  let running: { epoch: string; seq: number } | undefined;
  for (const { from, seq, at } of stream.deliveries) {
    if (at === undefined) continue;
    if (running === undefined || running.epoch !== at.epoch || at.seq > running.seq) running = { ...at };
    if (from < seq) merged++;
    const key = (n: number) => `${at.epoch}:${n}`;
    if (seq <= running.seq) {
      if (delivered.has(key(seq))) duplicated++;
      else reordered++;
      continue;
    }
    if (from > running.seq + 1) lost += from - running.seq - 1;
    for (let n = Math.max(from, running.seq + 1); n <= seq; n++) delivered.add(key(n));
    running.seq = seq;
  }
  const common = probe === undefined ? [] : [...stream.states.keys()].filter((at) => probe.states.has(at));
  const differing = common.filter((at) => stream.states.get(at) !== probe?.states.get(at));
  return {
    stream: stream.name,
    kind: stream.kind,
    lost,
    duplicated,
    reordered,
    merged: stream.kind === 'reliable' ? merged : 0,
    resumes: [...stream.resumes],
    resyncs: [...stream.resyncs],
    compared: common.length,
    differing,
  };
}

/** Everything that is wrong in `verdict`, in words (empty when the stream came through the failover whole). */
export function faultsOf(verdict: StreamVerdict): string[] {
  const faults: string[] = [];
  const { stream } = verdict;
  if (verdict.lost > 0) faults.push(`${stream}: ${verdict.lost} lost`);
  if (verdict.duplicated > 0) faults.push(`${stream}: ${verdict.duplicated} duplicated`);
  if (verdict.reordered > 0) faults.push(`${stream}: ${verdict.reordered} reordered`);
  if (verdict.merged > 0) faults.push(`${stream}: ${verdict.merged} merged on a reliable stream`);
  if (verdict.resyncs.length > 0) faults.push(`${stream}: resynced (${verdict.resyncs.join(', ')})`);
  const after = verdict.resumes.slice(1);
  if (after.length === 0) faults.push(`${stream}: never re-subscribed`);
  else if (!after.every(Boolean))
    faults.push(`${stream}: resumed with a snapshot (${verdict.resumes.join(', ')})`);
  if (verdict.differing.length > 0)
    faults.push(
      `${stream}: state differs from a fresh client's at ${verdict.differing.slice(0, 3).join(', ')}`,
    );
  return faults;
}
