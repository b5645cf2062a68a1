-- Appends an owner's log lines while its claim holds: also after its job was cancelled, so that what a step wrote
-- before it was stopped is kept; never after the job was deleted or taken over.
-- KEYS: job hash, job log
-- ARGV: owner, epoch, then the lines
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] then return 0 end
redis.call('rpush', KEYS[2], unpack(ARGV, 3))
return 1
