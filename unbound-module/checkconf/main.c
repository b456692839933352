/* mxguard-unbound-checkconf: reads the Unbound module's configuration file with the module's own
 * parser (module_config.c, linked in unchanged) and says whether the module would accept it, so
 * that an operator can check an edit before `unbound-control reload`. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "module_config.h"
#include "mxguard/version.h"

#define PROG "mxguard-unbound-checkconf"

static void usage(FILE *out)
{
	fprintf(out, "usage: " PROG " [-v] [FILE] | --version\n"
		     "  checks FILE (default: $" MODULE_CONFIG_ENV ", else " MODULE_CONFIG_DEFAULT
		     ") as mxguard.so reads it;\n"
		     "  -v also prints the settings the module would run with\n");
}

static void print_settings(const struct module_config *c)
{
	static const char *const sev[] = { "info", "warning", "error", "critical" };
	char buf[64];
	int any = 0;

	for (int s = MXG_SEV_INFO; s <= MXG_SEV_CRITICAL; s++)
		printf("actions_%s = %s\n", sev[s], module_actions_text(c->actions[s], buf, sizeof(buf)));
	printf("ignore =");
	for (int i = 0; i < MXG_F__COUNT; i++) {
		if (!c->ignore[i])
			continue;
		printf(" %s", mxg_finding_info((enum mxg_finding_code)i)->name);
		any = 1;
	}
	printf("%s\n", any ? "" : " none");
	printf("max_targets = %u\nmax_wait = %lums\nverdict_cache_size = %lu\n", c->max_targets,
	       c->max_wait_ms, c->verdict_cache_size);
	printf("metrics_file = %s\nmetrics_interval = %lums\n", c->metrics_file,
	       c->metrics_interval_ms);
}

/* With no FILE and no variable, a missing default file is what the module accepts: defaults. */
static int default_absent(const char *path, int named, int given)
{
	struct stat st;

	return !given && !named && stat(path, &st) < 0;
}

int main(int argc, char **argv)
{
	struct module_config c;
	char err[1024];
	const char *path;
	int verbose = 0, named = 0, i = 1;

	if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--version") == 0) {
		printf(PROG " %s\n", MXG_VERSION);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	if (argc - i > 1 || (i < argc && argv[i][0] == '-')) {
		usage(stderr);
		return 2;
	}
	path = i < argc ? argv[i] : module_config_path(&named);
	if (default_absent(path, named, i < argc)) {
		module_config_defaults(&c);
		printf("%s: absent: the module runs with its built-in defaults\n", path);
	} else if (module_config_load_file(&c, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (verbose)
		print_settings(&c);
	printf("%s: OK\n", path);
	return 0;
}
