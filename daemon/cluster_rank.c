/*
 * cluster_rank.c: rendezvous hashing and instance ids (cluster.h).
 *
 * Each (key, member) pair gets a score from SHA-256; the member with the
 * highest score owns the key. Removing a member moves only the keys it
 * ranked first for; adding one takes about 1/N of them from the others.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cluster_internal.h"

uint64_t
rw_cluster_score(const char *key, const char *id)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t score = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* SHA-256 cannot fail on valid input; an allocation failure scores 0
	 * (every member equal: the smaller id wins, still deterministic). */
	if (ctx == NULL)
		return 0;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, key, strlen(key) + 1) == 1 && /* with its NUL */
	    EVP_DigestUpdate(ctx, id, strlen(id)) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 8) {
		for (int i = 0; i < 8; i++)
			score = score << 8 | md[i];
	}
	EVP_MD_CTX_free(ctx);
	return score;
}

size_t
rw_cluster_first(const char *key, const char *const *ids, size_t n)
{
	size_t best = 0;
	uint64_t best_score = rw_cluster_score(key, ids[0]);

	for (size_t i = 1; i < n; i++) {
		uint64_t sc = rw_cluster_score(key, ids[i]);

		if (sc > best_score || (sc == best_score && strcmp(ids[i], ids[best]) < 0)) {
			best = i;
			best_score = sc;
		}
	}
	return best;
}

void
cl_rank(struct rw_cluster *c, struct cl_source *s)
{
	uint64_t s1 = 0, s2 = 0;
	const char *a = NULL, *b = NULL;

	for (size_t i = 0; i < c->nmembers; i++) {
		const char *id = c->members[i].id;
		uint64_t sc = rw_cluster_score(s->name, id);

		/* Members are sorted by id, so on a tie the earlier (smaller) one
		 * stays ahead. */
		if (a == NULL || sc > s1) {
			b = a;
			s2 = s1;
			a = id;
			s1 = sc;
		} else if (b == NULL || sc > s2) {
			b = id;
			s2 = sc;
		}
	}
	snprintf(s->first, sizeof(s->first), "%s", a ? a : "");
	snprintf(s->second, sizeof(s->second), "%s", b ? b : "");
}

static bool
id_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

bool
rw_cluster_id_valid(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return false;
	for (; id[n] != '\0'; n++)
		if (n >= RW_CLUSTER_ID_MAX || !id_char(id[n]))
			return false;
	return n > 0;
}

const char *
rw_cluster_default_id(int port, char *buf, size_t len)
{
	char host[256] = "", tail[16];
	size_t keep, room;

	if (len == 0)
		return buf;
	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "replywatch");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p != '\0'; p++)
		if (!id_char(*p))
			*p = '-';
	snprintf(tail, sizeof(tail), "-%d", port);
	room = (len - 1 < RW_CLUSTER_ID_MAX ? len - 1 : RW_CLUSTER_ID_MAX);
	keep = strlen(tail) < room ? room - strlen(tail) : 0;
	snprintf(buf, len, "%.*s%s", (int)keep, host, tail);
	return buf;
}
