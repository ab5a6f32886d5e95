import { DEFAULT_SOFT_CLOSE, INCREMENT_TABLE } from '../../domain/index.js';

/**
 * The Redis store's Lua scripts. `placeBid` is the whole acceptance step of src/domain/placeBid.ts, run by Redis as
 * one indivisible script (no lock around it): it reads the auction, answers a retry with its stored outcome, takes
 * the receipt time from Redis `TIME`, checks status, minimum and own-maximum, applies the proxy rules, the reserve
 * and soft close, bumps the version, stores the outcome under the bid's key and appends the accepted bid to the
 * auction's stream with the new version as its entry id. The increment table and the default soft close are
 * generated from the domain's constants, never written twice; a property test holds the script equal to the domain.
 *
 * Every key of one auction shares a hash tag (`{id}`), so on Redis Cluster an auction's script runs on one shard.
 * The optional `now` argument replaces `TIME` for tests that run both stores on one fake clock; production passes ''.
 */

const increments = INCREMENT_TABLE.map((row) => `{${row.belowCents ?? -1}, ${row.stepCents}}`).join(', ');

/** Reads the receipt time: the test clock when given, else Redis `TIME` (seconds, microseconds) in ms. */
const NOW = (arg: string) => `
local now
if ${arg} ~= '' then now = tonumber(${arg}) else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end`;

/** KEYS: state, outcomes, bids. ARGV: bid key, auction id, bidder id, bid id, max cents, now ('' for TIME). */
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
local previous = redis.call('HGET', KEYS[2], ARGV[1])
if previous then return {'duplicate', previous, raw} end
${NOW('ARGV[6]')}
local state = cjson.decode(raw)
local terms = state.terms
local bidderId, bidId, maxCents = ARGV[3], ARGV[4], tonumber(ARGV[5])
local outcome = {auctionId = ARGV[2], bidderId = bidderId, bidId = bidId, maxCents = maxCents, receivedAt = now}
local function refuse(code, message)
  outcome.ok = false
  outcome.code = code
  outcome.message = message
  local encoded = cjson.encode(outcome)
  redis.call('HSET', KEYS[2], ARGV[1], encoded)
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
redis.call('HSET', KEYS[2], ARGV[1], encoded)
redis.call('XADD', KEYS[3], state.version .. '-0', 'bid', encoded)
return {'accepted', encoded, encodedState, displaced}
`;

/** KEYS: state. ARGV: now ('' for TIME). Records the close only once Redis's time has reached `endsAt`. */
export const CLOSE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'unknown'} end
${NOW('ARGV[1]')}
local state = cjson.decode(raw)
if state.status == 'closed' then return {'closed', raw} end
if now < state.endsAt then return {'open', raw} end
state.status = 'closed'
state.version = state.version + 1
local encoded = cjson.encode(state)
redis.call('SET', KEYS[1], encoded)
return {'recorded', encoded, tostring(now)}
`;
