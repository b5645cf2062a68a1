-- Appends an owner's log lines while its claim holds: also after its job was cancelled, so that what a step wrote
-- before it was stopped is kept; never after the job was deleted or taken over. Tells the followers of logs.
-- KEYS: job hash, job log, job log streams, log channel
-- ARGV: owner, epoch, job id, one stream character per line, then the lines
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] then return 0 end
-- A log written before streams were recorded has no codes for its first lines: '?' keeps the codes in line.
local missing = redis.call('llen', KEYS[2]) - redis.call('strlen', KEYS[3])
if missing > 0 then redis.call('append', KEYS[3], string.rep('?', missing)) end
-- In slices: unpack has a limit.
for i = 5, #ARGV, 1000 do redis.call('rpush', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('append', KEYS[3], ARGV[4])
redis.call('publish', KEYS[4], ARGV[3])
return 1
