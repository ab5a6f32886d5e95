import type { AuctionState } from '@twohop/auction/domain';
import type { AppRuntime } from '@twohop/app-kit';
import { assembleAuction, type AuctionApp } from '../assembleAuction.js';
import type { AuctionServerOptions } from '../options.js';
import { LotFollower } from './LotFollower.js';
import { RedisNotices } from './RedisNotices.js';

/** The key prefix of the auction's data in a cluster's Redis (beside the bus's `twohop:auction:{…}` streams). */
export const CLUSTER_PREFIX = 'twohop:auction:';

/** Options for {@link createAuctionNode}: the server's, with the Redis every node shares. */
export interface AuctionNodeOptions extends Omit<AuctionServerOptions, 'store'> {
  /** `redis://host:port`: the bids, the lots' logs, the notices. */
  redisUrl: string;
  /** Where in that Redis. @default CLUSTER_PREFIX */
  keyPrefix?: string;
  /** Hears what the follower could not do (a failed read); it retries and resyncs on its own. */
  onError?: (error: unknown) => void;
  runtime?: AppRuntime;
}

/** One node of the auction on several nodes. */
export interface AuctionNode extends AuctionApp {
  readonly follower: LotFollower;
  readonly notices: RedisNotices;
}

/**
 * One of several interchangeable auction nodes sharing one Redis. Every node decides bids with the Redis store,
 * whose scripts also write every change of a lot to the lot's log and to one event stream, and every notice to its
 * user's stream — in the same atomic step as the change. A node publishes nothing itself: its {@link LotFollower}
 * tails the event stream and serves each lot's streams numbered by the log, so a bid accepted on any node moves the
 * streams on every node, in version order, each once, and a client resumes on any node. Notices are caught up from
 * Redis on any node. Every node arms a close timer for every lot; the close script records the close (and its
 * won / lost notices) once, whichever node asks first.
 */
export function createAuctionNode(input: AuctionNodeOptions): AuctionNode {
  const keyPrefix = input.keyPrefix ?? CLUSTER_PREFIX;
  const app = assembleAuction(
    { ...input, store: { kind: 'redis', url: input.redisUrl, keyPrefix } },
    ({ alias, deliver, onClosed }) => {
      let watch: (state: AuctionState) => void = () => {};
      const follower = new LotFollower({
        redis: input.redisUrl,
        prefix: keyPrefix,
        alias,
        onChange: (state) => watch(state),
        onClosed,
        onNotice: deliver,
        ...(input.onError === undefined ? {} : { onError: input.onError }),
        ...(input.clock === undefined ? {} : { clock: input.clock }),
        ...(input.now === undefined ? {} : { now: input.now }),
      });
      return {
        catalog: follower.catalog,
        lots: follower,
        follower,
        notices: new RedisNotices(
          () => follower.redis,
          keyPrefix,
          () => follower.epoch,
        ),
        start: async (house) => {
          watch = (state) => house.watch(state);
          await follower.start();
        },
        close: () => follower.close(),
      };
    },
  );
  return Object.assign(app, { follower: app.side.follower, notices: app.side.notices });
}
