/*
 * scripts: the Lua scripts of daemon/lua/, embedded at build time.
 *
 * A line "-- include NAME.lua" in a script is replaced at build time by
 * daemon/lua/lib/NAME.lua: bodies here are complete, as Redis runs them.
 * The table ends with an entry whose name is NULL. The store module loads
 * each script on every connect and calls it by SHA1 (EVALSHA), falling back
 * to EVAL with the body on NOSCRIPT.
 */
#ifndef REPLYWATCH_SCRIPTS_H
#define REPLYWATCH_SCRIPTS_H

#include <stddef.h>

struct rw_lua_script {
	const char *name; /* the file's stem: daemon/lua/ping.lua -> "ping" */
	const char *body; /* NUL-terminated */
	size_t len;       /* without the NUL */
};

extern const struct rw_lua_script rw_lua_scripts[];
extern const unsigned rw_lua_script_count;

#endif
