-- repeat: schedules or cancels a target's repeat of a mention
-- (repeat_every), only for the source's owner (docs/alerts.md "Repeats").
--
-- KEYS[1] is the source's base "PREFIX{SOURCE}:", KEYS[2] the target's
-- repeat set under it ("rp:TARGET", named by the C side). ARGV[1] is the
-- fencing token of the caller's lease (rw_cluster_fence); ARGV[2] is "add"
-- or "rem", ARGV[3] the mention id, ARGV[4] (add) when to send it again
-- (ms).
-- Returns 1 when written; a stale token (another daemon took the source
-- since) is refused with the error FENCED before anything is written.
-- include layout.lua
if not fence_ok(KEYS[1], ARGV[1]) then
	return redis.error_reply('FENCED')
end
if ARGV[2] == 'add' then
	redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
else
	redis.call('ZREM', KEYS[2], ARGV[3])
end
return 1
