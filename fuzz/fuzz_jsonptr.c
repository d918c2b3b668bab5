/*
 * fuzz_jsonptr: RFC 6901 pointers (jsonptr.h). The input is a pointer, a
 * newline, then a JSON document. A pointer compiles exactly when it is
 * valid; its tokens escaped again give back the text; evaluating it either
 * finds a value inside the document or says which token failed.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/jsonptr.h"

/* The tokens of p escaped again ("~" as "~0", "/" as "~1") equal p->text. */
static void
check_round_trip(const struct rw_jsonptr *p)
{
	size_t len = strlen(p->text), o = 0;
	char *back = malloc(2 * len + 1);

	if (back == NULL)
		return;
	for (size_t i = 0; i < p->ntokens; i++) {
		back[o++] = '/';
		for (const char *c = p->tokens[i]; *c != '\0'; c++) {
			if (*c == '~' || *c == '/') {
				back[o++] = '~';
				back[o++] = *c == '~' ? '0' : '1';
			} else {
				back[o++] = *c;
			}
		}
	}
	back[o] = '\0';
	RW_FUZZ_CHECK(strcmp(back, p->text) == 0);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = rw_fuzz_string(data, size), *nl, err[256];
	struct rw_jsonptr p;
	json_t *doc, *v;
	bool valid;

	if (text == NULL)
		return 0;
	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	valid = rw_jsonptr_valid(text, err, sizeof(err));
	RW_FUZZ_CHECK(valid || err[0] != '\0');
	if (rw_jsonptr_compile(&p, text, err, sizeof(err)) != 0) {
		RW_FUZZ_CHECK(!valid && p.text == NULL && p.ntokens == 0);
		free(text);
		return 0;
	}
	RW_FUZZ_CHECK(valid && rw_jsonptr_set(&p));
	check_round_trip(&p);
	doc = nl != NULL ? json_loads(nl + 1, JSON_DECODE_ANY, NULL) : NULL;
	err[0] = '\0';
	v = rw_jsonptr_get(&p, doc, err, sizeof(err));
	RW_FUZZ_CHECK(v != NULL || strncmp(err, "token ", 6) == 0 || doc == NULL);
	RW_FUZZ_CHECK(v == NULL || p.ntokens > 0 || v == doc);
	json_decref(doc);
	rw_jsonptr_clear(&p);
	free(text);
	return 0;
}
