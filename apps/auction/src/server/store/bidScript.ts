import { DEFAULT_SOFT_CLOSE, INCREMENT_TABLE } from '../../domain/index.js';
import { EPOCH, NOTIFY, NOW, RECORD } from './scriptParts.js';

/**
 * The Redis store's bid script (its create and close scripts are in lotScripts.ts). `placeBid` is the whole
 * acceptance step of src/domain/placeBid.ts, run by Redis as one indivisible script (no lock around it): it reads the
 * auction, answers a retry with its stored outcome, takes the receipt time from Redis `TIME`, checks status, minimum
 * and own-maximum, applies the proxy rules, the reserve and soft close, bumps the version, stores the outcome under
 * the bid's key, appends the accepted bid to the auction's log and the shared event stream (the version as its log
 * entry id), adds the bidder to the lot's bidders and writes the notices it causes ("winning" or "outbid" to the
 * bidder, "outbid" to whom it displaced). The increment table and the default soft close are generated from the
 * domain's constants, never written twice; a property test holds the script equal to the domain.
 *
 * Its keys and first arguments are the ones every script takes (scriptParts.ts); the test clock argument replaces
 * `TIME` for tests that run both stores on one fake clock, production passes ''.
 */

const increments = INCREMENT_TABLE.map((row) => `{${row.belowCents ?? -1}, ${row.stepCents}}`).join(', ');

/** KEYS: `scriptKeys`. ARGV: now, epoch, notice prefix, auction id, then the bid key, bidder id, bid id, max cents. */
export const PLACE_BID_SCRIPT = `
local STEPS = {${increments}}
local function increment(price)
  for _, row in ipairs(STEPS) do
    if row[1] < 0 or price < row[1] then return row[2] end
  end
  return STEPS[#STEPS][2]
end
local raw = redis.call('GET', KEYS[1])
if not raw then return {'unknown'} end
local previous = redis.call('HGET', KEYS[2], ARGV[5])
if previous then return {'duplicate', previous, raw} end
${NOW}
${EPOCH}
${RECORD}
${NOTIFY}
local state = cjson.decode(raw)
local terms = state.terms
local bidderId, bidId, maxCents = ARGV[6], ARGV[7], tonumber(ARGV[8])
local outcome = {auctionId = ARGV[4], bidderId = bidderId, bidId = bidId, maxCents = maxCents, receivedAt = now}
local function refuse(code, message)
  outcome.ok = false
  outcome.code = code
  outcome.message = message
  local encoded = cjson.encode(outcome)
  redis.call('HSET', KEYS[2], ARGV[5], encoded)
  return {'refused', encoded, raw}
end
if state.status == 'closed' or now >= state.endsAt then
  return refuse('auction_closed', 'auction ' .. terms.id .. ' has closed')
end
if now < terms.startsAt then return refuse('auction_not_open', 'auction ' .. terms.id .. ' has not started') end
local leader = state.leader
local own = leader ~= nil and leader.bidderId == bidderId
if own and maxCents <= leader.maxCents then
  return refuse('bid_too_low', 'you lead already: a new maximum must be above your current one')
end
local minimum = state.priceCents
if leader ~= nil then minimum = state.priceCents + increment(state.priceCents) end
if maxCents < minimum then return refuse('bid_too_low', 'the minimum bid is ' .. minimum .. ' cents') end

local incoming = {bidderId = bidderId, maxCents = maxCents, bidId = bidId, at = now}
local nextLeader, price, displaced = incoming, state.priceCents, ''
if leader ~= nil and not own then
  if maxCents > leader.maxCents then
    price = math.min(maxCents, leader.maxCents + increment(leader.maxCents))
    displaced = leader.bidderId
  else
    -- Equal or lower maximum: the standing (earlier) maximum keeps the lead and bids up to just above this one.
    nextLeader = leader
    price = math.min(leader.maxCents, maxCents + increment(maxCents))
  end
end
local reserve = terms.reserveCents
if reserve ~= nil and nextLeader.maxCents >= reserve and price < reserve then price = reserve end
local soft = terms.softClose or {windowMs = ${DEFAULT_SOFT_CLOSE.windowMs}, extensionMs = ${DEFAULT_SOFT_CLOSE.extensionMs}}
local endsAt = state.endsAt
if now >= state.endsAt - soft.windowMs then endsAt = math.max(state.endsAt, now + soft.extensionMs) end

state.version = state.version + 1
state.status = 'open'
state.priceCents = price
state.leader = nextLeader
state.bidCount = state.bidCount + 1
outcome.ok = true
outcome.leading = nextLeader.bidderId == bidderId
outcome.priceCents = price
outcome.version = state.version
outcome.bidCount = state.bidCount
outcome.endsAt = endsAt
outcome.extended = endsAt ~= state.endsAt
outcome.reserveMet = reserve == nil or price >= reserve
state.endsAt = endsAt
local encodedState = cjson.encode(state)
local encoded = cjson.encode(outcome)
redis.call('SET', KEYS[1], encodedState)
redis.call('HSET', KEYS[2], ARGV[5], encoded)
redis.call('SADD', KEYS[4], bidderId)
record(state, encodedState, {'bid', encoded})
if outcome.leading then notify(bidderId, 'winning', state) else notify(bidderId, 'outbid', state) end
if displaced ~= '' then notify(displaced, 'outbid', state) end
return {'accepted', encoded, encodedState, displaced}
`;
