-- saveSnapshot: KEYS meta, snapshot hash; ARGV fresh epoch, the snapshot's epoch, seq and data JSON.
-- Kept unless it is of another epoch, past the log's end, or older than the one kept. Returns 1 when kept.
local e, s = meta(ARGV[1])
local seq = tonumber(ARGV[3])
if ARGV[2] ~= e or seq > s then return 0 end
local kept = redis.call('HMGET', KEYS[2], 'e', 's')
if kept[1] == e and tonumber(kept[2]) > seq then return 0 end
redis.call('HSET', KEYS[2], 'e', e, 's', seq, 'd', ARGV[4])
return 1
