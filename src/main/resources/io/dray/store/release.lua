-- Forgets that an instance holds a claim it lost: its job ended, was deleted, or was taken over. Unless the instance
-- claimed the job again since: then the entry is the newer claim's (0). And unless the claim was not lost after all
-- (2): the job still names it and has not ended, so the caller must hand the job back rather than forget it.
-- KEYS: the instance's claimed list, job hash
-- ARGV: instance, job id, the lost claim's epoch
local f = redis.call('hmget', KEYS[2], 'owner', 'epoch', 'status')
local final = f[3] == 'complete' or f[3] == 'error' or f[3] == 'cancelled'
if f[1] == ARGV[1] and f[3] and not final then
  if f[2] ~= ARGV[3] then return 0 end
  return 2
end
redis.call('lrem', KEYS[1], 1, ARGV[2])
return 1
