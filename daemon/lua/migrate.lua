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
for _, p in ipairs(redis.call('SMEMBERS', base .. KEY.index_policies)) do
	for i = 1, 6 do
		local st = string.sub('owbrcx', i, i)
		local old = base .. KEY.first_layout_index .. st .. ':' .. p
		while moved < budget do
			local rows = redis.call('ZRANGE', old, 0, 99, 'WITHSCORES')
			if #rows == 0 then break end
			for j = 1, #rows, 2 do
				local id, score = rows[j], tonumber(rows[j + 1])
				-- The daemon may have changed the mention since (its new
				-- index entry is written then): carry over only what is
				-- still true, and drop entries of expired mentions.
				local flat, where = record_get(base, id)
				local rec = flat_to_map(flat)
				local policy = (rec.p == nil or rec.p == '') and '~' or rec.p
				if rec.s == st and policy == p then
					if i <= 3 and where == 'key' then record_put(base, id, rec, true, 'key') end
					ix_add(base, st, p, score, id)
				end
				redis.call('ZREM', old, id)
				moved = moved + 1
			end
		end
	end
end
layout_flush()
return moved
