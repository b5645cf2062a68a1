-- Saves a job's next state over the version it was computed from; for an owner, only while its claim holds. A final
-- state leaves the queue and the owner's claimed list. With a resume point, also remembers the step to run next and
-- where its input is kept, so that a take-over begins that step again on that input, and where the step's lines
-- begin in the log (where its first attempt began: a log is only ever appended to).
-- Publishes the events that tell the change. A job that ends is kept for its own ttl, or else the retention, from
-- when it ended: it is listed among the expiries for the retention sweep; and its callback, if it has one, is due.
-- KEYS: job hash, queue, the owner's claimed list (any key when not an owner's write), job log, events channel,
--       expiries, callbacks, event history
-- ARGV: owner ('' when not an owner's write), epoch, version, job id, '1' if the state is final,
--       index of the step to resume at ('' for no resume point), its input path ('' if none), the number N of
--       fields to delete, the number E of events, when the job ended (ms since the epoch; '' if it did not),
--       the retention (ms; '' for forever), the event history's length, the N fields, the E events, then
--       field/value pairs to set
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch', 'status', 'version')
if not f[3] or f[3] == 'complete' or f[3] == 'error' or f[3] == 'cancelled' then return 0 end
if ARGV[1] ~= '' and (f[1] ~= ARGV[1] or f[2] ~= ARGV[2]) then return 0 end
if (f[4] or '0') ~= ARGV[3] then return 0 end
-- In slices: unpack has a limit, and a job of many steps has many fields.
local function each_slice(first, last, command)
  for i = first, last, 1000 do redis.call(command, KEYS[1], unpack(ARGV, i, math.min(i + 999, last))) end
end
-- Each event is kept in the event history (trimmed to about ARGV[12] events), then published with its id there.
local function tell(event)
  local id = redis.call('xadd', KEYS[8], 'MAXLEN', '~', ARGV[12], '*', 'event', event)
  redis.call('publish', KEYS[5], string.sub(event, 1, -2) .. ',"id":"' .. id .. '"}')
end
local deletes, events = tonumber(ARGV[8]), tonumber(ARGV[9])
each_slice(13 + deletes + events, #ARGV, 'hset')
each_slice(13, 12 + deletes, 'hdel')
if ARGV[6] ~= '' then
  redis.call('hset', KEYS[1], 'step', ARGV[6])
  redis.call('hsetnx', KEYS[1], 'step:' .. ARGV[6] .. ':logStart', redis.call('llen', KEYS[4]))
  if ARGV[7] == '' then redis.call('hdel', KEYS[1], 'input') else redis.call('hset', KEYS[1], 'input', ARGV[7]) end
end
if ARGV[5] == '1' then
  local ttl = redis.call('hget', KEYS[1], 'ttl') or ARGV[11]
  if ARGV[10] ~= '' and ttl ~= '' then redis.call('zadd', KEYS[6], tonumber(ARGV[10]) + tonumber(ttl), ARGV[4]) end
  redis.call('lrem', KEYS[2], 1, ARGV[4])
  if ARGV[1] ~= '' then redis.call('lrem', KEYS[3], 1, ARGV[4]) end
  redis.call('hdel', KEYS[1], 'step', 'input')
  if redis.call('hget', KEYS[1], 'callback') == 'waiting' then
    local at = ARGV[10] ~= '' and ARGV[10] or '0'
    redis.call('hset', KEYS[1], 'callback', 'pending', 'callbackDueSince', at)
    redis.call('zadd', KEYS[7], at, ARGV[4])
  end
end
for i = 13 + deletes, 12 + deletes + events do tell(ARGV[i]) end
return redis.call('hincrby', KEYS[1], 'version', 1)
