-- Saves a job's next state over the version it was computed from; for an owner, only while its claim holds. A final
-- state leaves the queue and the owner's claimed list. With a resume point, also remembers the step to run next,
-- where its input is kept, and how long the log is now, so that a take-over drops what was written after and begins
-- that step again on that input.
-- KEYS: job hash, queue, the owner's claimed list (any key when not an owner's write), job log
-- ARGV: owner ('' when not an owner's write), epoch, version, job id, '1' if the state is final,
--       index of the step to resume at ('' for no resume point), its input path ('' if none), the number N of
--       fields to delete, the N fields, then field/value pairs to set
local f = redis.call('hmget', KEYS[1], 'owner', 'epoch', 'status', 'version')
if not f[3] or f[3] == 'complete' or f[3] == 'error' or f[3] == 'cancelled' then return 0 end
if ARGV[1] ~= '' and (f[1] ~= ARGV[1] or f[2] ~= ARGV[2]) then return 0 end
if (f[4] or '0') ~= ARGV[3] then return 0 end
-- In slices: unpack has a limit, and a job of many steps has many fields.
local function each_slice(first, last, command)
  for i = first, last, 1000 do redis.call(command, KEYS[1], unpack(ARGV, i, math.min(i + 999, last))) end
end
local deletes = tonumber(ARGV[8])
each_slice(9 + deletes, #ARGV, 'hset')
each_slice(9, 8 + deletes, 'hdel')
if ARGV[6] ~= '' then
  redis.call('hset', KEYS[1], 'step', ARGV[6], 'logMark', redis.call('llen', KEYS[4]))
  if ARGV[7] == '' then redis.call('hdel', KEYS[1], 'input') else redis.call('hset', KEYS[1], 'input', ARGV[7]) end
end
if ARGV[5] == '1' then
  redis.call('lrem', KEYS[2], 1, ARGV[4])
  if ARGV[1] ~= '' then redis.call('lrem', KEYS[3], 1, ARGV[4]) end
  redis.call('hdel', KEYS[1], 'step', 'input', 'logMark')
end
return redis.call('hincrby', KEYS[1], 'version', 1)
