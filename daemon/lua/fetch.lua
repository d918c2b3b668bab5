-- fetch: reads mentions for the daemon to decide on.
-- KEYS[1]: the source's base "PREFIX{SOURCE}:".
-- ARGV[1] = "ids", ARGV[2..]: mention ids -> for each, its fields (HGETALL
--   as a flat list; empty when unknown).
-- ARGV[1] = "reply", ARGV[2]: the id replied to -> { target fields, then
--   pairs of (id, fields) of every other open mention by the same author in
--   the same conversation created no later than the target }.
-- ARGV[1] = "due", ARGV[2]: now (ms), ARGV[3]: limit -> pairs of (id, fields)
--   of mentions whose next deadline is due.
local base = KEYS[1]
local mode = ARGV[1]
local out = {}

local function fields(id)
	return redis.call('HGETALL', base .. 'm:' .. id)
end

if mode == 'ids' then
	for i = 2, #ARGV do out[#out + 1] = fields(ARGV[i]) end
elseif mode == 'reply' then
	local target = fields(ARGV[2])
	out[1] = target
	local t = {}
	for i = 1, #target, 2 do t[target[i]] = target[i + 1] end
	if t.v and t.a and t.c then
		local ids = redis.call('ZRANGEBYSCORE', base .. 'cv:' .. t.v, '-inf', t.c)
		for _, id in ipairs(ids) do
			if id ~= ARGV[2] then
				local f = fields(id)
				for i = 1, #f, 2 do
					if f[i] == 'a' and f[i + 1] == t.a then
						out[#out + 1] = id
						out[#out + 1] = f
						break
					end
				end
			end
		end
	end
elseif mode == 'due' then
	local ids = redis.call('ZRANGEBYSCORE', base .. 'due', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
	for _, id in ipairs(ids) do
		local f = fields(id)
		if #f == 0 then
			-- The mention is gone (deleted by hand?): its deadline goes too.
			redis.call('ZREM', base .. 'due', id)
		else
			out[#out + 1] = id
			out[#out + 1] = f
		end
	end
end
return out
