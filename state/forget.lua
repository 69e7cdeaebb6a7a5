-- forget.lua writes back a sender record a member was removed from (Forget), only if its
-- key still holds the value read: the compare-and-set of write.lua, on the same 9-byte
-- header. A processor that wrote the record meanwhile makes it differ: the record is left
-- alone, and Forget reads it again and removes the member from what it now holds. The key
-- keeps the time it had left to live: erasing a member does not extend what is kept of
-- others.
--
-- KEYS[1]: the sender record's key. ARGV[1]: the header read. ARGV[2]: the new value.
--
-- Reply: 1 when written, 0 when the key had changed (or no longer holds a string).

local current = redis.pcall('GETRANGE', KEYS[1], 0, 8)
if type(current) == 'table' or current ~= ARGV[1] then
  return 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
