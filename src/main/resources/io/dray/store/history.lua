-- The events kept after one, if the history still holds every event after it: some event kept is not newer than it
-- (else those right after it were trimmed away), and some is not older (else it is none of this history's).
-- KEYS: event history
-- ARGV: the event's id, the most events to answer
-- Returns {1, id, event, id, event, ...} oldest first, or {0} when the history cannot say (or they are more).
if #redis.call('xrange', KEYS[1], '-', ARGV[1], 'COUNT', 1) == 0 then return {0} end
if #redis.call('xrange', KEYS[1], ARGV[1], '+', 'COUNT', 1) == 0 then return {0} end
local entries = redis.call('xrange', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]) + 1)
if #entries > tonumber(ARGV[2]) then return {0} end
local answer = {1}
for _, entry in ipairs(entries) do
  answer[#answer + 1] = entry[1]
  answer[#answer + 1] = entry[2][2]
end
return answer
