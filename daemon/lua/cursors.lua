-- cursors: writes a polled source's cursor fields at the end of a poll, only
-- while the poll's fencing token is still the source's (cluster.h), so a
-- daemon that lost the source while its poll was under way (stopped past
-- its lease, cut off from Redis) cannot move the new owner's cursors back.
--
-- KEYS[1] is the source's base "PREFIX{SOURCE}:". ARGV[1] is the fencing
-- token (the decimal from rw_cluster_fence), or '' from a poller without a
-- cluster (then nothing is checked); ARGV[2..] are field, value pairs of
-- the cursor hash "cur" (poller_walk.c names them).
-- Returns the number of new fields; a stale token: the error "FENCED ...",
-- nothing written.
-- include layout.lua
local base = KEYS[1]
if ARGV[1] ~= '' and not fence_ok(base, ARGV[1]) then
	-- Two words: Redis 7 puts "ERR " in front of a one-word error.
	return redis.error_reply('FENCED stale fencing token')
end
if #ARGV < 3 then return 0 end
return redis.call('HSET', base .. KEY.cursors, unpack(ARGV, 2))
