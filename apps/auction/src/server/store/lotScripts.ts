import { EPOCH, NOTIFY, NOW, RECORD } from './scriptParts.js';

/**
 * The Redis store's lot scripts, beside the bid script (bidScript.ts): creating a lot and closing one. Each takes
 * the keys and first arguments every script takes (scriptParts.ts) and writes what its change causes in the same
 * indivisible step — the lot's log, the shared event stream, the won / lost notices — so a close recorded once is
 * announced once, whichever node's timer asked.
 */

/**
 * ARGV: now, epoch, notice prefix, auction id, then the opening state as JSON. Adds the lot if no lot has its id
 * (its log starts with entry `0-1`, and the event stream hears of it), else leaves it; returns its state.
 */
export const CREATE_SCRIPT = `
${NOW}
${EPOCH}
${RECORD}
if redis.call('SET', KEYS[1], ARGV[5], 'NX') then
  redis.call('SADD', KEYS[5], ARGV[4])
  record(cjson.decode(ARGV[5]), ARGV[5], {})
end
return redis.call('GET', KEYS[1])
`;

/**
 * ARGV: now, epoch, notice prefix, auction id. Records the close only once the store's time has reached `endsAt`,
 * then tells every bidder: "won" to the leader when the reserve is met, "lost" to everyone else (the leader's marked
 * `reserveNotMet` when it is not).
 */
export const CLOSE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'unknown'} end
${NOW}
local state = cjson.decode(raw)
if state.status == 'closed' then return {'closed', raw} end
if now < state.endsAt then return {'open', raw} end
${EPOCH}
${RECORD}
${NOTIFY}
state.status = 'closed'
state.version = state.version + 1
local encoded = cjson.encode(state)
redis.call('SET', KEYS[1], encoded)
record(state, encoded, {})
local winner = nil
if state.leader then winner = state.leader.bidderId end
local reserve = state.terms.reserveCents
local sold = winner ~= nil and (reserve == nil or state.priceCents >= reserve)
for _, bidder in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  if sold and bidder == winner then notify(bidder, 'won', state)
  else notify(bidder, 'lost', state, bidder == winner) end
end
return {'recorded', encoded, tostring(now)}
`;
