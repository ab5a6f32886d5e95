/**
 * Where the chat keeps its state in Redis, every key under one prefix (`twohop:chat:` by default):
 * - `rooms` — a sorted set of every room name, all at score 0, so the room list pages by name (`ZRANGEBYLEX`);
 * - `room:<name>` — a hash: `lastSeq` (the timeline's head), `lastChange` (the change feed's), `createdBy`;
 * - `messages:<name>` — a hash, seq → the message as JSON. Seqs are dense, so any page is a known list of fields;
 * - `clients:<name>` — a hash, `<uid length>:<uid><clientId>` → seq: the dedup of retried sends;
 * - `changes:<name>` — a sorted set of edited or deleted seqs, scored by their last change;
 * - `members:<name>` and `memberships:<uid>` — sets, both ways (room limits count the second);
 * - `reads:<name>` — a hash, uid → the last seq read;
 * - `feed` (a Redis Stream) and `feed:n` (its entry count): the feed every node reads;
 * - `presence:<name>` — a hash, uid → `{name, since, nodes: {instance: connections}}`;
 * - `instances`, `alive:<instance>` (expires unless renewed), `instance:<instance>:rooms`: which node processes hold
 *   presence where, and which are still alive;
 * (The session secret every node signs with is app-kit's `sharedSecret`, on the bus, unless `CHAT_SECRET` gives one.)
 * The scripts name some keys they build from the prefix (a room's, an instance's), so the chat runs on one Redis
 * server or a replicated pair, not on Redis Cluster.
 */
export function chatKeys(prefix: string) {
  return {
    prefix,
    rooms: `${prefix}rooms`,
    room: (name: string) => `${prefix}room:${name}`,
    messages: (name: string) => `${prefix}messages:${name}`,
    clients: (name: string) => `${prefix}clients:${name}`,
    changes: (name: string) => `${prefix}changes:${name}`,
    members: (name: string) => `${prefix}members:${name}`,
    memberships: (uid: string) => `${prefix}memberships:${uid}`,
    reads: (name: string) => `${prefix}reads:${name}`,
    feed: `${prefix}feed`,
    feedCount: `${prefix}feed:n`,
    presence: (name: string) => `${prefix}presence:${name}`,
    instances: `${prefix}instances`,
    alive: (instance: string) => `${prefix}alive:${instance}`,
    instanceRooms: (instance: string) => `${prefix}instance:${instance}:rooms`,
  };
}

/** The chat's keys under one prefix. */
export type ChatKeys = ReturnType<typeof chatKeys>;

/** The dedup field of a send: unambiguous for any user id and client id. */
export const clientField = (userId: string, clientId: string) => `${userId.length}:${userId}${clientId}`;
