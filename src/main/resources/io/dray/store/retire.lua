-- An instance that stops on purpose, its jobs handed back: it is not alive any more, and nobody waits for its lease.
-- KEYS: the instance's heartbeat, instances (set), the instance's claimed list
-- ARGV: instance
redis.call('del', KEYS[1])
if redis.call('llen', KEYS[3]) == 0 then redis.call('srem', KEYS[2], ARGV[1]) end
return 1
