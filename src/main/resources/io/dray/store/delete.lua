-- Forgets a job. An owner's claimed list may still name it: the owner drops it when it sees its claim is lost.
-- KEYS: job hash, job log, jobs (sorted set), queue
-- ARGV: job id
local existed = redis.call('del', KEYS[1])
redis.call('del', KEYS[2])
redis.call('zrem', KEYS[3], ARGV[1])
redis.call('lrem', KEYS[4], 1, ARGV[1])
return existed
