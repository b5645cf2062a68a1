-- Claims a job's due callback delivery until a lease ends, and counts the attempt; a delivery whose job is gone is no
-- longer due. Returns the job's hash, or nil if the delivery is not due (claimed by another, or done).
-- KEYS: callbacks (sorted set, scored by when each is due, ms), job hash
-- ARGV: job id, now (ms), the lease's end (ms), a delivery id for a first attempt
local due = redis.call('zscore', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return false end
if redis.call('exists', KEYS[2]) == 0 then
  redis.call('zrem', KEYS[1], ARGV[1])
  return false
end
redis.call('zadd', KEYS[1], ARGV[3], ARGV[1])
redis.call('hsetnx', KEYS[2], 'callbackDelivery', ARGV[4])
redis.call('hsetnx', KEYS[2], 'callbackDueSince', ARGV[2])
redis.call('hset', KEYS[2], 'callback', 'pending')
redis.call('hincrby', KEYS[2], 'callbackAttempts', 1)
return redis.call('hgetall', KEYS[2])
