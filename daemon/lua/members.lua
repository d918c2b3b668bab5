-- members: the cluster's membership (cluster.h). KEYS[1]: "PREFIX members"
-- (a sorted set: instance id -> last heartbeat, ms of Redis TIME, so the
-- hosts' clocks do not matter).
-- ARGV[1]: 'beat' or 'leave'; ARGV[2]: the caller's instance id; ARGV[3]: how
-- old a heartbeat may be before its member is dead (ms).
-- beat: records the caller's heartbeat now, drops the dead members and
--   returns { now_ms, id1, ms1, id2, ms2, ... } (the live members).
-- leave: removes the caller at once (a daemon stopping): { 1 } or { 0 }.
if ARGV[1] == 'leave' then
	return { redis.call('ZREM', KEYS[1], ARGV[2]) }
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - tonumber(ARGV[3])))
local out = { string.format('%d', now) }
local rows = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #rows do out[#out + 1] = rows[i] end
return out
