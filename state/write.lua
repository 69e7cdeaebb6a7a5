-- write.lua stores pair values, each only if its key still holds the value the store read:
-- a compare-and-set on the 9-byte header (format byte and a token that changes on every
-- write). Another writer (an instance that took over a partition, a zombie finishing a
-- batch) makes the header differ; that pair is left alone and reported, and the store
-- reads it again and redoes its observations.
--
-- KEYS: the pair keys (one hash slot on a Cluster).
-- ARGV[1]: TTL in ms. Then, for KEYS[i]: ARGV[2i] the header read ('' for no key),
-- ARGV[2i+1] the new value.
--
-- Reply: the indexes i whose key had changed (empty when all were written).
--
-- A key that holds something else than a string (WRONGTYPE: written by someone else than
-- relance) reads as absent, as MGET reads it: it is replaced.

local ttl = ARGV[1]
local changed = {}
for i, key in ipairs(KEYS) do
  local current = redis.pcall('GETRANGE', key, 0, 8)
  if type(current) == 'table' then
    current = ''
  end
  if current == ARGV[2 * i] then
    redis.call('SET', key, ARGV[2 * i + 1], 'PX', ttl)
  else
    changed[#changed + 1] = i
  end
end
return changed
