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
-- A mention's record and index entries are kept as layout.lua says.
-- Returns one string per change: "ok", "dup" (exists already), "stale" (its
-- version moved), or "orphan" followed by the stored reply ("MS|REPLY_ID").
-- include layout.lua
local base = KEYS[1]
local op = cjson.decode(ARGV[1])
local results = {}
local absent = {} -- ids checked unknown and not written yet in this call

local function check(c)
	if c.expect == 0 then
		if record_exists(base, c.id) then return 'dup' end
		absent[c.id] = true
		if c.orphan == 'check' then
			local o = redis.call('GET', base .. KEY.orphan_reply .. c.id)
			if o then return 'orphan', o end
		end
		return 'ok'
	end
	local rec = flat_to_map((record_get(base, c.id)))
	if tonumber(rec.y) ~= c.expect then return 'stale' end
	return 'ok'
end

local function apply(c)
	local flat, where = {}, nil
	if not absent[c.id] then flat, where = record_get(base, c.id) end
	absent[c.id] = nil
	local rec = flat_to_map(flat)
	for f, v in pairs(c.set) do rec[f] = tostring(v) end
	rec.y = int_text((tonumber(rec.y) or 0) + 1)
	record_put(base, c.id, rec, not c.resolved, where)
	if c.from and (c.from[1] ~= c.to[1] or c.from[2] ~= c.to[2]) then
		ix_remove(base, c.from[1], c.from[2], c.created, c.id)
	end
	ix_add(base, c.to[1], c.to[2], c.created, c.id)
	redis.call('SADD', base .. KEY.index_policies, c.to[2])
	if c.due == false then
		redis.call('ZREM', base .. KEY.due, c.id)
	elseif type(c.due) == 'number' then
		redis.call('ZADD', base .. KEY.due, c.due, c.id)
	end
	-- A mention that starts its conversation (most do: its id is the
	-- conversation's) needs no cv entry: "fetch reply" reads it by id. (The
	-- first layout kept one, hence the ZREM all the same.)
	if c.conv then
		if not c.conv_add then
			redis.call('ZREM', base .. KEY.conversation .. c.conv, c.id)
		elseif c.conv ~= c.id then
			redis.call('ZADD', base .. KEY.conversation .. c.conv, c.created, c.id)
		end
	end
	if c.resolved then
		redis.call('PEXPIRE', base .. KEY.resolved .. c.id, op.retention_ms)
	end
	if c.orphan == 'consume' then
		redis.call('DEL', base .. KEY.orphan_reply .. c.id)
	end
	if c.log then
		-- The reply log: statistics windows are rebuilt from it.
		redis.call('XADD', base .. KEY.replies, 'MINID', '~', op.replies_minid, '*',
			'r', c.log[1], 't', c.log[2])
	end
	for _, e in ipairs(c.events or {}) do
		redis.call('XADD', base .. KEY.events, 'MINID', '~', op.events_minid, '*', 'e', e)
	end
	for f, n in pairs(c.cnt or {}) do
		redis.call('HINCRBY', base .. KEY.counters, f, n)
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
layout_flush()
return results
