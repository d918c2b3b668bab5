/*
 * fuzz_config: the configuration loaded from a JSON text
 * (rw_config_load_string), as replywatchd --check-config and a reload do.
 * A load gives a config or error lines, never both, and no line may be
 * text a log or JSON cannot hold.
 *
 * Secrets: the environment is emptied but for two variables the seeds use,
 * and CREDENTIALS_DIRECTORY is unset, so env: and cred: references cannot
 * reach anything else. file: references still read files (read only,
 * regular files, size-capped by secret.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "replywatch/config.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (clearenv() != 0 || setenv("RW_FUZZ_TOKEN", "fuzz-token", 1) != 0 ||
	    setenv("RW_FUZZ_EMPTY", "", 1) != 0 || setenv("TZ", "UTC", 1) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;
	char *text = rw_fuzz_string(data, size);

	if (text == NULL)
		return 0;
	cfg = rw_config_load_string(text, "fuzz.json", &errs);
	RW_FUZZ_CHECK((cfg == NULL) == (errs.n > 0));
	for (size_t i = 0; i < errs.n; i++)
		RW_FUZZ_CHECK(errs.lines[i] != NULL && rw_fuzz_text_ok(errs.lines[i]));
	if (cfg != NULL) {
		for (size_t i = 0; i < cfg->npolicies; i++)
			RW_FUZZ_CHECK(cfg->policies[i].breach_after > 0);
		for (size_t i = 0; i < cfg->nsources; i++)
			RW_FUZZ_CHECK(rw_config_find_source(cfg, cfg->sources[i].name) ==
				      &cfg->sources[i]);
	}
	rw_config_free(cfg);
	rw_config_errors_clear(&errs);
	free(text);
	return 0;
}
