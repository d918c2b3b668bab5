-- counts: a source's live figures for /status and /metrics.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- Returns { { POLICY, open, warning, breached, oldest_created_ms_or_0 } ...,
--           counters as a flat field/value list }.
local base = KEYS[1]
local rows = {}
for _, p in ipairs(redis.call('SMEMBERS', base .. 'ixp')) do
	local oldest = 0
	local n = {}
	for i, s in ipairs({ 'o', 'w', 'b' }) do
		local key = base .. 'ix:' .. s .. ':' .. p
		n[i] = redis.call('ZCARD', key)
		local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
		if first[2] then
			local c = tonumber(first[2])
			if oldest == 0 or c < oldest then oldest = c end
		end
	end
	rows[#rows + 1] = { p, n[1], n[2], n[3], string.format('%d', oldest) }
end
return { rows, redis.call('HGETALL', base .. 'cnt') }
