-- Reads a page of a job's log, with the stream of each line and the job's status, in one atomic step; false if there
-- is no such job. With a step, only that step's lines: from where it began to where the next one began.
-- KEYS: job hash, job log, job log streams
-- ARGV: first index, most lines, step ('' for every step)
-- Returns: status, first index read, index after the last read, whether nothing more was there, streams, lines
local status = redis.call('hget', KEYS[1], 'status')
if not status then return false end
local first = tonumber(ARGV[1])
local last = redis.call('llen', KEYS[2])
if ARGV[3] ~= '' then
  local step = tonumber(ARGV[3])
  local starts = redis.call('hmget', KEYS[1], 'step:' .. step .. ':logStart', 'step:' .. (step + 1) .. ':logStart')
  if not starts[1] then return {status, first, first, 1, '', {}} end
  first = math.max(first, tonumber(starts[1]))
  if starts[2] then last = math.min(last, tonumber(starts[2])) end
end
local stop = math.min(last, first + tonumber(ARGV[2]))
if stop <= first then return {status, first, math.max(first, stop), 1, '', {}} end
local streams = redis.call('getrange', KEYS[3], first, stop - 1)
return {status, first, stop, stop >= last and 1 or 0, streams, redis.call('lrange', KEYS[2], first, stop - 1)}
