-- Records how a claimed callback attempt went, if the claim still holds (its lease is the delivery's score): delivered
-- or failed for good (no longer due), or to be tried again (due then). Returns 1, or 0 if the claim no longer held.
-- KEYS: callbacks (sorted set), job hash
-- ARGV: job id, the claim's lease (ms), the delivery's state (delivered, pending or failed), the error ('' for none),
--       when it is due again (ms; for pending)
local due = redis.call('zscore', KEYS[1], ARGV[1])
if not due or tonumber(due) ~= tonumber(ARGV[2]) then return 0 end
if redis.call('exists', KEYS[2]) == 0 then
  redis.call('zrem', KEYS[1], ARGV[1])
  return 0
end
if ARGV[3] == 'pending' then redis.call('zadd', KEYS[1], ARGV[5], ARGV[1]) else redis.call('zrem', KEYS[1], ARGV[1]) end
redis.call('hset', KEYS[2], 'callback', ARGV[3])
if ARGV[4] == '' then redis.call('hdel', KEYS[2], 'callbackError') else redis.call('hset', KEYS[2], 'callbackError', ARGV[4]) end
return 1
