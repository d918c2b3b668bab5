/*
 * fake_meta_guard: what the fake Graph API (fake_meta.c) checks before it
 * answers a list call, and the usage figures a test sets (docs/fakes.md):
 *
 *   POST /_fake/meta/require_proof {"app_secret": S}   every call must carry
 *       appsecret_proof = hex HMAC-SHA256(token, key S) ("Require App
 *       Secret"); a missing or wrong one is Graph's 400 code 100 that names
 *       appsecret_proof. S absent or "": not required (the default).
 *   POST /_fake/meta/usage {"app": PCT, "business": PCT, "regain": MIN}
 *       every answer carries X-App-Usage with call_count PCT and
 *       X-Business-Use-Case-Usage with call_count PCT and
 *       estimated_time_to_regain_access MIN instead of the window's own
 *       figures (a figure left out: the window's); at 100 % the first call
 *       is answered (its headers say 100) and every later one is throttled
 *       (400, code 80001), as Graph does.
 *
 * State lives in statics, used under the fake's lock (its hooks get no
 * platform state), reset by /_fake/reset.
 */
#ifndef FAKE_META_GUARD_H
#define FAKE_META_GUARD_H

#include <jansson.h>
#include <stdbool.h>

#include "fake.h"

/* Handles the control calls above: true when what is one of them. */
bool fake_meta_guard_control(const char *what, json_t *body, struct fake_resp *resp);
/* True when req (whose token, already checked, is token) must be refused:
 * resp holds Graph's error then. */
bool fake_meta_guard_refuse(const char *token, const struct fake_req *req, struct fake_resp *resp);
/* Adds the usage headers a test set: true when it did. */
bool fake_meta_guard_headers(struct fake_resp *r);
/* Back to the defaults. */
void fake_meta_guard_reset(void);

#endif
