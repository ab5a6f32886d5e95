/**
 * The pieces every Redis store script shares. Every script takes the same keys (`scriptKeys`: KEYS[1] state,
 * KEYS[2] outcomes, KEYS[3] the lot's log, KEYS[4] its bidders, KEYS[5] the catalogue, KEYS[6] the epoch,
 * KEYS[7] the event stream, KEYS[8] the notice heads) and starts with the same arguments (ARGV[1] the test clock or
 * '' for Redis `TIME`, ARGV[2] an epoch to use if Redis has none, ARGV[3] the notice streams' key prefix, ARGV[4]
 * the auction id). Everything a change causes — the lot's log, the event every node follows, the users' notices — is
 * written by the script that makes the change, so it happens exactly once, whichever node asked and whatever
 * happens to that node afterwards.
 */

/** Events kept in the shared event stream (a node further behind resyncs its lots from their logs). */
export const EVENTS_KEPT = 10_000;
/** Notices kept per user for catch-up. */
export const NOTICES_KEPT = 200;

/** Reads the time into `now`: the test clock when given, else Redis `TIME` (seconds, microseconds) in ms. */
export const NOW = `
local now
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end`;

/** Reads the epoch into `epoch`, keeping the candidate when Redis has none (a fresh or emptied Redis). */
export const EPOCH = `
local epoch = redis.call('GET', KEYS[6])
if not epoch then
  epoch = ARGV[2]
  redis.call('SET', KEYS[6], epoch)
end`;

/**
 * `record(state, encodedState, extra)`: appends the change that made `state` to the lot's log (entry id
 * `<version>-0`, creation `0-1`) and to the event stream, with the time `now` and the epoch (a follower that
 * sees another epoch than its own knows Redis lost its data); `extra` is more fields (a bid's outcome).
 */
export const RECORD = `
local function record(state, encodedState, extra)
  local id = state.version .. '-0'
  if state.version == 0 then id = '0-1' end
  local fields = {'state', encodedState, 'at', tostring(now), 'epoch', epoch}
  for _, field in ipairs(extra) do table.insert(fields, field) end
  redis.call('XADD', KEYS[3], id, unpack(fields))
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ${EVENTS_KEPT}, '*', 'lot', ARGV[4], unpack(fields))
end`;

/**
 * `notify(userId, kind, state, reserveNotMet)`: numbers the user's next notice (`HINCRBY` on the heads), keeps it in
 * the user's stream under `<seq>-0` and puts it on the event stream, for the nodes serving the user's tabs.
 */
export const NOTIFY = `
local function notify(userId, kind, state, reserveNotMet)
  local seq = redis.call('HINCRBY', KEYS[8], userId, 1)
  local notice = {epoch = epoch, seq = seq, kind = kind, auction = state.terms.id, title = state.terms.title,
    priceCents = state.priceCents, at = now}
  if reserveNotMet then notice.reserveNotMet = true end
  local encoded = cjson.encode(notice)
  redis.call('XADD', ARGV[3] .. userId .. '}', 'MAXLEN', '~', ${NOTICES_KEPT}, seq .. '-0', 'notice', encoded)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ${EVENTS_KEPT}, '*', 'user', userId, 'notice', encoded)
end`;
