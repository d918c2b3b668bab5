/*
 * secret.c: secret references (env:, file:, cred:, literal) and the values
 * they resolve to. A value lives in one heap buffer that is wiped before it is
 * freed; error messages name where a value was looked for, never the value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "replywatch/secret.h"

/* A secret file larger than this is a mistake (a wrong path), not a key. */
#define SECRET_FILE_MAX (1024 * 1024)

struct rw_secret {
	char *value; /* NUL-terminated, wiped on free */
	size_t len;
	char *origin; /* "env:NAME", "file:PATH", "cred:NAME" or "literal" */
};

/* Wipes and frees a buffer of len bytes that may hold secret material. */
static void
wipe_free(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/*
 * Takes ownership of value (len bytes plus a NUL) and copies origin. On
 * failure value is wiped and freed, so callers never clean up after this.
 */
static struct rw_secret *
secret_new(char *value, size_t len, const char *origin)
{
	struct rw_secret *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->origin = strdup(origin)) == NULL) {
		free(s);
		wipe_free(value, len + 1);
		return NULL;
	}
	s->value = value;
	s->len = len;
	return s;
}

/* A secret holding a copy of value, labelled origin. NULL when out of memory. */
static struct rw_secret *
secret_copy(const char *value, const char *origin)
{
	size_t len = strlen(value);
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, value, len + 1);
	return secret_new(copy, len, origin);
}

struct rw_secret *
rw_secret_from_literal(const char *value)
{
	return secret_copy(value, "literal");
}

/*
 * Reads the whole of fd into a new NUL-terminated buffer. Every intermediate
 * buffer is wiped before it is released, as it holds part of the secret.
 * Returns the buffer and its length, or NULL with errno set (EFBIG when the
 * file is over SECRET_FILE_MAX).
 */
static char *
read_all(int fd, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *bigger;

			if (cap >= SECRET_FILE_MAX) {
				wipe_free(buf, cap);
				errno = EFBIG;
				return NULL;
			}
			if ((bigger = malloc(cap * 2)) == NULL) {
				wipe_free(buf, cap);
				return NULL;
			}
			memcpy(bigger, buf, len);
			wipe_free(buf, cap);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int saved = errno;

			wipe_free(buf, cap);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * Reads a secret file: what cannot be opened, is not a regular file, is too
 * big or holds a NUL byte is an error naming the path. One trailing "\n" or
 * "\r\n" is dropped (editors add one). label is how errors name the file.
 */
static struct rw_secret *
resolve_file(const char *path, const char *label, const char *origin, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", label, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot read %s: %s", label, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: %s", label,
			 S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return NULL;
	}
	buf = read_all(fd, &len);
	if (buf == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", label,
			 errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
		close(fd);
		return NULL;
	}
	close(fd);
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
		buf[len] = '\0';
	}
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s holds a NUL byte", label);
		wipe_free(buf, len + 1);
		return NULL;
	}
	if (len == 0) {
		snprintf(err, errlen, "%s is empty", label);
		wipe_free(buf, len + 1);
		return NULL;
	}
	return secret_new(buf, len, origin);
}

/* "env:NAME": the variable must be set and non-empty. */
static struct rw_secret *
resolve_env(const char *name, const char *ref, char *err, size_t errlen)
{
	struct rw_secret *s;
	const char *value;

	if (*name == '\0' || strchr(name, '=') != NULL) {
		snprintf(err, errlen, "\"env:\" needs the name of an environment variable");
		return NULL;
	}
	if ((value = getenv(name)) == NULL) {
		snprintf(err, errlen, "environment variable %s is not set", name);
		return NULL;
	}
	if (*value == '\0') {
		snprintf(err, errlen, "environment variable %s is empty", name);
		return NULL;
	}
	if ((s = secret_copy(value, ref)) == NULL)
		snprintf(err, errlen, "out of memory");
	return s;
}

/* "file:PATH": an absolute path, so the meaning does not depend on the cwd. */
static struct rw_secret *
resolve_path(const char *path, const char *ref, char *err, size_t errlen)
{
	if (path[0] != '/') {
		snprintf(err, errlen, "\"file:\" needs an absolute path");
		return NULL;
	}
	return resolve_file(path, path, ref, err, errlen);
}

/*
 * "cred:NAME": the file NAME in $CREDENTIALS_DIRECTORY. NAME is a file name,
 * never a path, so a credential cannot point outside that directory.
 */
static struct rw_secret *
resolve_cred(const char *name, const char *ref, char *err, size_t errlen)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096], label[512];

	if (*name == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		snprintf(err, errlen, "\"cred:\" needs a credential name (a file name, no \"/\")");
		return NULL;
	}
	if (dir == NULL || *dir == '\0') {
		snprintf(err, errlen,
			 "credential \"%.200s\" needs $CREDENTIALS_DIRECTORY (set by systemd "
			 "LoadCredential=)",
			 name);
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "credential \"%.200s\": path too long", name);
		return NULL;
	}
	snprintf(label, sizeof(label), "credential \"%.200s\" (%.250s)", name, path);
	return resolve_file(path, label, ref, err, errlen);
}

struct rw_secret *
rw_secret_resolve(const char *ref, char *err, size_t errlen)
{
	struct rw_secret *s;

	if (ref == NULL || *ref == '\0') {
		snprintf(err, errlen, "must not be empty");
		return NULL;
	}
	if (strncmp(ref, "env:", 4) == 0)
		return resolve_env(ref + 4, ref, err, errlen);
	if (strncmp(ref, "file:", 5) == 0)
		return resolve_path(ref + 5, ref, err, errlen);
	if (strncmp(ref, "cred:", 5) == 0)
		return resolve_cred(ref + 5, ref, err, errlen);
	if ((s = rw_secret_from_literal(ref)) == NULL)
		snprintf(err, errlen, "out of memory");
	return s;
}

const char *
rw_secret_value(const struct rw_secret *s)
{
	return s->value;
}

size_t
rw_secret_len(const struct rw_secret *s)
{
	return s->len;
}

const char *
rw_secret_origin(const struct rw_secret *s)
{
	return s->origin;
}

/*
 * CRYPTO_memcmp's time depends only on its length argument. When the lengths
 * differ the candidate is compared with itself, so a wrong length costs the
 * same time as a wrong value of the right length.
 */
bool
rw_secret_matches(const struct rw_secret *s, const char *candidate, size_t len)
{
	int same_len;

	if (s == NULL || (candidate == NULL && len > 0))
		return false;
	if (len == 0)
		return s->len == 0;
	same_len = len == s->len;
	if (!same_len) {
		(void)CRYPTO_memcmp(candidate, candidate, len);
		return false;
	}
	return CRYPTO_memcmp(s->value, candidate, len) == 0;
}

bool
rw_secret_equal(const struct rw_secret *a, const struct rw_secret *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->len != b->len)
		return false;
	return a->len == 0 || CRYPTO_memcmp(a->value, b->value, a->len) == 0;
}

void
rw_secret_free(struct rw_secret *s)
{
	if (s == NULL)
		return;
	wipe_free(s->value, s->len + 1);
	free(s->origin);
	free(s);
}
