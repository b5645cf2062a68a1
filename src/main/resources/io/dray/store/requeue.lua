-- Gives a job its owner still holds back to the front of the queue, with the state it was computed to have there.
-- KEYS: job hash, the owner's claimed list, queue
-- ARGV: owner, epoch, version, job id, the number N of fields to delete, the N fields, then field/value pairs to set
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch', 'status', 'version')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] or (f[4] or '0') ~= ARGV[3] then return 0 end
if f[3] ~= 'queued' and f[3] ~= 'running' then return 0 end
local deletes = tonumber(ARGV[5])
if deletes > 0 then redis.call('hdel', KEYS[1], unpack(ARGV, 6, 5 + deletes)) end
if #ARGV > 5 + deletes then redis.call('hset', KEYS[1], unpack(ARGV, 6 + deletes)) end
redis.call('hdel', KEYS[1], 'owner')
redis.call('hincrby', KEYS[1], 'version', 1)
redis.call('lrem', KEYS[2], 1, ARGV[4])
redis.call('lpush', KEYS[3], ARGV[4])
return 1
