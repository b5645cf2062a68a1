-- Puts back in the queue a queued job without an owner found on an instance's claimed list: left by a Dray before
-- claims were one script, which died between taking the job off the queue and claiming it.
-- KEYS: job hash, the instance's claimed list, queue
-- ARGV: job id
if redis.call('hget', KEYS[1], 'status') ~= 'queued' or redis.call('hexists', KEYS[1], 'owner') == 1 then return 0 end
redis.call('lrem', KEYS[2], 1, ARGV[1])
redis.call('lrem', KEYS[3], 1, ARGV[1])
redis.call('lpush', KEYS[3], ARGV[1])
return 1
