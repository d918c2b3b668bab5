-- migrate: moves a source's mentions from the first layout (one "m:ID" hash
-- per mention, one sorted set "ix:S:P" per index) to the one layout.lua
-- describes, a slice per call so Redis is never held for long. The daemon
-- calls it when it connects, until it returns 0.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:". ARGV[1]: most index entries
-- to move in this call.
-- Returns the number moved.
-- include layout.lua
local base = KEYS[1]
local budget = tonumber(ARGV[1])
local moved = 0
for _, p in ipairs(redis.call('SMEMBERS', base .. 'ixp')) do
	for i = 1, 6 do
		local st = string.sub('owbrcx', i, i)
		local old = base .. 'ix:' .. st .. ':' .. p
		while moved < budget do
			local rows = redis.call('ZRANGE', old, 0, 99, 'WITHSCORES')
			if #rows == 0 then break end
			for j = 1, #rows, 2 do
				local id, score = rows[j], tonumber(rows[j + 1])
				if i <= 3 then
					local flat = redis.call('HGETALL', base .. 'm:' .. id)
					if #flat > 0 then record_put(base, id, flat_to_map(flat), true, 'key') end
				end
				ix_add(base, st, p, score, id)
				redis.call('ZREM', old, id)
				moved = moved + 1
			end
		end
	end
end
layout_flush()
return moved
