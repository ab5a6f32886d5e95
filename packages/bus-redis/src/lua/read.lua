-- read: KEYS meta; ARGV fresh epoch, log key prefix, the reader's epoch, the reader's seq.
-- Returns {verdict, epoch, seq, entries}: 'ok' with the entries after the reader's seq, or 'epoch' / 'ahead' /
-- 'trimmed'. The log must hold the very next seq: a first entry past it is trimmed history, never a shorter log.
local e, s = meta(ARGV[1])
local after = tonumber(ARGV[4])
if ARGV[3] ~= e then return {'epoch', e, s} end
if after > s then return {'ahead', e, s} end
if after == s then return {'ok', e, s, {}} end
local entries = redis.call('XRANGE', ARGV[2] .. e, (after + 1) .. '-0', s .. '-0')
if #entries == 0 or entries[1][1] ~= (after + 1) .. '-0' then return {'trimmed', e, s} end
return {'ok', e, s, entries}
