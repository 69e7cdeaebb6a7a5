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
-- Each key costs one command, SET ... GET, which returns what the key held (a command
-- inside a script costs Redis more than the rest of the loop): with NX for a key read
-- absent, which writes nothing if it exists now; with XX for a key read present, which
-- writes nothing if it is gone. A key whose header differs was written all the same: its
-- value is put back at once, within the script, so nobody sees ours; only its TTL starts
-- again, as it would when the store writes that key again after reading it.
--
-- A key that holds something else than a string (WRONGTYPE: written by someone else than
-- relance; SET ... GET then writes nothing) reads as absent, as MGET reads it: it is
-- replaced.

-- Any other error (out of memory, say) fails the call, as it did before: it is not a
-- conflict, and must not be redone as one.
--
-- SET with both NX (or XX) and GET needs Redis 7.0; the store checks the version at start.

local ttl = ARGV[1]
local changed = {}

-- wrongType reports whether reply is WRONGTYPE's error, and raises any other error (as
-- redis.call would have).
local function wrongType(reply)
  if type(reply) ~= 'table' or not reply.err then
    return false
  end
  if string.sub(reply.err, 1, 9) == 'WRONGTYPE' then
    return true
  end
  error(reply)
end

for i, key in ipairs(KEYS) do
  local header, value = ARGV[2 * i], ARGV[2 * i + 1]
  if header == '' then
    local current = redis.pcall('SET', key, value, 'PX', ttl, 'NX', 'GET')
    if wrongType(current) then
      redis.call('SET', key, value, 'PX', ttl)
    elseif current then
      changed[#changed + 1] = i
    end
  else
    local current = redis.pcall('SET', key, value, 'PX', ttl, 'XX', 'GET')
    if wrongType(current) or not current then
      changed[#changed + 1] = i
    elseif string.sub(current, 1, 9) ~= header then
      redis.call('SET', key, current, 'PX', ttl)
      changed[#changed + 1] = i
    end
  end
end
return changed
