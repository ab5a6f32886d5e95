-- append: KEYS meta; ARGV fresh epoch, log key prefix, max log length, data JSON, ts ('' for none).
-- The one place a seq is given: read the epoch, increment the seq, append to the epoch's Redis Stream with the seq
-- as the entry id (`<seq>-0`), trimmed to the last `max` entries. Atomic, so seqs are dense across every node.
local e = meta(ARGV[1])
local s = redis.call('HINCRBY', KEYS[1], 's', 1)
local id = s .. '-0'
if ARGV[5] == '' then
  redis.call('XADD', ARGV[2] .. e, 'MAXLEN', ARGV[3], id, 'd', ARGV[4])
else
  redis.call('XADD', ARGV[2] .. e, 'MAXLEN', ARGV[3], id, 'd', ARGV[4], 't', ARGV[5])
end
return {e, s}
