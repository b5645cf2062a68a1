-- Saves a new job and queues it, unless the queue already holds the most jobs allowed; publishes its event. A job with
-- an input keeps it from now on (it expired while it was uploaded); -1 if the input is not all there.
-- KEYS: job hash, jobs (sorted set), jobs sequence, queue, events channel, job input, event history
-- ARGV: job id, most jobs queued, the event, the input's length ('' for none), the event history's length, then the
--       job hash's field/value pairs
if redis.call('llen', KEYS[4]) >= tonumber(ARGV[2]) then return 0 end
-- Each event is kept in the event history (trimmed to about ARGV[5] events), then published with its id there.
local function tell(event)
  local id = redis.call('xadd', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'event', event)
  redis.call('publish', KEYS[5], string.sub(event, 1, -2) .. ',"id":"' .. id .. '"}')
end
if ARGV[4] ~= '' then
  if redis.call('strlen', KEYS[6]) ~= tonumber(ARGV[4]) then return -1 end
  redis.call('persist', KEYS[6])
end
-- In slices: unpack has a limit, and a job of many steps has many fields.
for i = 6, #ARGV, 1000 do redis.call('hset', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('zadd', KEYS[2], redis.call('incr', KEYS[3]), ARGV[1])
redis.call('rpush', KEYS[4], ARGV[1])
tell(ARGV[3])
return 1
