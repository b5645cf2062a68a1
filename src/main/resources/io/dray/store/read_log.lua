-- Reads a page of a job's log, with the stream of each line and the job's status, in one atomic step; false if there
-- is no such job. With a step, only that step's lines: from where it began to where the next one began. A page ends at
-- the most lines asked for, or once it holds the most bytes asked for (at least one line), whichever comes first:
-- lines may be 64 KiB long, and a page is held whole, here and by the reader.
-- KEYS: job hash, job log, job log streams
-- ARGV: first index, most lines, most bytes, step ('' for every step)
-- Returns: status, first index read, index after the last read, whether nothing more was there, the log's length,
--          streams, lines
local status = redis.call('hget', KEYS[1], 'status')
if not status then return false end
local first = tonumber(ARGV[1])
local length = redis.call('llen', KEYS[2])
local last = length
if ARGV[4] ~= '' then
  local step = tonumber(ARGV[4])
  local starts = redis.call('hmget', KEYS[1], 'step:' .. step .. ':logStart', 'step:' .. (step + 1) .. ':logStart')
  if not starts[1] then return {status, first, first, 1, length, '', {}} end
  first = math.max(first, tonumber(starts[1]))
  if starts[2] then last = math.min(last, tonumber(starts[2])) end
end
local most = math.min(last, first + tonumber(ARGV[2]))
local budget = tonumber(ARGV[3])
local lines = {}
local stop = first
while stop < most and budget > 0 do
  for _, line in ipairs(redis.call('lrange', KEYS[2], stop, math.min(most, stop + 100) - 1)) do
    if budget <= 0 then break end
    lines[#lines + 1] = line
    budget = budget - #line - 1
    stop = stop + 1
  end
end
local streams = stop > first and redis.call('getrange', KEYS[3], first, stop - 1) or ''
return {status, first, math.max(first, stop), stop >= last and 1 or 0, length, streams, lines}
