-- Shared by every script (prepended to each). KEYS[1] is the stream's meta hash: `e` its epoch, `s` its top seq.
-- ARGV[1] is a fresh epoch id, used only when the meta hash is missing: a stream never written to, or one whose
-- numbering Redis lost (a restart without persistence, an eviction). Then a new epoch starts at seq 0, so every
-- reader sees an epoch change instead of a silent renumbering.
local function meta(fresh)
  local found = redis.call('HMGET', KEYS[1], 'e', 's')
  if found[1] then return found[1], tonumber(found[2]) end
  redis.call('HSET', KEYS[1], 'e', fresh, 's', 0)
  return fresh, 0
end
