-- ping: proves the EVALSHA/NOSCRIPT path end to end and reports the server's
-- clock, which later modules use to detect clock skew.
-- KEYS: none. ARGV[1]: a token echoed back.
-- Returns { ARGV[1], seconds, microseconds } of the Redis server's TIME.
local t = redis.call('TIME')
return { ARGV[1], t[1], t[2] }
