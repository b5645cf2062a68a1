-- Claims the job at the front of the queue for an instance, if it is still the job the caller saw there: takes it
-- off the queue onto the instance's claimed list, and makes the instance its owner at a new epoch. Returns the job
-- hash, 'moved' if another instance took the job first, or 'gone' if the id was not a queued job (it is dropped from
-- the queue).
-- KEYS: queue, the instance's claimed list, job hash
-- ARGV: job id, instance
if redis.call('lindex', KEYS[1], 0) ~= ARGV[1] then return 'moved' end
redis.call('lpop', KEYS[1])
if redis.call('hget', KEYS[3], 'status') ~= 'queued' then return 'gone' end
redis.call('rpush', KEYS[2], ARGV[1])
redis.call('hincrby', KEYS[3], 'epoch', 1)
-- A job written by a Dray before versions keeps version 0, so that its first save writes it whole, in this layout.
if redis.call('hexists', KEYS[3], 'schema') == 1 then redis.call('hincrby', KEYS[3], 'version', 1) end
redis.call('hset', KEYS[3], 'owner', ARGV[2])
return redis.call('hgetall', KEYS[3])
