-- Appends a chunk to a job's input, which expires a while after its last chunk unless its job is queued (enqueue
-- makes it permanent): in one step, so that no crash leaves an input that never expires.
-- KEYS: job input
-- ARGV: the chunk, how long it is kept without a next chunk (s)
redis.call('append', KEYS[1], ARGV[1])
redis.call('expire', KEYS[1], ARGV[2])
return 1
