/**
 * What the cluster property needs from an app that runs on several nodes (its package.json has a `twohop.cluster`
 * plan). Each such app contributes one adapter in `test/conformance/cluster/apps/<app>.ts` and lists it in
 * `test/conformance/cluster/registry.ts`; the property (`resumeAfterKill.ts`) and the `cluster:*` scenarios run
 * against every adapter listed there. An app with a cluster plan and no adapter fails the suite's coverage check.
 *
 * An app whose clients are `StreamClient`s builds its follower with `followStreams` (which also applies the link
 * faults); one with a client of its own (a chat session) feeds a `StreamRecord` per followed stream from its client's
 * events and applies the faults on its own link.
 */
export interface ClusterAdapter {
  /** The app's folder in `apps/`: the cluster launcher starts it from that folder's plan. */
  readonly app: string;
  /**
   * Cluster scenarios the app is known to fail today (`cluster:redis-restart`), with why: the scenario still runs it
   * and requires it to fail (so the entry goes the day the app meets it), and says so in its report.
   */
  readonly failsToday?: Readonly<Record<string, string>>;
  /** Environment added to every process of the app in these runs (a slower simulated rate …). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Starts changes flowing through the app's own paths (a sender posting messages, bidders bidding, a device
   * publishing), against the cluster's public URL, until the returned driver is stopped. An app whose changes flow
   * on their own once the cluster runs (the order book's engine simulates its market) returns a driver that does
   * nothing. `seed` seeds any randomness the driver uses.
   */
  drive(cluster: ClusterView, seed: number): Promise<ClusterDriver>;
  /**
   * Follows the app the way its own clients do, through `route` (the public URL, with the header that pins the
   * client to one node while that node is up: nginx sends it to the others, in order, once it is down). `fault`,
   * when given, is applied on the client's link from its second connection on (a canary: the property must fail).
   */
  follow(route: Route, fault?: LinkFault): ClusterFollower;
}

/** Where a client connects: a URL, and headers its every connection sends (HTTP requests and upgrades alike). */
export interface Route {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The running cluster, as an adapter sees it. */
export interface ClusterView {
  /** The public URL: nginx in front of the app's nodes. */
  readonly url: string;
  /** The serving nodes' names (`TWOHOP_NODE`), in nginx's order. */
  readonly nodes: readonly string[];
  /** The public URL with the header that sends a client to `node` (or wherever nginx balances it, without one). */
  route(node?: string): Route;
}

/** Changes an adapter is causing. */
export interface ClusterDriver {
  /** Changes caused so far (0 for an app whose changes flow on their own). */
  caused(): number;
  /** Stops causing changes; resolves once the driver's own connections are closed. */
  stop(): Promise<void>;
}

/**
 * A canary on the client's link, applied from the second connection on (after the failover):
 * - `forget-resume`: the client's resume position never reaches the new node (every re-subscribe or re-join carries
 *   none), as if the node had forgotten the history;
 * - `drop-one`: the first change delivered on the new connection is lost on the wire;
 * - `repeat-one`: the first change delivered on the new connection arrives twice.
 */
export type LinkFault = 'forget-resume' | 'drop-one' | 'repeat-one';

/** Every link fault, for the suite's canaries. */
export const LINK_FAULTS: readonly LinkFault[] = ['forget-resume', 'drop-one', 'repeat-one'];

/** One of the app's own clients, following some of its streams. */
export interface ClusterFollower {
  readonly streams: readonly FollowedStream[];
  /** Whether every followed stream is live (holds its snapshot and is subscribed). */
  live(): boolean;
  close(): void;
}

/** A position in a stream. */
export interface StreamPosition {
  readonly epoch: string;
  readonly seq: number;
}

/** One delivery as it arrived: the changes `from..seq` (`from` = `seq` unless conflated), and where the client was. */
export interface Delivery {
  readonly from: number;
  readonly seq: number;
  /** When it arrived (`Date.now()`), and the server's time of its newest change where the stream carries one. */
  readonly arrived: number;
  readonly ts?: number;
  /** The client's position when it arrived (undefined before its first snapshot: such deliveries are not judged). */
  readonly at: StreamPosition | undefined;
}

/**
 * What a client saw of one stream. `reliable` streams (trades, chat messages, accepted bids, alarms) must arrive
 * each entry exactly once and in order; `state` streams (a book, a device's readings) may be conflated and must
 * converge exactly: at every position both reached, the client holds what a fresh client of another node holds.
 */
export interface FollowedStream {
  readonly name: string;
  readonly kind: 'reliable' | 'state';
  /** Every delivery, in order of arrival. */
  readonly deliveries: readonly Delivery[];
  /** Each (re)subscribe's answer, in order: `true` when the node replayed what was missed, `false` for a snapshot. */
  readonly resumes: readonly boolean[];
  /** Each resync the client asked for, by reason (a gap, an epoch, a checksum). */
  readonly resyncs: readonly string[];
  /**
   * The state the client held at each position it reached (the last few thousand), as a digest of its canonical
   * text, keyed `epoch:seq`: two clients that held equal states at a position hold equal digests.
   */
  readonly states: ReadonlyMap<string, string>;
  /** Where the client is now. */
  position(): StreamPosition | undefined;
}
