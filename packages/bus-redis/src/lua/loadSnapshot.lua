-- loadSnapshot: KEYS meta, snapshot hash; ARGV fresh epoch. Returns {epoch, seq, data JSON}, or {} when no
-- snapshot of the current epoch is kept.
local e = meta(ARGV[1])
local kept = redis.call('HMGET', KEYS[2], 'e', 's', 'd')
if kept[1] ~= e then return {} end
return kept
