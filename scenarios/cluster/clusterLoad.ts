import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { waitFor } from '@twohop/testkit';
import type { AppCluster } from '../../test/conformance/cluster/appCluster.js';
import type {
  ClusterDriver,
  ClusterFollower,
  FollowedStream,
} from '../../test/conformance/cluster/ClusterAdapter.js';
import { judgeStream, type StreamVerdict } from '../../test/conformance/cluster/judge.js';

/** One client of the load, and the node it was pinned to (it moves to another when that node dies). */
export interface LoadClient {
  readonly follower: ClusterFollower;
  readonly node: string;
}

/**
 * Load on one app of a cluster: the app's driver causing changes, and `clients` of the app's own kind through nginx,
 * pinned round-robin to its nodes by the route header. `sample()` (every 250 ms) counts what arrived since the last
 * call into a deliveries/s series and records the latency of each delivery that carries the server's time.
 */
export interface AppLoad {
  readonly app: AppCluster;
  readonly driver: ClusterDriver;
  readonly clients: readonly LoadClient[];
  /** Server time of a change to its arrival at a client, for the streams that carry it. */
  readonly latency: LatencyRecorder;
  readonly deliveries: TimeSeries;
  /** Deliveries counted so far, in all, and per pinned node. */
  delivered(): number;
  deliveredOn(node: string): number;
  sample(): void;
  /** Whether every client is live on every stream. */
  live(): boolean;
  /** Starts latency and counts afresh (after a warm-up). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts `clients` clients and the driver on `app`; resolves once every client is live. */
export async function startLoad(app: AppCluster, clients: number, seed: number): Promise<AppLoad> {
  const driver = await app.adapter.drive(app.view, seed);
  const nodes = app.live();
  const followers: LoadClient[] = Array.from({ length: clients }, (_, i) => {
    const node = nodes[i % nodes.length]!;
    return { follower: app.adapter.follow(app.view.route(node)), node };
  });
  const seen = new Map<FollowedStream, number>();
  let latency = new LatencyRecorder();
  let deliveries = new TimeSeries();
  let total = 0;
  const perNode = new Map<string, number>();
  const load: AppLoad = {
    app,
    driver,
    clients: followers,
    get latency() {
      return latency;
    },
    get deliveries() {
      return deliveries;
    },
    delivered: () => total,
    deliveredOn: (node) => perNode.get(node) ?? 0,
    sample() {
      let fresh = 0;
      for (const { follower, node } of followers) {
        let mine = 0;
        for (const stream of follower.streams) {
          const from = seen.get(stream) ?? 0;
          for (let i = from; i < stream.deliveries.length; i++) {
            const delivery = stream.deliveries[i]!;
            if (delivery.ts !== undefined) latency.record(delivery.arrived - delivery.ts);
          }
          mine += stream.deliveries.length - from;
          seen.set(stream, stream.deliveries.length);
        }
        perNode.set(node, (perNode.get(node) ?? 0) + mine);
        fresh += mine;
      }
      total += fresh;
      deliveries.count(fresh);
    },
    live: () => followers.every(({ follower }) => follower.live()),
    reset() {
      load.sample();
      latency = new LatencyRecorder();
      deliveries = new TimeSeries();
      total = 0;
      perNode.clear();
    },
    async close() {
      for (const { follower } of followers) follower.close();
      await driver.stop();
    },
  };
  await waitFor(`${app.adapter.app}: every client live`, () => load.live(), 60_000, 20);
  return load;
}

/** What every client of a load saw, judged stream by stream against a probe's (a fresh client of `node`). */
export interface LoadVerdict {
  readonly verdicts: readonly StreamVerdict[];
  readonly lost: number;
  readonly duplicated: number;
  readonly reordered: number;
  /** Re-subscribes answered by replay, and by a snapshot. */
  readonly replayed: number;
  readonly snapshots: number;
  readonly resyncs: number;
  /** Client streams compared with the probe at some common position, and those whose state differed at one. */
  readonly compared: number;
  readonly differing: number;
}

/**
 * Judges every client of `load` against a probe pinned to `node`, once every client stream shares at least
 * `common` positions with it (or after `ms`: a stream that shares none is counted as not compared).
 */
export async function judgeLoad(load: AppLoad, node: string, common = 5, ms = 20_000): Promise<LoadVerdict> {
  const probe = load.app.adapter.follow(load.app.view.route(node));
  try {
    const judge = () =>
      load.clients.flatMap(({ follower }) =>
        follower.streams.map((stream, i) => judgeStream(stream, probe.streams[i])),
      );
    await waitFor(
      'every client and the probe at common positions',
      () => judge().every((v) => v.compared >= common),
      ms,
      20,
    ).catch(() => undefined);
    const verdicts = judge();
    const sum = (pick: (verdict: StreamVerdict) => number) => verdicts.reduce((n, v) => n + pick(v), 0);
    return {
      verdicts,
      lost: sum((v) => v.lost),
      duplicated: sum((v) => v.duplicated),
      reordered: sum((v) => v.reordered + v.merged),
      replayed: sum((v) => v.resumes.slice(1).filter(Boolean).length),
      snapshots: sum((v) => v.resumes.slice(1).filter((recovered) => !recovered).length),
      resyncs: sum((v) => v.resyncs.length),
      compared: verdicts.filter((v) => v.compared > 0).length,
      differing: verdicts.filter((v) => v.differing.length > 0).length,
    };
  } finally {
    probe.close();
  }
}
