-- list: one page of a source's mentions, oldest first, for GET /mentions.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- ARGV[1]: state codes to include ("owbrcx" = all), ARGV[2]: a policy name,
-- or "" for every policy ("~" is "no policy"), ARGV[3]/ARGV[4]: the cursor
-- (created ms and id of the last mention already returned; "" for none),
-- ARGV[5]: page size.
-- Returns triples (id, created ms, fields) in (created, id) order.
local base = KEYS[1]
local states, policy, after_ms, after_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local limit = tonumber(ARGV[5])
local policies = {}
if policy ~= '' then
	policies = { policy }
else
	policies = redis.call('SMEMBERS', base .. 'ixp')
end

local found = {}
for i = 1, #states do
	local s = states:sub(i, i)
	for _, p in ipairs(policies) do
		local key = base .. 'ix:' .. s .. ':' .. p
		local rows
		if after_ms ~= '' then
			-- Same instant as the cursor: only ids after it.
			local same = redis.call('ZRANGEBYSCORE', key, after_ms, after_ms)
			for _, id in ipairs(same) do
				if id > after_id then found[#found + 1] = { tonumber(after_ms), id } end
			end
			rows = redis.call('ZRANGEBYSCORE', key, '(' .. after_ms, '+inf', 'WITHSCORES',
				'LIMIT', 0, limit)
		else
			rows = redis.call('ZRANGEBYSCORE', key, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
		end
		for j = 1, #rows, 2 do found[#found + 1] = { tonumber(rows[j + 1]), rows[j] } end
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
	local fields = redis.call('HGETALL', base .. 'm:' .. f[2])
	if #fields == 0 then
		-- Expired by retention: drop its index entries on the way.
		for i = 1, #states do
			for _, p in ipairs(policies) do
				redis.call('ZREM', base .. 'ix:' .. states:sub(i, i) .. ':' .. p, f[2])
			end
		end
	else
		out[#out + 1] = f[2]
		out[#out + 1] = string.format('%d', f[1])
		out[#out + 1] = fields
		n = n + 1
	end
end
return out
