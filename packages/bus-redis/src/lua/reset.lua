-- reset: KEYS meta, snapshot hash; ARGV fresh epoch (the new one), log key prefix, ms the old log is kept for
-- lagging tails, snapshot data JSON ('' for none).
-- Ends the old epoch's log with a marker entry `<seq>-1` naming the new epoch (tails switch on it), lets that log
-- expire, and starts the new epoch at seq 0 with the given snapshot. Returns {epoch, seq}.
local old = redis.call('HMGET', KEYS[1], 'e', 's')
if old[1] then
  local log = ARGV[2] .. old[1]
  redis.call('XADD', log, old[2] .. '-1', 'r', ARGV[1])
  redis.call('PEXPIRE', log, ARGV[3])
end
redis.call('HSET', KEYS[1], 'e', ARGV[1], 's', 0)
redis.call('DEL', KEYS[2])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], 'e', ARGV[1], 's', 0, 'd', ARGV[4]) end
return {ARGV[1], 0}
