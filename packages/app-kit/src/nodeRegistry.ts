import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import type { Redis } from 'ioredis';

/** A node as it registered itself in Redis. */
export interface NodeRecord {
  readonly app: string;
  /** Its node id (`TWOHOP_NODE`). */
  readonly node: string;
  /** Where it listens itself (not through a load balancer). */
  readonly url: string;
  /** When it started, in ms since the epoch. */
  readonly started: number;
  /** When it last said it is alive, in ms since the epoch. */
  readonly lastBeat: number;
}

/** A {@link NodeRecord} as {@link listNodes} finds it: still beating, or gone silent (its entry expired). */
export interface ListedNode extends NodeRecord {
  /** `false` once the node's entry expired: it stopped beating (a crash, a SIGKILL, a lost network). */
  readonly beating: boolean;
}

/**
 * The registry's keys: every node's last beat (a sorted set) and what it is (a hash), both by `<app>/<node>`, and one
 * key per node with a TTL that says it is alive.
 */
export const NODE_REGISTRY_KEYS = {
  beats: 'twohop:nodes',
  info: 'twohop:nodes:info',
  alive: (member: string) => `twohop:node:${member}`,
} as const;

/** Options for {@link registerNode}. */
export interface RegisterNodeOptions {
  readonly redis: Redis;
  readonly app: string;
  readonly node: string;
  readonly url: string;
  /** How long the entry lives without a beat. @default 5000 */
  readonly ttlMs?: number;
  /** How often it beats. @default ttlMs / 5 */
  readonly beatMs?: number;
  /** Wall-clock time for `started` and `lastBeat`. @default Date.now */
  readonly now?: () => number;
  /** Schedules the beats. @default systemClock */
  readonly clock?: Clock;
  /** Beats started failing (Redis unreachable): called once per outage; the beats go on and list it again. */
  readonly onError?: (error: unknown) => void;
}

/** A node's registration: {@link NodeRegistration.close} removes it at once. */
export interface NodeRegistration {
  /** Beats once now (the first beat is sent by {@link registerNode}). */
  beat(): Promise<void>;
  /** Stops beating and removes the node's entry (a clean stop: it disappears at once, not after its TTL). */
  close(): Promise<void>;
}

/**
 * Registers a node in Redis and keeps it registered: its entry (`twohop:node:<app>/<node>`, JSON) is written with a
 * TTL on every beat, and the index `twohop:nodes` scores it by its last beat. A node that stops beating — SIGKILLed —
 * loses its entry after `ttlMs`; {@link listNodes} then reports it as no longer beating. Resolves after the first
 * beat.
 */
export async function registerNode(options: RegisterNodeOptions): Promise<NodeRegistration> {
  const ttlMs = options.ttlMs ?? 5000;
  const beatMs = options.beatMs ?? Math.max(1, Math.floor(ttlMs / 5));
  const now = options.now ?? Date.now;
  const clock = options.clock ?? systemClock;
  const member = `${options.app}/${options.node}`;
  const key = NODE_REGISTRY_KEYS.alive(member);
  const info = JSON.stringify({ app: options.app, node: options.node, url: options.url, started: now() });
  let timer: TimerHandle | undefined;
  let closed = false;
  let failing = false;
  const beat = async () => {
    await options.redis
      .multi()
      .set(key, '1', 'PX', ttlMs)
      .zadd(NODE_REGISTRY_KEYS.beats, now(), member)
      .hset(NODE_REGISTRY_KEYS.info, member, info)
      .exec();
  };
  const schedule = () => {
    timer = clock.setTimeout(() => {
      beat()
        .then(
          () => (failing = false),
          (error: unknown) => {
            if (!failing) options.onError?.(error);
            failing = true;
          },
        )
        .finally(() => {
          if (!closed) schedule();
        });
    }, beatMs);
  };
  await beat();
  schedule();
  return {
    beat,
    close: async () => {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await options.redis
        .multi()
        .del(key)
        .zrem(NODE_REGISTRY_KEYS.beats, member)
        .hdel(NODE_REGISTRY_KEYS.info, member)
        .exec();
    },
  };
}

/** Options for {@link listNodes}. */
export interface ListNodesOptions {
  /** How long a node that stopped beating stays listed (as not beating) before it is forgotten. @default 60000 */
  readonly forgetAfterMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Every node in the registry, by app then node id: those still beating, and those whose entry expired within
 * `forgetAfterMs` (listed with `beating: false`); older ones are removed from the index.
 */
export async function listNodes(redis: Redis, options: ListNodesOptions = {}): Promise<ListedNode[]> {
  const now = options.now ?? Date.now;
  const { beats, info, alive } = NODE_REGISTRY_KEYS;
  const forgotten = await redis.zrangebyscore(beats, '-inf', `(${now() - (options.forgetAfterMs ?? 60_000)}`);
  if (forgotten.length > 0)
    await redis
      .multi()
      .zrem(beats, ...forgotten)
      .hdel(info, ...forgotten)
      .exec();
  const scored = await redis.zrange(beats, 0, -1, 'WITHSCORES');
  const members: string[] = [];
  const lastBeats: number[] = [];
  for (let i = 0; i < scored.length; i += 2) {
    members.push(scored[i]!);
    lastBeats.push(Number(scored[i + 1]));
  }
  if (members.length === 0) return [];
  const [records, living] = await Promise.all([
    redis.hmget(info, ...members),
    Promise.all(members.map((member) => redis.exists(alive(member)))),
  ]);
  const nodes = members.flatMap((member, i): ListedNode[] => {
    const record = records[i];
    if (record === null || record === undefined) return []; // removed between the two reads
    const parsed = JSON.parse(record) as Omit<NodeRecord, 'lastBeat'>;
    return [{ ...parsed, lastBeat: lastBeats[i]!, beating: living[i] === 1 }];
  });
  return nodes.sort(
    (a, b) => a.app.localeCompare(b.app) || a.node.localeCompare(b.node, 'en', { numeric: true }),
  );
}
