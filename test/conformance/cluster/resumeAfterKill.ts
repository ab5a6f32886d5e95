import { waitFor } from '@twohop/testkit';
import type { ClusterAdapter, ClusterFollower, LinkFault } from './ClusterAdapter.js';
import type { AppCluster } from './appCluster.js';
import { faultsOf, judgeStream, type StreamVerdict } from './judge.js';

/** How long a failover round may take to show what it needs before it counts as a failure. */
const PATIENCE_MS = 30_000;
/** Deliveries each stream must see on the first node before it is killed, and after the resume. */
const BEFORE = 5;
const AFTER = 10;
/** Positions at which the client's state is compared with a fresh client's of a surviving node, at least. */
const COMPARED = 5;

/** What one failover round found. */
export interface FailoverRound {
  /** The node the client was on, which was killed. */
  readonly killed: string;
  readonly verdicts: readonly StreamVerdict[];
  /** Everything wrong, in words: empty when the client came through whole. */
  readonly faults: readonly string[];
  /** From the kill to the client resumed on every stream, and past `AFTER` deliveries on each (ms). */
  readonly recoveredMs: number;
}

/** The test kit's `waitFor` every 20 ms; its timeout names `what` and the state from `detail`. */
const until = (
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = PATIENCE_MS,
  detail = () => '',
) =>
  waitFor(what, condition, ms, 20).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} ${detail()}`.trim());
  });

/** Deliveries a stream received while live (holding a snapshot). */
const judged = (follower: ClusterFollower, name: string) =>
  follower.streams.find((stream) => stream.name === name)!.deliveries.filter(({ at }) => at !== undefined)
    .length;

/**
 * One round of the resume-after-SIGKILL property: a client of `adapter` follows the cluster through its public URL
 * (nginx), pinned to node A; once it has seen changes, A is SIGKILLed; the client reconnects through nginx, which
 * sends it to a surviving node, and resumes there. A probe (a fresh client pinned to a surviving node) is what the
 * client's state is compared with. `fault` is a canary on the client's link, applied from its second connection.
 *
 * Judged per stream: nothing lost, duplicated or reordered, nothing merged on a reliable stream, no resync, every
 * re-subscribe recovered (replayed, not a snapshot), and at every position both reached the same state.
 */
export async function failoverRound(
  cluster: AppCluster,
  adapter: ClusterAdapter,
  fault?: LinkFault,
): Promise<FailoverRound> {
  const [killed, survivor] = cluster.live();
  if (killed === undefined || survivor === undefined) throw new Error('a failover needs two live nodes');
  // Pinned to the first live node by the route header: once it is dead, nginx sends the client to the next. A node
  // nginx saw fail a moment ago is skipped for a while even with the header: wait until it is routed to again.
  await until(
    `nginx routing to ${killed} and ${survivor}`,
    async () => (await cluster.routesTo(killed)) && (await cluster.routesTo(survivor)),
  );
  const client = adapter.follow(cluster.view.route(killed), fault);
  const closing: ClusterFollower[] = [client];
  try {
    const names = client.streams.map((stream) => stream.name);
    await until(
      'the client live on every stream',
      () => client.live() && names.every((name) => judged(client, name) >= BEFORE),
    );
    if (!(await cluster.routesTo(killed))) throw new Error(`nginx stopped routing to ${killed}`);
    const before = new Map(names.map((name) => [name, judged(client, name)]));
    const killedAt = performance.now();
    await cluster.kill(killed);
    const probe = adapter.follow(cluster.view.route(survivor));
    closing.push(probe);
    const resumed = () =>
      client.streams.every(
        (stream) =>
          stream.resumes.length >= 2 && judged(client, stream.name) >= before.get(stream.name)! + AFTER,
      );
    await until('the client resumed through nginx', resumed, PATIENCE_MS, () =>
      JSON.stringify(client.streams.map((s) => ({ stream: s.name, resumes: s.resumes, at: s.position() }))),
    );
    const recoveredMs = performance.now() - killedAt;
    const verdict = () => client.streams.map((stream, i) => judgeStream(stream, probe.streams[i]));
    await until('positions the client and the probe both held', () =>
      verdict().every((each) => each.compared >= COMPARED),
    );
    const verdicts = verdict();
    return { killed, verdicts, faults: verdicts.flatMap(faultsOf), recoveredMs };
  } finally {
    for (const follower of closing) follower.close();
  }
}
