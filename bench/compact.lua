-- compact.lua: a prototype of state/apply.lua with the same ARGV, reply and decisions, that
-- keeps each directed pair's whole state in ONE small string value (MessagePack), so an
-- observation costs 4 Redis commands: GET fwd, GET back, SET back PX, SET fwd PX (the last
-- only when fwd changed).
--
-- KEYS[1] S→R pair value, KEYS[2] R→S pair value. A value is cmsgpack of
--   {newest, answered, peak, off, start, nudged, u, s, v}
-- u: unanswered messages, flat {id1, t1, id2, t2, ...} in ZSET order (time, then bytes of id)
-- s: seen message ids (redelivery detection) as a map id → t
-- v: stored views, a map id → the reply array as first returned
-- ARGV as apply.lua: action, id, t, offensive, window, ttl, nudge_at, remember_up_to,
-- max_unanswered, max_evidence.

local COUNTED, REPLAYED, DUPLICATE, LATE, STALE, ANSWER = 1, 2, 3, 4, 5, 6
local MESSAGE = 1

local fwd_key, back_key = KEYS[1], KEYS[2]
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

local function load(key)
  local raw = redis.call('GET', key)
  if not raw then
    return { 0, 0, 0, 0, '', 0, {}, {}, {} }
  end
  return cmsgpack.unpack(raw)
end

local function save(key, st)
  redis.call('SET', key, cmsgpack.pack(st), 'PX', ttl)
end

local function result(status, count, answered)
  return { status, count, 0, 0, 0, 0, '', 0, 0, answered, 0 }
end

-- before reports whether (ta, a) sorts before (tb, b) as in a sorted set: by score, then
-- by the bytes of the member (string '<' would follow the server's collation locale).
local function before(ta, a, tb, b)
  if ta ~= tb then
    return ta < tb
  end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

-- drop_upto removes the entries of u with time <= limit; returns the new u and how many went.
local function drop_upto(u, limit)
  local out, gone = {}, 0
  for i = 1, #u, 2 do
    if u[i + 1] <= limit then
      gone = gone + 1
    else
      out[#out + 1] = u[i]
      out[#out + 1] = u[i + 1]
    end
  end
  return out, gone
end

-- 1. Answer effect on R→S.
local B = load(back_key)
if t > B[2] then
  B[2] = t
end
local left, gone = drop_upto(B[7], t)
B[7] = left
if gone > 0 then
  B[3] = #left / 2
  B[4] = 0
  B[5] = left[1] or ''
  B[6] = 0
end
save(back_key, B)

if action ~= MESSAGE then
  return result(ANSWER, 0, 0)
end

local F = load(fwd_key)
local u, seen, views = F[7], F[8], F[9]

if seen[id] then
  local view = views[id]
  if view then
    view[1] = REPLAYED
    return view
  end
  return result(DUPLICATE, #u / 2, 0)
end

local newest, answered = F[1], F[2]
local peak, off, start, nudged = F[3], F[4], F[5], F[6]

local function mark_seen()
  seen[id] = t
  local horizon = newest - window
  for k, v in pairs(seen) do
    if v <= horizon then
      seen[k] = nil
      views[k] = nil
    end
  end
end

if t <= answered then
  if t > newest then
    newest = t
  end
  mark_seen() -- like apply.lua, the pair's newest is not stored on this path
  save(fwd_key, F)
  return result(LATE, 0, answered)
end

if t > newest then
  newest = t
end

if t <= newest - window then
  mark_seen()
  save(fwd_key, F)
  return result(STALE, 0, 0)
end

u = drop_upto(u, newest - window)
if #u == 0 then
  peak, off, start, nudged = 0, 0, id, 0
end

-- Insert (id, t) in sorted-set order, replacing an entry of the same id.
local out, placed = {}, false
for i = 1, #u, 2 do
  if u[i] ~= id then
    if not placed and before(t, id, u[i + 1], u[i]) then
      out[#out + 1] = id
      out[#out + 1] = t
      placed = true
    end
    out[#out + 1] = u[i]
    out[#out + 1] = u[i + 1]
  end
end
if not placed then
  out[#out + 1] = id
  out[#out + 1] = t
end
u = out
local count = #u / 2
if count > max_unanswered then
  local keep = {}
  for i = 2 * (count - max_unanswered) + 1, #u do
    keep[#keep + 1] = u[i]
  end
  u = keep
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

local r = { COUNTED, count, prev_peak, peak, prev_off, off, start, u[2], newest, answered, nudged }
for i = 1, math.min(count, max_evidence) do
  r[#r + 1] = u[2 * i - 1]
end
if (peak > prev_peak and peak <= remember_up_to) or offensive then
  views[id] = r
end
F[1], F[3], F[4], F[5], F[6], F[7] = newest, peak, off, start, nudged, u
save(fwd_key, F)
return r
