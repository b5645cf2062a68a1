-- Forgets a job. An owner's claimed list may still name it: the owner drops it when it sees its claim is lost.
-- Publishes its event if there was such a job.
-- KEYS: job hash, job log, jobs (sorted set), queue, job log streams, events channel, expiries, job input, callbacks,
--       event history
-- ARGV: job id, the event, the event history's length
-- Each event is kept in the event history (trimmed to about ARGV[3] events), then published with its id there.
local function tell(event)
  local id = redis.call('xadd', KEYS[10], 'MAXLEN', '~', ARGV[3], '*', 'event', event)
  redis.call('publish', KEYS[6], string.sub(event, 1, -2) .. ',"id":"' .. id .. '"}')
end
local existed = redis.call('del', KEYS[1])
-- Unlinked: a log of millions of lines is freed in the background, not while every other client waits.
redis.call('unlink', KEYS[2], KEYS[5], KEYS[8])
redis.call('zrem', KEYS[3], ARGV[1])
redis.call('lrem', KEYS[4], 1, ARGV[1])
redis.call('zrem', KEYS[7], ARGV[1])
redis.call('zrem', KEYS[9], ARGV[1])
if existed == 1 then tell(ARGV[2]) end
return existed
