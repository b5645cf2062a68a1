-- Forgets an instance found dead, once its jobs were handed back: unless it renewed its lease meanwhile. Its place
-- among the instances goes once its claimed list is empty.
-- KEYS: the instance's heartbeat, instances (set), the instance's claimed list
-- ARGV: instance
if redis.call('exists', KEYS[1]) == 1 then return 0 end
if redis.call('llen', KEYS[3]) == 0 then redis.call('srem', KEYS[2], ARGV[1]) end
return 1
