-- Gives a job its owner still holds back to the front of the queue, with the state it was computed to have there.
-- Publishes the events that tell the change.
-- KEYS: job hash, the owner's claimed list, queue, events channel, event history
-- ARGV: owner, epoch, version, job id, the number N of fields to delete, the number E of events, the event history's
--       length, the N fields, the E events, then field/value pairs to set
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch', 'status', 'version')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] or (f[4] or '0') ~= ARGV[3] then return 0 end
if f[3] ~= 'queued' and f[3] ~= 'running' then return 0 end
-- In slices: unpack has a limit, and a job of many steps has many fields.
local function each_slice(first, last, command)
  for i = first, last, 1000 do redis.call(command, KEYS[1], unpack(ARGV, i, math.min(i + 999, last))) end
end
-- Each event is kept in the event history (trimmed to about ARGV[7] events), then published with its id there.
local function tell(event)
  local id = redis.call('xadd', KEYS[5], 'MAXLEN', '~', ARGV[7], '*', 'event', event)
  redis.call('publish', KEYS[4], string.sub(event, 1, -2) .. ',"id":"' .. id .. '"}')
end
local deletes, events = tonumber(ARGV[5]), tonumber(ARGV[6])
each_slice(8 + deletes + events, #ARGV, 'hset')
each_slice(8, 7 + deletes, 'hdel')
for i = 8 + deletes, 7 + deletes + events do tell(ARGV[i]) end
redis.call('hdel', KEYS[1], 'owner')
redis.call('hincrby', KEYS[1], 'version', 1)
redis.call('lrem', KEYS[2], 1, ARGV[4])
redis.call('lpush', KEYS[3], ARGV[4])
return 1
