-- Says an instance is alive for its lease time.
-- KEYS: the instance's heartbeat, instances (set)
-- ARGV: instance, lease in milliseconds, the time now (for whoever reads the key)
redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[2])
redis.call('sadd', KEYS[2], ARGV[1])
return 1
