-- apply.lua records one observation (a message or a reply from S to R) and returns the
-- S→R streak as a flat array. It runs atomically; every key it touches shares one hash slot.
--
-- KEYS[1] S→R unanswered   sorted set: message id → sent_at ms
-- KEYS[2] S→R state        hash: newest, answered, peak, off, start, nudged
-- KEYS[3] S→R seen         sorted set: message id → sent_at ms (redelivery detection)
-- KEYS[4] S→R views        hash: message id → stored streak view (see encode)
-- KEYS[5] R→S unanswered   sorted set, as KEYS[1]
-- KEYS[6] R→S state        hash, as KEYS[2]
--
-- ARGV: action (1 message, 2 reply), message id, sent_at ms, offensive (0/1), window ms,
-- ttl ms, nudge_at, remember_up_to, max_unanswered, max_evidence.
--
-- Reply: {status, count, prev_peak, peak, prev_off, off, start_id,
--         first_unanswered_ms, last_message_ms, answered_ms, nudged_ms, ids...}
-- with the statuses of policy.Status. A time of 0 means none.
--
-- All times are event times from ARGV: the script never reads the server's clock, so a
-- replay decides as the first run did. Numbers read from Redis are strings and go through
-- tonumber; numbers written go through int() so Redis and miniredis format them alike.

local COUNTED, REPLAYED, DUPLICATE, LATE, STALE, ANSWER = 1, 2, 3, 4, 5, 6
local MESSAGE = 1

local fwd_unanswered, fwd_state, fwd_seen, fwd_views = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local back_unanswered, back_state = KEYS[5], KEYS[6]

local action = tonumber(ARGV[1])
local id = ARGV[2]
local t = tonumber(ARGV[3])
local offensive = ARGV[4] == '1'
local window = tonumber(ARGV[5])
local ttl = ARGV[6]
local nudge_at = tonumber(ARGV[7])
local remember_up_to = tonumber(ARGV[8])
local max_unanswered = tonumber(ARGV[9])
local max_evidence = tonumber(ARGV[10])

-- int formats an integral number without exponent or fraction.
local function int(n)
  return string.format('%d', n)
end

-- num reads a stored number; a missing value (false) is 0.
local function num(v)
  if not v then
    return 0
  end
  return tonumber(v)
end

-- result builds a reply with the given status and count and everything else empty.
local function result(status, count, answered)
  return { status, count, 0, 0, 0, 0, '', 0, 0, answered, 0 }
end

-- A stored view is the reply array as length-prefixed strings ("<len>:<bytes>" each), so
-- ids of any bytes and 13-digit millisecond times round-trip exactly on every Lua engine.
local function encode(r)
  local parts = {}
  for i, v in ipairs(r) do
    local s = v
    if type(v) == 'number' then
      s = int(v)
    end
    parts[i] = int(#s) .. ':' .. s
  end
  return table.concat(parts)
end

-- decode reverses encode; positions 7 (start id) and 12 on (message ids) stay strings.
local function decode(s)
  local r, pos = {}, 1
  while pos <= #s do
    local colon = string.find(s, ':', pos, true)
    local n = tonumber(string.sub(s, pos, colon - 1))
    local v = string.sub(s, colon + 1, colon + n)
    local i = #r + 1
    if i ~= 7 and i < 12 then
      v = tonumber(v)
    end
    r[i] = v
    pos = colon + n + 1
  end
  return r
end

-- 1. Answer effect: S writing to R (message or reply) answers R's messages to S sent at or
-- before t. answered_at is always persisted, so a late R→S message is recognised.
local back_answered = num(redis.call('HGET', back_state, 'answered'))
if t > back_answered then
  back_answered = t
end
redis.call('HSET', back_state, 'answered', int(back_answered))
if redis.call('ZREMRANGEBYSCORE', back_unanswered, '-inf', int(t)) > 0 then
  -- The R→S streak ends; messages R sent after the answer stay unanswered and carry on
  -- as a new streak whose peak is their count, so levels they already fired stay fired.
  local left = redis.call('ZRANGE', back_unanswered, 0, 0)
  redis.call('HSET', back_state,
    'peak', int(redis.call('ZCARD', back_unanswered)),
    'off', '0', 'start', left[1] or '', 'nudged', '0')
  redis.call('PEXPIRE', back_unanswered, ttl)
end
redis.call('PEXPIRE', back_state, ttl)

-- 2. A reply only answers.
if action ~= MESSAGE then
  return result(ANSWER, 0, 0)
end

-- 3. A message from S to R.

-- Redelivery: the stored view if the first pass stored one, else just the current count.
if redis.call('ZSCORE', fwd_seen, id) then
  local view = redis.call('HGET', fwd_views, id)
  if view then
    local r = decode(view)
    -- A counted message replays as such; a late one keeps its status (see below).
    if r[1] == COUNTED then
      r[1] = REPLAYED
    end
    return r
  end
  return result(DUPLICATE, redis.call('ZCARD', fwd_unanswered), 0)
end

local st = redis.call('HMGET', fwd_state, 'newest', 'answered', 'peak', 'off', 'start', 'nudged')
local newest, answered = num(st[1]), num(st[2])
local peak, off, start, nudged = num(st[3]), num(st[4]), st[5] or '', num(st[6])

-- mark_seen records the message id for redelivery detection, and forgets ids and views
-- that are out of the window ending at newest.
local function mark_seen()
  redis.call('ZADD', fwd_seen, int(t), id)
  local horizon = int(newest - window)
  local old = redis.call('ZRANGEBYSCORE', fwd_seen, '-inf', horizon)
  if #old > 0 then
    -- HDEL in chunks: unpack is bounded by the Lua stack.
    for i = 1, #old, 500 do
      redis.call('HDEL', fwd_views, unpack(old, i, math.min(i + 499, #old)))
    end
    redis.call('ZREMRANGEBYSCORE', fwd_seen, '-inf', horizon)
    redis.call('PEXPIRE', fwd_views, ttl)
  end
  redis.call('PEXPIRE', fwd_seen, ttl)
end

-- Sent at or before R's latest answer: already answered, never counted.
if t <= answered then
  if t > newest then
    newest = t
  end
  mark_seen()
  local r = result(LATE, 0, answered)
  -- An offensive late message raises a content alert whose severity depends on when R
  -- answered: remember it, so a redelivery decides the same (and not as unanswered).
  if offensive then
    redis.call('HSET', fwd_views, id, encode(r))
    redis.call('PEXPIRE', fwd_views, ttl)
  end
  return r
end

if t > newest then
  newest = t
end

-- Older than the window that ends at the pair's newest event.
if t <= newest - window then
  mark_seen()
  return result(STALE, 0, 0)
end

-- The window is (newest - window, newest]; older messages slide out. When none is left,
-- the previous streak is over and this message starts a new one.
redis.call('ZREMRANGEBYSCORE', fwd_unanswered, '-inf', int(newest - window))
if redis.call('ZCARD', fwd_unanswered) == 0 then
  peak, off, start, nudged = 0, 0, id, 0
end

redis.call('ZADD', fwd_unanswered, int(t), id)
local count = redis.call('ZCARD', fwd_unanswered)
if count > max_unanswered then
  redis.call('ZREMRANGEBYRANK', fwd_unanswered, 0, count - max_unanswered - 1)
  count = max_unanswered
end

local prev_peak, prev_off = peak, off
if count > peak then
  peak = count
end
if offensive then
  off = off + 1
end
if prev_peak < nudge_at and nudge_at <= peak then
  nudged = t
end

mark_seen()
redis.call('HSET', fwd_state, 'newest', int(newest), 'peak', int(peak), 'off', int(off),
  'start', start, 'nudged', int(nudged))
redis.call('PEXPIRE', fwd_state, ttl)
redis.call('PEXPIRE', fwd_unanswered, ttl)

local first = redis.call('ZRANGE', fwd_unanswered, 0, 0, 'WITHSCORES')
local r = { COUNTED, count, prev_peak, peak, prev_off, off, start,
  tonumber(first[2]), newest, answered, nudged }
local ids = redis.call('ZRANGE', fwd_unanswered, 0, max_evidence - 1)
for _, m in ipairs(ids) do
  r[#r + 1] = m
end

-- Remember the view a redelivery must replay: when a level may have fired (the peak grew
-- while still small enough to matter) or the content rules fired (offensive message).
if (peak > prev_peak and peak <= remember_up_to) or offensive then
  redis.call('HSET', fwd_views, id, encode(r))
  redis.call('PEXPIRE', fwd_views, ttl)
end

return r
