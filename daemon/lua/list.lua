-- list: one page of a source's mentions, oldest first, for GET /mentions.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- ARGV[1]: state codes to include ("owbrcx" = all), ARGV[2]: a policy name,
-- or "" for every policy ("~" is "no policy"), ARGV[3]/ARGV[4]: the cursor
-- (created ms and id of the last mention already returned; "" for none),
-- ARGV[5]: page size.
-- Returns triples (id, created ms, fields) in (created, id) order.
-- include layout.lua
local base = KEYS[1]
local states, policy = ARGV[1], ARGV[2]
local after_ms, after_id = tonumber(ARGV[3]), ARGV[4]
local limit = tonumber(ARGV[5])
local policies = {}
if policy ~= '' then
	policies = { policy }
else
	policies = redis.call('SMEMBERS', base .. KEY.index_policies)
end

-- Up to limit from each index, merged.
local found = {}
for i = 1, #states do
	local s = states:sub(i, i)
	for _, p in ipairs(policies) do
		for _, row in ipairs(ix_range(base, s, p, after_ms, after_id, limit)) do
			found[#found + 1] = { row[1], row[2], s, p }
		end
	end
end
table.sort(found, function(a, b)
	if a[1] ~= b[1] then return a[1] < b[1] end
	return a[2] < b[2]
end)

local out = {}
local n = 0
for _, f in ipairs(found) do
	if n == limit then break end
	local fields = record_get(base, f[2])
	if #fields == 0 then
		-- Expired by retention: its index entry goes on the way.
		ix_remove(base, f[3], f[4], f[1], f[2])
	else
		out[#out + 1] = f[2]
		out[#out + 1] = int_text(f[1])
		out[#out + 1] = fields
		n = n + 1
	end
end
return out
