-- layout: where mentions and their indexes live under a source's base. The
-- build puts this file in front of every script that says
-- "-- include layout.lua" (cmake/embed_lua.cmake). docs/data-model.md has
-- the why; in short, a mention costs one key or one sorted-set node only
-- where it must, because those are what a million open mentions weigh.
--
-- Records. A mention still open (state o, w or b) is one field of a bucket
-- hash "ob:N", its value the record packed with MessagePack. Buckets grow by
-- linear hashing ("lh": level L, split pointer sp, record count n), so each
-- holds about LH_LOAD records however many there are. A resolved mention is
-- its own hash "m:ID", so retention can expire it with a key TTL. A record is
-- always read the same way: a flat field/value list, as HGETALL gives.
--
-- Indexes. Each (state, policy) index is ordered by created_at, kept as a
-- row of small sorted sets "ixb:S:P:BID" of at most IX_MAX members (Redis
-- keeps those as compact listpacks), found through "ixd:S:P" (member BID,
-- score: the least created_at the bucket takes). "ixn" counts each index's
-- members, "ixq" numbers buckets.

-- Key names under a source's base (KEYS[1], "PREFIX{SOURCE}:"): the only
-- place the scripts spell them. include/replywatch/keys.h names the same
-- suffixes on the C side (tests/integration/test_keys.c holds the two
-- together); docs/data-model.md says what each key holds. A name ending in
-- ':' is followed by an id, a bucket or an index.
local KEY = {
	open_bucket = 'ob:',         -- hash: open records, by linear hashing
	open_hashing = 'lh',         -- hash: the buckets' L, sp, n
	resolved = 'm:',             -- hash: a resolved mention's record (TTL)
	due = 'due',                 -- zset: mentions due off their index order
	index_bucket = 'ixb:',       -- zset: one bucket of an index
	index_directory = 'ixd:',    -- zset: an index's buckets
	index_counts = 'ixn',        -- hash: members per index
	index_sequence = 'ixq',      -- string: the last bucket number
	index_policies = 'ixp',      -- set: the policies used in indexes
	first_layout_index = 'ix:',  -- zset: an index of the first layout (migrate)
	conversation = 'cv:',        -- zset: a conversation's open mentions
	orphan_reply = 'or:',        -- string: a reply before its mention (TTL)
	events = 'ev',               -- stream: the event log and alert outbox
	replies = 'rs',              -- stream: the reply log
	counters = 'cnt',            -- hash: counters
	cursors = 'cur',             -- hash: a polled source's cursors and down flag
	lease = 'lease',             -- string: the owner "INSTANCE:EPOCH" (lease.lua)
	lease_counter = 'lease-n',   -- string: the fencing token, INCR per acquire
}

-- The fence check of the owner-only scripts (cursor write, source, repeats):
-- true when token (the decimal string the daemon got from rw_cluster_fence)
-- is the source's current fencing token, i.e. no other acquire of the lease
-- happened since the caller's. A script refuses a stale call before writing
-- anything: if not fence_ok(KEYS[1], ARGV[n]) then
-- return redis.error_reply('FENCED') end. An empty or missing token is never
-- current (the counter starts at 1).
local function fence_ok(base, token)
	if type(token) ~= 'string' or token == '' then return false end
	return redis.call('GET', base .. KEY.lease_counter) == token
end

local LH_LOAD = 40
local IX_MAX = 120

-- Record fields kept as integers when their text is one, and those stored
-- relative to "c" (created_at), which is smaller to pack. The relative ones
-- are packed under their lower-case names, so no record field may be named
-- "w", "b" or "x".
local INTEGER_FIELD = { c = true, W = true, B = true, X = true, y = true, f = true, g = true,
	ra = true, rw = true, rb = true, fe = true, fw = true, fb = true }
local RELATIVE_FIELD = { W = true, B = true, X = true }

local function canonical_int(v)
	if type(v) ~= 'string' or #v > 15 then return nil end
	if v == '0' or string.match(v, '^-?[1-9]%d*$') then return tonumber(v) end
	return nil
end

local function int_text(n) return string.format('%d', n) end

-- A record (field -> text) as the packed string stored in a bucket.
local function record_pack(rec)
	local c = canonical_int(rec.c)
	local flat = {}
	for f, v in pairs(rec) do
		local n = INTEGER_FIELD[f] and canonical_int(v)
		if n and RELATIVE_FIELD[f] and c then
			-- Tagged by the field name's case: "w" is W - c.
			f = string.lower(f)
			n = n - c
		end
		flat[#flat + 1] = f
		flat[#flat + 1] = n or v
	end
	return cmsgpack.pack(flat)
end

-- The packed string as a flat field/value list of texts.
local function record_unpack(packed)
	local flat = cmsgpack.unpack(packed)
	local c = nil
	for i = 1, #flat, 2 do
		if flat[i] == 'c' then c = flat[i + 1] end
	end
	local out = {}
	for i = 1, #flat, 2 do
		local f, v = flat[i], flat[i + 1]
		if f == 'w' or f == 'b' or f == 'x' then
			f = string.upper(f)
			v = v + c
		end
		out[#out + 1] = f
		out[#out + 1] = type(v) == 'number' and int_text(v) or v
	end
	return out
end

local function flat_to_map(flat)
	local m = {}
	for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
	return m
end

-- Linear hashing of open records ------------------------------------------

local id_hash_memo = {}

local function id_hash(id)
	local h = id_hash_memo[id]
	if not h then
		h = tonumber(string.sub(redis.sha1hex(id), 1, 8), 16)
		id_hash_memo[id] = h
	end
	return h
end

local lh_cache = {}

local function lh_state(base)
	local s = lh_cache[base]
	if not s then
		local v = redis.call('HMGET', base .. KEY.open_hashing, 'L', 'sp', 'n')
		s = { L = tonumber(v[1]) or 0, sp = tonumber(v[2]) or 0, n = tonumber(v[3]) or 0 }
		lh_cache[base] = s
	end
	return s
end

local function lh_bucket_of(s, h)
	local a = h % (2 ^ s.L)
	if a < s.sp then a = h % (2 ^ (s.L + 1)) end
	return a
end

local function open_bucket_key(base, id)
	return base .. KEY.open_bucket .. int_text(lh_bucket_of(lh_state(base), id_hash(id)))
end

-- Splits the bucket at the split pointer in two and moves the pointer on.
local function lh_split(base, s)
	local from = base .. KEY.open_bucket .. int_text(s.sp)
	local to = base .. KEY.open_bucket .. int_text(s.sp + 2 ^ s.L)
	local wide = 2 ^ (s.L + 1)
	-- Only the moving half's values are read.
	local ids = {}
	for _, id in ipairs(redis.call('HKEYS', from)) do
		if id_hash(id) % wide ~= s.sp then ids[#ids + 1] = id end
	end
	if #ids > 0 then
		local values = redis.call('HMGET', from, unpack(ids))
		local moving = {}
		for i, id in ipairs(ids) do
			moving[#moving + 1] = id
			moving[#moving + 1] = values[i]
		end
		redis.call('HSET', to, unpack(moving))
	end
	s.sp = s.sp + 1
	if s.sp == 2 ^ s.L then
		s.L = s.L + 1
		s.sp = 0
	end
	-- The new addressing is stored before the moved records leave: a call
	-- cut short here (out of memory) leaves a stale copy, never a lost one.
	redis.call('HSET', base .. KEY.open_hashing, 'L', int_text(s.L), 'sp', int_text(s.sp))
	if #ids > 0 then redis.call('HDEL', from, unpack(ids)) end
end

local function lh_count(base, delta)
	local s = lh_state(base)
	s.n = s.n + delta
	if delta > 0 and s.n > LH_LOAD * (2 ^ s.L + s.sp) then lh_split(base, s) end
	s.dirty = true
end

-- Writes this call's change of the open-record count (splits write their
-- addressing at once). Every script that stores records calls it before
-- returning; a count left behind by a failed call only delays a split.
local function layout_flush()
	for base, s in pairs(lh_cache) do
		if s.dirty then
			redis.call('HSET', base .. KEY.open_hashing, 'n', int_text(s.n))
			s.dirty = false
		end
	end
end

-- Records ------------------------------------------------------------------

-- The record of id as a flat field/value list, {} when unknown; and where it
-- is: 'open', 'key' or nil.
local function record_get(base, id)
	local packed = redis.call('HGET', open_bucket_key(base, id), id)
	if packed then return record_unpack(packed), 'open' end
	local flat = redis.call('HGETALL', base .. KEY.resolved .. id)
	if #flat > 0 then return flat, 'key' end
	return flat, nil
end

local function record_exists(base, id)
	if redis.call('HEXISTS', open_bucket_key(base, id), id) == 1 then return true end
	return redis.call('EXISTS', base .. KEY.resolved .. id) == 1
end

-- Stores rec (field -> text) for id: in its bucket while open, else as its own
-- hash, moving it from wherever it was ('where' as record_get said).
local function record_put(base, id, rec, open, where)
	if open then
		local added = redis.call('HSET', open_bucket_key(base, id), id, record_pack(rec))
		if where == 'key' then redis.call('DEL', base .. KEY.resolved .. id) end
		if added == 1 then lh_count(base, 1) end
	else
		if where == 'open' then
			redis.call('HDEL', open_bucket_key(base, id), id)
			lh_count(base, -1)
		end
		local flat = {}
		for f, v in pairs(rec) do
			flat[#flat + 1] = f
			flat[#flat + 1] = v
		end
		redis.call('HSET', base .. KEY.resolved .. id, unpack(flat))
	end
end

-- Indexes ------------------------------------------------------------------

local function ix_dir(base, st, p) return base .. KEY.index_directory .. st .. ':' .. p end
local function ix_bucket(base, st, p, bid) return base .. KEY.index_bucket .. st .. ':' .. p .. ':' .. bid end

-- The bucket that holds (or would hold) score: the one with the greatest
-- start at or below it, else the first. nil when the index is empty.
local function ix_locate(dir, score)
	local r = redis.call('ZREVRANGEBYSCORE', dir, score, '-inf', 'LIMIT', 0, 1)
	if #r == 0 then r = redis.call('ZRANGE', dir, 0, 0) end
	return r[1]
end

-- Moves the upper half of a full bucket to a new one: the members from the
-- median's score up, or, when that is the least score, those above it.
-- Members of one score stay together, so a bucket of one score cannot split
-- (it just grows, and each further insert costs a few lookups here).
local function ix_split(base, st, p, dir, key)
	local n = redis.call('ZCARD', key)
	local mid = tonumber(redis.call('ZRANGE', key, math.floor(n / 2), math.floor(n / 2),
		'WITHSCORES')[2])
	local cut = mid
	if redis.call('ZCOUNT', key, '-inf', '(' .. int_text(mid)) == 0 then
		local above = redis.call('ZRANGEBYSCORE', key, '(' .. int_text(mid), '+inf',
			'WITHSCORES', 'LIMIT', 0, 1)
		if #above == 0 then return end
		cut = tonumber(above[2])
	end
	local rows = redis.call('ZRANGEBYSCORE', key, cut, '+inf', 'WITHSCORES')
	local bid = int_text(redis.call('INCR', base .. KEY.index_sequence))
	local to = ix_bucket(base, st, p, bid)
	for first = 1, #rows, 512 do -- unpack() takes a few thousand values at most
		local args = {}
		for i = first, math.min(first + 511, #rows), 2 do
			args[#args + 1] = rows[i + 1]
			args[#args + 1] = rows[i]
		end
		redis.call('ZADD', to, unpack(args))
	end
	redis.call('ZREMRANGEBYSCORE', key, cut, '+inf')
	redis.call('ZADD', dir, cut, bid)
end

local function ix_add(base, st, p, score, id)
	local dir = ix_dir(base, st, p)
	local r = redis.call('ZREVRANGEBYSCORE', dir, score, '-inf', 'LIMIT', 0, 1)
	local bid = r[1]
	if not bid then
		-- Below every bucket: the first one widens, or the index begins.
		bid = redis.call('ZRANGE', dir, 0, 0)[1] or int_text(redis.call('INCR', base .. KEY.index_sequence))
		redis.call('ZADD', dir, score, bid)
	end
	local key = ix_bucket(base, st, p, bid)
	if redis.call('ZADD', key, score, id) == 1 then
		redis.call('HINCRBY', base .. KEY.index_counts, st .. ':' .. p, 1)
		if redis.call('ZCARD', key) > IX_MAX then ix_split(base, st, p, dir, key) end
	end
end

local function ix_remove(base, st, p, score, id)
	local dir = ix_dir(base, st, p)
	local bid = ix_locate(dir, score)
	if not bid then return end
	local key = ix_bucket(base, st, p, bid)
	if redis.call('ZREM', key, id) == 1 then
		redis.call('HINCRBY', base .. KEY.index_counts, st .. ':' .. p, -1)
		if redis.call('EXISTS', key) == 0 then redis.call('ZREM', dir, bid) end
	end
end

local function ix_count(base, st, p)
	return tonumber(redis.call('HGET', base .. KEY.index_counts, st .. ':' .. p)) or 0
end

-- Up to limit members {score, id} in (score, id) order, after the cursor
-- (after_ms, after_id) when after_ms is given.
local function ix_range(base, st, p, after_ms, after_id, limit)
	local dir = ix_dir(base, st, p)
	local out = {}
	local start = 0
	if after_ms then
		local bid = ix_locate(dir, after_ms)
		if not bid then return out end
		start = redis.call('ZRANK', dir, bid)
	end
	while #out < limit do
		local bids = redis.call('ZRANGE', dir, start, start + 7)
		if #bids == 0 then break end
		for _, bid in ipairs(bids) do
			local key = ix_bucket(base, st, p, bid)
			if after_ms then
				-- Members at the cursor's instant sort by id after it.
				for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, after_ms, after_ms)) do
					if id > after_id and #out < limit then out[#out + 1] = { after_ms, id } end
				end
			end
			local rows
			if after_ms then
				rows = redis.call('ZRANGEBYSCORE', key, '(' .. int_text(after_ms), '+inf',
					'WITHSCORES', 'LIMIT', 0, limit - #out)
			else
				rows = redis.call('ZRANGE', key, 0, limit - #out - 1, 'WITHSCORES')
			end
			for j = 1, #rows, 2 do
				if #out == limit then break end
				out[#out + 1] = { tonumber(rows[j + 1]), rows[j] }
			end
			if #out == limit then break end
		end
		start = start + #bids
	end
	return out
end
