/*
 * allegro: the Allegro marketplace connector's shared facts (media types,
 * the seller the source signs in as) and its pure parsers (sources/allegro.c
 * polls; sources/allegro_parse.c parses; docs/connectors.md "Allegro").
 *
 * The connector's state is made by the connector (state_new) and read by the
 * other Allegro streams (allegro_msg.h) through the getters below.
 */
#ifndef REPLYWATCH_SOURCES_ALLEGRO_H
#define REPLYWATCH_SOURCES_ALLEGRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_page;
struct rw_poll;

/* The media types Allegro answers in: every request carries one as its
 * Accept header (406 otherwise); public v1 unless a stream says beta. */
#define RW_ALLEGRO_ACCEPT_V1 "application/vnd.allegro.public.v1+json"
#define RW_ALLEGRO_ACCEPT_BETA "application/vnd.allegro.beta.v1+json"

/* The seller's account id and login from GET /me (read once per process at
 * the first sign-in), borrowed from the connector state; NULL before the
 * first sign-in or when state is NULL. */
const char *rw_allegro_seller_id(const void *state);
const char *rw_allegro_seller_login(const void *state);

/* Chooses the Accept header of the poll's next requests (one of the two
 * media types above; anything else is taken as v1). A stream's page_url
 * sets it before its request; the ratings stream and the sign-in use v1. */
void rw_allegro_use_accept(struct rw_poll *poll, const char *media_type);

/* ---- parsers (allegro_parse.c): pure, no I/O ---- */

/* Rating ids are 24 hex digits today; kept as opaque strings of letters,
 * digits and "-_" up to this length. */
#define RW_ALLEGRO_ID_MAX 128
bool rw_allegro_id_valid(const char *id);

/* GET /me: {"id": "...", "login": "...", ...}. Sets *id and *login (caller
 * frees both). Returns 0, or -1 with err ("me: not a JSON object",
 * "me: no id", "me: no login", "out of memory"); nothing allocated then. */
int rw_allegro_parse_me(const char *body, size_t len, char **id, char **login, char *err,
			size_t errlen);

/* The rating a buyer's UserRating becomes (docs/connectors.md "Allegro"):
 * the rounded mean of the rates given (delivery, deliveryCost, description,
 * service: each 1-5) when there are any; else recommended true -> 5,
 * false -> 1; 0 when neither can be read. */
int rw_allegro_rating_of(const void *rating_json);

/* GET /sale/user-ratings: {"ratings": [...]} newest lastChangedAt first,
 * into page (zeroed first): each rating a review item (kind review, rating
 * above, created at createdAt, author the buyer's login, text the comment,
 * url the seller's ratings page) and, when it has an answer, the brand
 * reply "ID/reply" at answer.createdAt. The page's times are lastChangedAt.
 * Returns 0, or -1 with err (page zeroed). */
int rw_allegro_parse_ratings(const char *body, size_t len, struct rw_page *page, char *err,
			     size_t errlen);
/* GET /sale/user-ratings/{id}: one UserRating, as above. */
int rw_allegro_parse_rating(const char *body, size_t len, struct rw_page *page, char *err,
			    size_t errlen);

/* ---- the stored credential (allegro_auth.c; also replywatchd --authorize) ---- */

/* The key of the secret a source keeps in Redis ("PREFIX{SOURCE}:auth",
 * keys.h). */
#define RW_ALLEGRO_SECRET_NAME RW_KEY_CREDENTIAL
#define RW_ALLEGRO_TOKEN_URL "https://allegro.pl/auth/oauth/token"
#define RW_ALLEGRO_DEVICE_URL "https://allegro.pl/auth/oauth/device"
/* A refresh token lives 3 months from when it was issued; /status warns a
 * week before. */
#define RW_ALLEGRO_REFRESH_LIFETIME_MS (90LL * 86400 * 1000)
#define RW_ALLEGRO_REFRESH_WARN_MS (7LL * 86400 * 1000)

/* The plaintext sealed in Redis: {"refresh_token": T, "rotated_at": MS}.
 * Returns it (a secret: caller wipes and frees with rw_vault_wipe_free), or
 * NULL when out of memory. */
char *rw_allegro_record(const char *refresh_token, int64_t rotated_ms);
/* Reads a record: *refresh_token (a secret: caller wipes and frees) and
 * *rotated_ms. Returns 0, or -1 when it is not one. */
int rw_allegro_record_parse(const char *text, size_t len, char **refresh_token,
			    int64_t *rotated_ms);
/* The refresh_token of a token endpoint's 2xx answer (a secret: caller
 * wipes and frees), or NULL when it has none usable (printable ASCII, at
 * most 16 KiB). */
char *rw_allegro_new_refresh_token(const char *body, size_t len);
/* Wipes and frees a NUL-terminated secret; NULL is fine. */
void rw_allegro_secret_free(char *s);

/* The link a seller opens to see a rating: Allegro has no page per rating,
 * so every item links to the seller's ratings list in the seller panel. */
#define RW_ALLEGRO_RATINGS_URL "https://allegro.pl/moje-allegro/sprzedaz/oceny-i-komentarze"

#endif
