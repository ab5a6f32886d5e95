import { FEED_PRELUDE } from './luaScripts.js';

/**
 * The store's writes, each one Lua script that Redis runs whole and alone, so each is atomic with respect to every
 * other node's. A refusal returns its error code and writes nothing; the checks are made in the order of the embedded
 * store's, so both refuse the same request with the same code.
 */
export const STORE_SCRIPTS = {
  /** KEYS: rooms, room, members, memberships(creator). ARGV: name, creator, maxRooms. */
  createRoom: [
    4,
    `
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[3]) then return 'room_limit' end
if redis.call('HSETNX', KEYS[2], 'lastSeq', 0) == 0 then return 'room_exists' end
redis.call('HSET', KEYS[2], 'lastChange', 0, 'createdBy', ARGV[2])
redis.call('ZADD', KEYS[1], 0, ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
return 'ok'`,
  ],
  /** KEYS: rooms, room. ARGV: name. */
  ensureRoom: [
    2,
    `
if redis.call('HSETNX', KEYS[2], 'lastSeq', 0) == 1 then
  redis.call('HSET', KEYS[2], 'lastChange', 0, 'createdBy', '')
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
end
return 'ok'`,
  ],
  /** KEYS: room, members, memberships(user). ARGV: name, user, maxRooms. */
  join: [
    3,
    `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown_room' end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 1 then return 'ok' end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 'room_limit' end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 'ok'`,
  ],
  /**
   * A send: a retry (its client id already stored) answers the original seq and ts and writes nothing; otherwise
   * the next seq, the message, its dedup entry and its announcement, all or nothing.
   * KEYS: feed, feed count, room, messages, clients, members. ARGV: feed bound, dedup field, room, user, name,
   * client id, text, ts.
   */
  send: [
    6,
    `${FEED_PRELUDE}
local stored = redis.call('HGET', KEYS[5], ARGV[2])
if stored then
  local original = cjson.decode(redis.call('HGET', KEYS[4], stored))
  return {'duplicate', stored, tostring(original.ts)}
end
if redis.call('EXISTS', KEYS[3]) == 0 then return {'unknown_room'} end
if redis.call('SISMEMBER', KEYS[6], ARGV[4]) == 0 then return {'not_member'} end
local seq = redis.call('HINCRBY', KEYS[3], 'lastSeq', 1)
local message = cjson.encode({room = ARGV[3], seq = seq, userId = ARGV[4], name = ARGV[5], clientId = ARGV[6],
  text = ARGV[7], ts = tonumber(ARGV[8]), version = 0, deleted = false, change = 0})
redis.call('HSET', KEYS[4], seq, message)
redis.call('HSET', KEYS[5], ARGV[2], seq)
publish('{"type":"message","message":' .. message .. '}')
return {'stored', tostring(seq), ARGV[8]}`,
  ],
  /**
   * An edit (ARGV deleting '0') or a delete ('1') by the message's sender, while a member: the next number in the
   * room's change feed and a version bump, unless it changes nothing. Announced either way.
   * KEYS: feed, feed count, room, messages, changes, members. ARGV: feed bound, seq, user, text, deleting.
   */
  change: [
    6,
    `${FEED_PRELUDE}
local raw = redis.call('HGET', KEYS[4], ARGV[2])
if not raw then return {'unknown_message'} end
local message = cjson.decode(raw)
if redis.call('SISMEMBER', KEYS[6], ARGV[3]) == 0 then return {'not_member'} end
if message.userId ~= ARGV[3] then return {'not_owner'} end
local deleting = ARGV[5] == '1'
if message.deleted and not deleting then return {'deleted'} end
if not (message.deleted or (not deleting and message.text == ARGV[4])) then
  message.change = redis.call('HINCRBY', KEYS[3], 'lastChange', 1)
  message.text = ARGV[4]
  message.deleted = deleting
  message.version = message.version + 1
  raw = cjson.encode(message)
  redis.call('HSET', KEYS[4], ARGV[2], raw)
  redis.call('ZADD', KEYS[5], message.change, ARGV[2])
end
publish('{"type":"changed","message":' .. raw .. '}')
return {'ok', raw}`,
  ],
  /** KEYS: reads. ARGV: user, seq. The receipt never goes backwards; answers it. */
  markRead: [
    1,
    `
local read = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > read then
  read = tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], ARGV[1], read)
end
return read`,
  ],
  /** KEYS: feed, feed count. ARGV: feed bound, the event's JSON. A node's own announcement (typing, receipts …). */
  publish: [2, `${FEED_PRELUDE}\nreturn publish(ARGV[2])`],
} as const;
