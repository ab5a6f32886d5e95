-- position: KEYS meta; ARGV fresh epoch. Returns {epoch, seq}.
local e, s = meta(ARGV[1])
return {e, s}
