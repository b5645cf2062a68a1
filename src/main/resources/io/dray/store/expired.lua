-- The ended jobs whose retention ran out, those due first; a job whose callback is still to be delivered is kept a
-- while longer (its expiry moves on), so that retention never drops an end that was not told yet.
-- KEYS: expiries (sorted set, ms), callbacks (sorted set)
-- ARGV: now (ms), the most ids, how long a job with a pending callback is kept on (ms)
local due = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local expired = {}
for _, id in ipairs(due) do
  if redis.call('zscore', KEYS[2], id) then
    redis.call('zadd', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), id)
  else
    expired[#expired + 1] = id
  end
end
return expired
