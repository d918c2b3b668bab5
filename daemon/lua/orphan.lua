-- orphan: remembers a brand reply to an item not tracked yet (it may arrive
-- later: polls overlap, push clients send replies first). The first reply
-- seen wins; later ones never move it.
-- KEYS[1]: the source's base. ARGV[1]: the id replied to, ARGV[2]: "MS|REPLY_ID",
-- ARGV[3]: how long to remember it (ms).
-- Returns 1 when stored, 0 when a reply was already remembered.
-- include layout.lua
local key = KEYS[1] .. KEY.orphan_reply .. ARGV[1]
if redis.call('SET', key, ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
