/* The signing half of the ARC conformance runner (arc_sign_suite.c): the scenario loader and the
 * per-test step suite_main drives, and the counters they keep. */
#ifndef MXGUARD_ARC_SIGN_SUITE_H
#define MXGUARD_ARC_SIGN_SUITE_H

#include <yaml.h>

struct mxg_resolver;

extern unsigned arc_sign_passed, arc_sign_failed;

/* Loads a scenario's TXT records into the zone backend (arc_suite.c, shared by both halves). */
int arc_suite_load_records(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *records);
/* The signing scenario: its key, d= and s=, then its TXT records. */
int arc_sign_load(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *records);
void arc_sign_test(struct mxg_resolver *r, yaml_document_t *d, const char *name, yaml_node_t *t);
/* Frees the last scenario's key. */
void arc_sign_done(void);

#endif
