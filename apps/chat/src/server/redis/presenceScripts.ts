import { FEED_PRELUDE } from './luaScripts.js';

/**
 * Presence on Redis. Per room a hash `presence:<room>`: uid → `{name, since, nodes}`, where `nodes` counts the user's
 * connections with the room open on each node process (an *instance*). A user is online while any instance counts
 * one; only the first arrival and the last departure are announced on the feed. An instance that stops renewing its
 * `alive:<instance>` key (its process died) is reaped by whichever node sweeps first: its counts are removed, and
 * the users it alone held leave — so a killed node's users leave within the key's lifetime plus one sweep.
 */
const REMOVE_FROM = `
local function announce(room, change)
  publish(cjson.encode({type = 'presence', room = room, change = change}))
end
-- Takes instance 'instance' out of uid's entry in hash 'key' (room 'room'), entirely or by one connection.
local function withdraw(key, room, uid, instance, all)
  local raw = redis.call('HGET', key, uid)
  if not raw then return end
  local entry = cjson.decode(raw)
  local count = entry.nodes[instance]
  if not count then return end
  if all or count <= 1 then entry.nodes[instance] = nil else entry.nodes[instance] = count - 1 end
  if next(entry.nodes) == nil then
    redis.call('HDEL', key, uid)
    announce(room, {op = 'remove', key = uid})
  else
    redis.call('HSET', key, uid, cjson.encode(entry))
  end
end
`;

export const PRESENCE_SCRIPTS = {
  /**
   * KEYS: feed, feed count, presence(room), instance rooms, instances. ARGV: feed bound, room, uid, name, instance,
   * since.
   */
  arrive: [
    5,
    `${FEED_PRELUDE}${REMOVE_FROM}
local raw = redis.call('HGET', KEYS[3], ARGV[3])
local entry
if raw then entry = cjson.decode(raw) else entry = {name = ARGV[4], since = tonumber(ARGV[6]), nodes = {}} end
entry.nodes[ARGV[5]] = (entry.nodes[ARGV[5]] or 0) + 1
redis.call('HSET', KEYS[3], ARGV[3], cjson.encode(entry))
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[5])
if not raw then announce(ARGV[2], {op = 'set', key = ARGV[3], value = {name = entry.name, since = entry.since}}) end
return 1`,
  ],
  /** KEYS: feed, feed count, presence(room). ARGV: feed bound, room, uid, instance. One connection fewer. */
  leave: [3, `${FEED_PRELUDE}${REMOVE_FROM}\nwithdraw(KEYS[3], ARGV[2], ARGV[3], ARGV[4], false)\nreturn 1`],
  /** KEYS: feed, feed count, presence(room). ARGV: feed bound, room, uid. The user left the room, everywhere. */
  removeUser: [
    3,
    `${FEED_PRELUDE}${REMOVE_FROM}
if redis.call('HDEL', KEYS[3], ARGV[3]) == 1 then announce(ARGV[2], {op = 'remove', key = ARGV[3]}) end
return 1`,
  ],
  /**
   * Reaps every instance whose `alive` key is gone (or `ARGV[3]`, an instance closing cleanly): its connections
   * leave every room. KEYS: feed, feed count, instances. ARGV: feed bound, key prefix, instance to withdraw or ''.
   * Answers the instances reaped.
   */
  reap: [
    3,
    `${FEED_PRELUDE}${REMOVE_FROM}
local prefix = ARGV[2]
local reaped = {}
for _, instance in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if instance == ARGV[3] or redis.call('EXISTS', prefix .. 'alive:' .. instance) == 0 then
    local rooms = prefix .. 'instance:' .. instance .. ':rooms'
    for _, room in ipairs(redis.call('SMEMBERS', rooms)) do
      local key = prefix .. 'presence:' .. room
      for _, uid in ipairs(redis.call('HKEYS', key)) do withdraw(key, room, uid, instance, true) end
    end
    redis.call('DEL', rooms, prefix .. 'alive:' .. instance)
    redis.call('SREM', KEYS[3], instance)
    reaped[#reaped + 1] = instance
  end
end
return reaped`,
  ],
} as const;
