-- counts: a source's live figures for /status and /metrics.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- Returns { { POLICY, open, warning, breached, oldest_created_ms_or_0 } ...,
--           counters as a flat field/value list }.
-- include layout.lua
local base = KEYS[1]
local rows = {}
for _, p in ipairs(redis.call('SMEMBERS', base .. KEY.index_policies)) do
	local oldest = 0
	local n = {}
	for i, s in ipairs({ 'o', 'w', 'b' }) do
		n[i] = ix_count(base, s, p)
		local first = ix_range(base, s, p, nil, nil, 1)[1]
		if first and (oldest == 0 or first[1] < oldest) then oldest = first[1] end
	end
	rows[#rows + 1] = { p, n[1], n[2], n[3], int_text(oldest) }
end
return { rows, redis.call('HGETALL', base .. KEY.counters) }
