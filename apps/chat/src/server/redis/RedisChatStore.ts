import type { Redis } from 'ioredis';
import type { ChatStore, RoomHead, RoomsQuery, SendInput } from '../../domain/ChatStore.js';
import { ChatError } from '../../domain/errors.js';
import { requireMember, requireRoom, requireRoomFor } from '../../domain/membership.js';
import { isValidClientId, isValidRoomName, requireValidText } from '../../domain/text.js';
import type { ChatMessage, Receipt, RoomsPage, SendAck, TimelinePage } from '../../domain/wire.js';
import { defineScripts, type Script } from './luaScripts.js';
import { chatKeys, clientField, type ChatKeys } from './redisKeys.js';
import { STORE_SCRIPTS } from './storeScripts.js';

/** Options for {@link RedisChatStore}. */
export interface RedisChatStoreOptions {
  /** The connection for commands (not a blocking read's); the store closes it with itself. */
  redis: Redis;
  /** Prepended to every key. @default 'twohop:chat:' */
  prefix?: string;
  /** The wall clock that stamps messages (ms since the epoch). @default Date.now */
  now?: () => number;
  /** The feed's length bound (approximate: Redis trims whole nodes). @default 100000 */
  feedLength?: number;
}

const ROOM_NAME_RULE = 'room names are 1–64 letters, digits, _ or -';
const messages = (raws: (string | null)[]) =>
  raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as ChatMessage);
/** Seqs `from..to`, both included (none when `to < from`). */
const span = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * The shared {@link ChatStore}: every node of a cluster reads and writes the same Redis. Each write is one Lua script
 * (src/server/redis/storeScripts.ts), atomic across nodes: a send checks its client id, takes the room's next seq,
 * stores the message and announces it on the feed in one step, so seqs stay dense, a retry is answered from the
 * dedup on any node, and the feed holds a room's messages in seq order. Durable before the ack as far as the Redis
 * server is: with `appendonly yes` and `appendfsync always`, Redis answers a write only once its log is fsynced
 * (`checkDurability` says whether it is). Seqs are dense, so every page of history is a known list of fields.
 */
export class RedisChatStore implements ChatStore {
  readonly #redis: Redis;
  readonly #keys: ChatKeys;
  readonly #now: () => number;
  readonly #feedLength: number;
  readonly #scripts: Record<keyof typeof STORE_SCRIPTS, Script>;

  constructor(options: RedisChatStoreOptions) {
    this.#redis = options.redis;
    this.#keys = chatKeys(options.prefix ?? 'twohop:chat:');
    this.#now = options.now ?? Date.now;
    this.#feedLength = options.feedLength ?? 100_000;
    this.#scripts = defineScripts(this.#redis, STORE_SCRIPTS);
  }

  async createRoom(name: string, createdBy: string, maxRooms: number): Promise<void> {
    if (!isValidRoomName(name)) throw new ChatError('invalid_message', ROOM_NAME_RULE);
    const k = this.#keys;
    refuse(
      await this.#scripts.createRoom(
        k.rooms,
        k.room(name),
        k.members(name),
        k.memberships(createdBy),
        name,
        createdBy,
        maxRooms,
      ),
      name,
      maxRooms,
    );
  }

  async ensureRoom(name: string): Promise<void> {
    if (!isValidRoomName(name)) throw new ChatError('invalid_message', ROOM_NAME_RULE);
    await this.#scripts.ensureRoom(this.#keys.rooms, this.#keys.room(name), name);
  }

  async head(room: string): Promise<RoomHead | undefined> {
    const [lastSeq, lastChange] = await this.#redis.hmget(this.#keys.room(room), 'lastSeq', 'lastChange');
    return lastSeq === null ? undefined : { lastSeq: Number(lastSeq), lastChange: Number(lastChange ?? 0) };
  }

  async listRooms({ userId, limit, after = '', mine = false }: RoomsQuery): Promise<RoomsPage> {
    const k = this.#keys;
    const names = mine
      ? (await this.#redis.smembers(k.memberships(userId)))
          .filter((name) => name > after)
          .sort()
          .slice(0, limit + 1)
      : await this.#redis.zrangebylex(k.rooms, after === '' ? '-' : `(${after}`, '+', 'LIMIT', 0, limit + 1);
    const pipeline = this.#redis.pipeline();
    for (const name of names.slice(0, limit)) {
      pipeline.hget(k.room(name), 'lastSeq').sismember(k.members(name), userId).hget(k.reads(name), userId);
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const rooms = names.slice(0, limit).map((name, i) => {
      const lastSeq = Number(replies[i * 3] ?? 0);
      const member = replies[i * 3 + 1] === 1;
      const lastRead = Number(replies[i * 3 + 2] ?? 0);
      return { name, lastSeq, member, lastRead, unread: member ? lastSeq - lastRead : 0 };
    });
    return names.length > limit ? { rooms, next: rooms.at(-1)!.name } : { rooms };
  }

  async join(room: string, userId: string, maxRooms: number): Promise<void> {
    const k = this.#keys;
    refuse(
      await this.#scripts.join(k.room(room), k.members(room), k.memberships(userId), room, userId, maxRooms),
      room,
      maxRooms,
    );
  }

  async leave(room: string, userId: string): Promise<void> {
    await this.#redis
      .multi()
      .srem(this.#keys.members(room), userId)
      .srem(this.#keys.memberships(userId), room)
      .exec();
  }

  async isMember(room: string, userId: string): Promise<boolean> {
    return (await this.#redis.sismember(this.#keys.members(room), userId)) === 1;
  }

  async members(room: string): Promise<string[]> {
    return this.#redis.smembers(this.#keys.members(room));
  }

  async send(input: SendInput): Promise<SendAck> {
    const { room, userId, clientId, text } = input;
    requireValidText(text);
    if (!isValidClientId(clientId))
      throw new ChatError('invalid_message', 'a client message id is 1–64 characters');
    const k = this.#keys;
    const reply = (await this.#scripts.send(
      k.feed,
      k.feedCount,
      k.room(room),
      k.messages(room),
      k.clients(room),
      k.members(room),
      this.#feedLength,
      clientField(userId, clientId),
      room,
      userId,
      input.name,
      clientId,
      text,
      this.#now(),
    )) as string[];
    refuse(reply[0]!, room);
    return { seq: Number(reply[1]), ts: Number(reply[2]), duplicate: reply[0] === 'duplicate' };
  }

  async latest(room: string, limit: number): Promise<ChatMessage[]> {
    const lastSeq = await this.#lastSeq(room);
    return this.#messages(room, span(Math.max(1, lastSeq - limit + 1), lastSeq));
  }

  async before(room: string, seq: number, limit: number): Promise<ChatMessage[]> {
    const to = Math.min(seq - 1, await this.#lastSeq(room));
    return this.#messages(room, span(Math.max(1, to - limit + 1), to));
  }

  async after(room: string, seq: number, limit: number): Promise<TimelinePage> {
    const lastSeq = await this.#lastSeq(room);
    // More was missed than a page: the newest page, marked limited; the client pages back to fill the hole.
    if (lastSeq - seq > limit) return { messages: await this.latest(room, limit), limited: true };
    return { messages: await this.#messages(room, span(Math.max(1, seq + 1), lastSeq)), limited: false };
  }

  async changedSince(room: string, change: number, limit: number): Promise<ChatMessage[]> {
    const seqs = await this.#redis.zrangebyscore(
      this.#keys.changes(room),
      `(${change}`,
      '+inf',
      'LIMIT',
      0,
      limit,
    );
    return this.#messages(room, seqs.map(Number));
  }

  async edit(room: string, seq: number, userId: string, text: string): Promise<ChatMessage> {
    requireValidText(text);
    return this.#change(room, seq, userId, text, false);
  }

  async delete(room: string, seq: number, userId: string): Promise<ChatMessage> {
    return this.#change(room, seq, userId, '', true);
  }

  async markRead(room: string, userId: string, seq: number): Promise<number> {
    return Number(await this.#scripts.markRead(this.#keys.reads(room), userId, seq));
  }

  async receiptsFrom(room: string, seq: number): Promise<Receipt[]> {
    const reads = await this.#redis.hgetall(this.#keys.reads(room));
    return Object.entries(reads)
      .map(([userId, read]) => ({ userId, seq: Number(read) }))
      .filter((receipt) => receipt.seq >= seq);
  }

  async close(): Promise<void> {
    if (this.#redis.status !== 'end') await this.#redis.quit().catch(() => undefined);
  }

  async #lastSeq(room: string): Promise<number> {
    return Number((await this.#redis.hget(this.#keys.room(room), 'lastSeq')) ?? 0);
  }

  async #messages(room: string, seqs: number[]): Promise<ChatMessage[]> {
    return seqs.length === 0
      ? []
      : messages(await this.#redis.hmget(this.#keys.messages(room), ...seqs.map(String)));
  }

  async #change(
    room: string,
    seq: number,
    userId: string,
    text: string,
    deleting: boolean,
  ): Promise<ChatMessage> {
    const k = this.#keys;
    const reply = (await this.#scripts.change(
      k.feed,
      k.feedCount,
      k.room(room),
      k.messages(room),
      k.changes(room),
      k.members(room),
      this.#feedLength,
      seq,
      userId,
      text,
      deleting ? '1' : '0',
    )) as string[];
    if (reply[0] === 'deleted') throw new ChatError('unknown_message', `message ${seq} was deleted`);
    if (reply[0] === 'unknown_message')
      throw new ChatError('unknown_message', `no message ${seq} in ${room}`);
    refuse(reply[0]!, room);
    return JSON.parse(reply[1]!) as ChatMessage;
  }
}

/** Throws the `ChatError` a script's refusal names (with the embedded store's messages); any other answer passes. */
function refuse(answer: unknown, room: string, maxRooms = 0): void {
  switch (answer) {
    case 'unknown_room':
      return requireRoom(false, room);
    case 'not_member':
      return requireMember(false, room);
    case 'room_limit':
      return requireRoomFor(maxRooms, maxRooms);
    case 'room_exists':
      throw new ChatError('room_exists', `room ${room} exists`);
    case 'not_owner':
      throw new ChatError('not_owner', 'only the sender can change a message');
  }
}
