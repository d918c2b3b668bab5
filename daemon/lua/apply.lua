-- apply: carries out state changes the daemon has decided, atomically.
--
-- Every key lives under KEYS[1], the source's base "PREFIX{SOURCE}:", so one
-- call touches one hash slot. ARGV[1] is a JSON document:
--   { "all": bool,            -- true: apply every change or none
--     "retention_ms": N,      -- lifetime of resolved mentions
--     "events_minid": "MS",   -- event-log entries older than this may be trimmed
--     "replies_minid": "MS",  -- reply-log entries older than this may be trimmed
--     "changes": [ CHANGE, ... ] }
-- CHANGE:
--   { "id": ID, "expect": V,  -- the mention's version ("y"); 0: it must not exist yet
--     "orphan": "check"|"consume"|nil, -- new mentions: a brand reply seen before them
--     "created": MS, "from": [STATE, POLICY]|nil, "to": [STATE, POLICY],
--     "set": { FIELD: VALUE }, "due": MS|false|nil (set, remove, leave),
--     "conv": ID|nil, "conv_add": bool, "resolved": bool,
--     "log": ["POLICY|WALL_MS|BUSINESS_MS|WITHIN|ID", REPLY_MS]|nil, "events": [JSON, ...], "cnt": { FIELD: N } }
-- Returns one string per change: "ok", "dup" (exists already), "stale" (its
-- version moved), or "orphan" followed by the stored reply ("MS|REPLY_ID").
local base = KEYS[1]
local op = cjson.decode(ARGV[1])
local results = {}

local function check(c)
	local key = base .. 'm:' .. c.id
	if c.expect == 0 then
		if redis.call('EXISTS', key) == 1 then return 'dup' end
		if c.orphan == 'check' then
			local o = redis.call('GET', base .. 'or:' .. c.id)
			if o then return 'orphan', o end
		end
		return 'ok'
	end
	local y = redis.call('HGET', key, 'y')
	if tonumber(y) ~= c.expect then return 'stale' end
	return 'ok'
end

local function index_key(state_policy)
	return base .. 'ix:' .. state_policy[1] .. ':' .. state_policy[2]
end

local function apply(c)
	local key = base .. 'm:' .. c.id
	local set = {}
	for f, v in pairs(c.set) do
		set[#set + 1] = f
		set[#set + 1] = tostring(v)
	end
	if #set > 0 then redis.call('HSET', key, unpack(set)) end
	redis.call('HINCRBY', key, 'y', 1)
	if c.from and (c.from[1] ~= c.to[1] or c.from[2] ~= c.to[2]) then
		redis.call('ZREM', index_key(c.from), c.id)
	end
	redis.call('ZADD', index_key(c.to), c.created, c.id)
	redis.call('SADD', base .. 'ixp', c.to[2])
	if c.due == false then
		redis.call('ZREM', base .. 'due', c.id)
	elseif type(c.due) == 'number' then
		redis.call('ZADD', base .. 'due', c.due, c.id)
	end
	if c.conv then
		if c.conv_add then
			redis.call('ZADD', base .. 'cv:' .. c.conv, c.created, c.id)
		else
			redis.call('ZREM', base .. 'cv:' .. c.conv, c.id)
		end
	end
	if c.resolved then
		redis.call('PEXPIRE', key, op.retention_ms)
	end
	if c.orphan == 'consume' then
		redis.call('DEL', base .. 'or:' .. c.id)
	end
	if c.log then
		-- The reply log: statistics windows are rebuilt from it.
		redis.call('XADD', base .. 'rs', 'MINID', '~', op.replies_minid, '*',
			'r', c.log[1], 't', c.log[2])
	end
	for _, e in ipairs(c.events or {}) do
		redis.call('XADD', base .. 'ev', 'MINID', '~', op.events_minid, '*', 'e', e)
	end
	for f, n in pairs(c.cnt or {}) do
		redis.call('HINCRBY', base .. 'cnt', f, n)
	end
end

local verdicts = {}
local all_ok = true
for i, c in ipairs(op.changes) do
	local v, extra = check(c)
	verdicts[i] = v
	if v ~= 'ok' then all_ok = false end
	results[#results + 1] = v
	if extra then results[#results] = 'orphan|' .. extra end
end
if op.all and not all_ok then return results end
for i, c in ipairs(op.changes) do
	if verdicts[i] == 'ok' then apply(c) end
end
return results
