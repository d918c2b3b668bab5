-- lease: a source's owner lease and fencing token (cluster.h, the cluster
-- module). The lease "B lease" holds "INSTANCE:EPOCH"; every acquire bumps
-- "B lease-n", the token the owner-only scripts check (layout.lua fence_ok).
-- KEYS[1]: the source's base.
-- ARGV[1]: 'acquire', 'renew', 'release' or 'peek'; ARGV[2]: the caller's
-- instance id; ARGV[3]: its epoch; ARGV[4]: the lease's life (ms).
-- acquire: takes the lease when it is free, or held by the same instance
--   under another epoch (the daemon was restarted), or already the caller's
--   (a reply lost, or the caller fenced itself): { 1, token, previous
--   holder or '' }; otherwise { 0, holder }.
-- renew: extends the lease if it is still the caller's: { 1, token }, else
--   { 0, holder or '' }.
-- release: deletes the lease if it is still the caller's: { 1 } or { 0 }.
-- peek: { holder or '', ms left (PTTL), token or '' }.
-- include layout.lua
local lease = KEYS[1] .. KEY.lease
local counter = KEYS[1] .. KEY.lease_counter
local op, id, epoch = ARGV[1], ARGV[2], ARGV[3]
local me = id .. ':' .. epoch
local holder = redis.call('GET', lease)

if op == 'peek' then
	return { holder or '', redis.call('PTTL', lease), redis.call('GET', counter) or '' }
end
if op == 'release' then
	if holder == me then
		redis.call('DEL', lease)
		return { 1 }
	end
	return { 0 }
end
if op == 'renew' then
	if holder == me then
		redis.call('PEXPIRE', lease, ARGV[4])
		return { 1, redis.call('GET', counter) or '' }
	end
	return { 0, holder or '' }
end
if op == 'acquire' then
	-- The instance id is everything before the last ':' (ids have none).
	if not holder or holder == me or string.sub(holder, 1, #id + 1) == id .. ':' then
		redis.call('SET', lease, me, 'PX', ARGV[4])
		return { 1, tostring(redis.call('INCR', counter)), holder or '' }
	end
	return { 0, holder }
end
return redis.error_reply('lease: unknown operation')
