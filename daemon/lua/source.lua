-- source: records that a polled source went down or came back up, and
-- raises the matching event, atomically and at most once per transition.
--
-- KEYS[1] is the source's base "PREFIX{SOURCE}:". ARGV[1] is "down" or "up",
-- ARGV[2] the event (JSON), ARGV[3] the event-log trim bound (ms), ARGV[4]
-- the fencing token of the source's owner (cluster.h), or '' from a poller
-- without a cluster (then nothing is checked): only the owner records a
-- transition, so a daemon that lost the source says nothing about it.
-- The flag lives in the cursor hash ("cur", field "down") so it survives
-- restarts and is shared by every daemon: a source already known down
-- raises no second source_down, and source_up only follows a source_down.
-- Returns the new event's stream id, or false when nothing changed; a stale
-- token: the error "FENCED ...", nothing written.
-- include layout.lua
local base = KEYS[1]
local token = ARGV[4] or ''
if token ~= '' and not fence_ok(base, token) then
	-- Two words: Redis 7 puts "ERR " in front of a one-word error.
	return redis.error_reply('FENCED stale fencing token')
end
local was_down = redis.call('HGET', base .. KEY.cursors, 'down') == '1'
if (ARGV[1] == 'down') == was_down then return false end
redis.call('HSET', base .. KEY.cursors, 'down', ARGV[1] == 'down' and '1' or '0')
return redis.call('XADD', base .. KEY.events, 'MINID', '~', ARGV[3], '*', 'e', ARGV[2])
