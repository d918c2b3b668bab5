-- fetch: reads mentions for the daemon to decide on.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- ARGV[1] = "ids", ARGV[2..]: mention ids -> for each, its fields (HGETALL
--   as a flat list; empty when unknown).
-- ARGV[1] = "reply", ARGV[2]: the id replied to -> { target fields, then
--   pairs of (id, fields) of every other open mention by the same author in
--   the same conversation created no later than the target; the
--   conversation's first mention may come back resolved: the daemon skips it }.
-- ARGV[1] = "conv", ARGV[2]: a conversation id, ARGV[3]: a brand reply's
--   time (ms) -> pairs of (id, fields) of every open mention of that
--   conversation created no later than the reply (a brand reply to the whole
--   conversation, without in_reply_to); the conversation's first mention
--   may come back resolved: the daemon skips it.
-- ARGV[1] = "due", ARGV[2]: now (ms), ARGV[3]: limit -> pairs of (id, fields)
--   of mentions whose next deadline is due.
-- ARGV[1] = "next" -> { earliest deadline (ms) } or {} when nothing is due.
--
-- Where deadlines are: a mention in the "due" sorted set has its next
-- deadline as its score. An open or warned mention is not in it (that saves
-- a sorted-set entry per mention): its next deadline is the earliest of its
-- W (open only), B, first E and X fields, which grow with created_at within
-- one policy and state, so the oldest members of the o and w indexes of P hold
-- the earliest. The daemon keeps a mention in "due" whenever that rule
-- would not give its next deadline exactly.
-- include layout.lua
local base = KEYS[1]
local mode = ARGV[1]
local out = {}

local function fields(id)
	return (record_get(base, id))
end

if mode == 'ids' then
	for i = 2, #ARGV do out[#out + 1] = fields(ARGV[i]) end
elseif mode == 'reply' then
	local target = fields(ARGV[2])
	out[1] = target
	local t = {}
	for i = 1, #target, 2 do t[target[i]] = target[i + 1] end
	if t.v and t.a and t.c then
		local seen = { [ARGV[2]] = true }
		local function sibling(id, f)
			if seen[id] then return end
			local m = flat_to_map(f)
			if m.a == t.a and tonumber(m.c) and tonumber(m.c) <= tonumber(t.c) then
				seen[id] = true
				out[#out + 1] = id
				out[#out + 1] = f
			end
		end
		local ids = redis.call('ZRANGEBYSCORE', base .. KEY.conversation .. t.v, '-inf', t.c)
		for _, id in ipairs(ids) do sibling(id, fields(id)) end
		-- A conversation's first mention is not in its cv set (see apply).
		sibling(t.v, fields(t.v))
	end
elseif mode == 'conv' then
	local conv, at = ARGV[2], tonumber(ARGV[3])
	for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. KEY.conversation .. conv, '-inf', ARGV[3])) do
		out[#out + 1] = id
		out[#out + 1] = fields(id)
	end
	-- A conversation's first mention is not in its cv set (see apply); a
	-- conversation id that is no mention's (a message thread's) reads {}.
	local first = flat_to_map(fields(conv))
	if first.v == conv and tonumber(first.c) and tonumber(first.c) <= at then
		out[#out + 1] = conv
		out[#out + 1] = fields(conv)
	end
elseif mode == 'due' or mode == 'next' then
	local now = tonumber(ARGV[2] or '0')
	local limit = tonumber(ARGV[3] or '0')
	local earliest = nil
	local function note(t)
		if t and (earliest == nil or t < earliest) then earliest = t end
	end
	if mode == 'due' then
		local ids = redis.call('ZRANGEBYSCORE', base .. KEY.due, '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
		for _, id in ipairs(ids) do
			local f = fields(id)
			if #f == 0 then
				-- The mention is gone (deleted by hand?): its deadline goes too.
				redis.call('ZREM', base .. KEY.due, id)
			else
				out[#out + 1] = id
				out[#out + 1] = f
			end
		end
	else
		local first = redis.call('ZRANGE', base .. KEY.due, 0, 0, 'WITHSCORES')
		if #first == 2 then note(tonumber(first[2])) end
	end
	-- Open and warned mentions, oldest first per policy. A few members past
	-- the first are read too, so a re-match under way (mixed deadlines in
	-- one set) cannot hide a due mention for long.
	local scan = mode == 'due' and 200 or 16
	for _, policy in ipairs(redis.call('SMEMBERS', base .. KEY.index_policies)) do
		for _, st in ipairs({'o', 'w'}) do
			for _, row in ipairs(ix_range(base, st, policy, nil, nil, scan)) do
				local id = row[2]
				if mode == 'due' and #out >= 2 * limit then break end
				if not redis.call('ZSCORE', base .. KEY.due, id) then
					local r = flat_to_map(fields(id))
					local v = { r.W, r.B, r.E, r.X, r.s }
					local t = nil
					local function take(x)
						x = tonumber(x)
						if x and x > 0 and (t == nil or x < t) then t = x end
					end
					if v[5] == st then
						if st == 'o' then take(v[1]) end
						take(v[2])
						if v[3] then take(string.match(v[3], '^(%d+)')) end
						take(v[4])
					end
					if mode == 'next' then
						note(t)
					elseif t and t <= now then
						out[#out + 1] = id
						out[#out + 1] = fields(id)
					end
				end
			end
		end
	end
	if mode == 'next' and earliest then out[1] = tostring(earliest) end
end
return out
