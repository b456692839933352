/* Shared pieces of the YAML-driven conformance runners (SPF, ARC): node look-ups in a libyaml
 * document, TXT RDATA from text, and the loop over a suite file's scenarios and tests. */
#ifndef MXGUARD_SUITE_YAML_H
#define MXGUARD_SUITE_YAML_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

yaml_node_t *suite_node(yaml_document_t *d, int id);
/* 1 when n is a scalar equal to s. */
int suite_scalar_is(yaml_node_t *n, const char *s);
/* A scalar's text, NUL-terminated (NULL for other nodes). */
const char *suite_text(yaml_node_t *n);
/* The value of key in a mapping node, or NULL. */
yaml_node_t *suite_map_get(yaml_document_t *d, yaml_node_t *map, const char *key);
/* Appends s[0..len) to rd as character-strings of at most 255 octets. 0, or -1 when it
 * does not fit in cap. */
int suite_txt_strings(const uint8_t *s, size_t len, uint8_t *rd, size_t *rdlen, size_t cap);

struct mxg_resolver;

/* One runner: the scenario key whose data loads into a fresh zone backend per scenario, the
 * loader, the test, and the counters the test keeps. */
struct suite_runner {
	const char *prog;
	const char *data_key;   /* "zonedata", "txt-records" */
	int (*load)(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *data);
	void (*test)(struct mxg_resolver *r, yaml_document_t *d, const char *name, yaml_node_t *t);
	const unsigned *passed, *failed;
};

/* Runs every test of every scenario (YAML document) of the file argv[1], printing each
 * scenario's description, then "N passed, N failed". Returns the exit status: 0, 1 when a
 * test failed, 2 on bad usage, a file, YAML or scenario error, or no test at all. */
int suite_main(const struct suite_runner *s, int argc, char **argv);

#endif
