/*
 * json_map_internal.h: the value readers json_map.c uses for each field of
 * an item (json_map_value.c). Each returns RW_JM_OK with the value, or says
 * why not in why (one short phrase, no data beyond 40 bytes of a token).
 */
#ifndef REPLYWATCH_JSON_MAP_INTERNAL_H
#define REPLYWATCH_JSON_MAP_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/item.h"
#include "replywatch/sources/json_map.h"

/* Room for a reason. */
#define RW_JM_WHY 256

enum rw_jm {
	RW_JM_OK,     /* a usable value */
	RW_JM_ABSENT, /* the pointer finds nothing, or null: an optional field is unset */
	RW_JM_BAD,    /* a value that cannot be used (wrong type, out of range) */
};

/* The value of ptr in item: RW_JM_OK with *v (borrowed), RW_JM_ABSENT when
 * the pointer fails (why: which token) or finds null (why: "null"). */
enum rw_jm rw_jm_get(const struct rw_jsonptr *ptr, const json_t *item, const json_t **v, char *why);

/* An id-like value (a non-empty string without NUL bytes, or an integer as
 * decimal) that rw_item_id_valid accepts, copied into buf (RW_ITEM_ID_MAX
 * + 1 bytes). "" reads as RW_JM_ABSENT. */
enum rw_jm rw_jm_id(const json_t *v, char *buf, char *why);

/* A string value (another type is RW_JM_BAD); "" reads as RW_JM_ABSENT. */
enum rw_jm rw_jm_string(const json_t *v, const char **out, char *why);

/* A time per fmt into *ms (1 ms to RW_TIME_MAX_MS). */
enum rw_jm rw_jm_time(const json_t *v, enum rw_json_time fmt, int64_t *ms, char *why);

/* An integer (or a string of digits) from min to max. */
enum rw_jm rw_jm_int(const json_t *v, int64_t min, int64_t max, int64_t *out, char *why);

#endif
