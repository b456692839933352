/* Test helper (unit tests and fuzz harnesses): what a reader of an Authentication-Results value
 * sees as structure, to check that no text we write adds any. */
#ifndef TEST_AUTHRES_READER_H
#define TEST_AUTHRES_READER_H

/* Counts the characters which outside quoted strings and comments (backslash escapes inside
 * either skipped). */
static inline int authres_structural(const char *s, char which)
{
	int n = 0, depth = 0, quoted = 0;

	for (; *s; s++) {
		if ((quoted || depth) && *s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (!depth && *s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '(')
			depth++;
		else if (!quoted && depth && *s == ')')
			depth--;
		else if (!quoted && !depth && *s == which)
			n++;
	}
	return n;
}

#endif
