/* Shared pieces of the YAML-driven conformance runners: node look-ups, TXT RDATA, and the
 * loop over a suite file's scenarios and their tests. */
#include "suite_yaml.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/dns.h"

yaml_node_t *suite_node(yaml_document_t *d, int id)
{
	return yaml_document_get_node(d, id);
}

int suite_scalar_is(yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

const char *suite_text(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *suite_map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		if (suite_scalar_is(suite_node(d, p->key), key))
			return suite_node(d, p->value);
	return NULL;
}

int suite_txt_strings(const uint8_t *s, size_t len, uint8_t *rd, size_t *rdlen, size_t cap)
{
	do {
		size_t n = len > 255 ? 255 : len;
		if (*rdlen + 1 + n > cap)
			return -1;
		rd[(*rdlen)++] = (uint8_t)n;
		memcpy(rd + *rdlen, s, n);
		*rdlen += n;
		s += n;
		len -= n;
	} while (len > 0);
	return 0;
}

/* One scenario: its description, a zone backend with its data, then each test in order
 * (every entry, repeated names included: libyaml keeps both). */
static int run_scenario(const struct suite_runner *s, yaml_document_t *d, yaml_node_t *root)
{
	const char *desc = suite_text(suite_map_get(d, root, "description"));
	yaml_node_t *tests = suite_map_get(d, root, "tests");
	struct mxg_resolver *r = mxg_resolver_zone_new();

	if (r == NULL)
		return -1;
	printf("# %s\n", desc ? desc : "(no description)");
	if (tests == NULL || tests->type != YAML_MAPPING_NODE ||
	    s->load(r, d, suite_map_get(d, root, s->data_key)) < 0) {
		mxg_resolver_free(r);
		return -1;
	}
	for (yaml_node_pair_t *p = tests->data.mapping.pairs.start; p < tests->data.mapping.pairs.top; p++) {
		const char *name = suite_text(suite_node(d, p->key));
		s->test(r, d, name ? name : "?", suite_node(d, p->value));
	}
	mxg_resolver_free(r);
	return 0;
}

static int each_scenario(const struct suite_runner *s, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0, scenarios = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open %s\n", s->prog, path);
		return 2;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "%s: %s: YAML error: %s (line %zu)\n", s->prog, path,
				parser.problem ? parser.problem : "?", parser.problem_mark.line + 1);
			rc = 2;
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (root == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		if (run_scenario(s, &doc, root) < 0) {
			fprintf(stderr, "%s: %s: scenario %d could not be loaded\n", s->prog, path,
				scenarios + 1);
			rc = 2;
		}
		scenarios++;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return scenarios == 0 ? 2 : rc;
}

int suite_main(const struct suite_runner *s, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SUITE.yml\n", s->prog);
		return 2;
	}
	int rc = each_scenario(s, argv[1]);
	printf("%u passed, %u failed\n", *s->passed, *s->failed);
	if (*s->passed + *s->failed == 0)
		rc = 2;
	return rc ? rc : *s->failed ? 1 : 0;
}
