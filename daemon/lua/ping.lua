-- ping: proves the EVALSHA/NOSCRIPT path end to end and, given a key, that
-- Redis takes writes: /readyz calls it with one, so that "ready" means a
-- write succeeded just now (Redis refuses writes when out of memory with
-- noeviction, when min-replicas-to-write is unmet or the AOF cannot be
-- written, and the error reply makes /readyz answer 503).
-- KEYS[1] (optional): a key written with ARGV[1] for a minute.
-- ARGV[1]: a token echoed back.
-- Returns { ARGV[1], seconds, microseconds } of the Redis server's TIME.
if KEYS[1] then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000)
end
local t = redis.call('TIME')
return { ARGV[1], t[1], t[2] }
