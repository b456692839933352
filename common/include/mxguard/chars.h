/* Character classes of the mail and DNS grammars (RFC 5234 core rules, RFC 5322 atext), for
 * octets given as int or unsigned char; ASCII only, never the locale's idea of a letter. */
#ifndef MXGUARD_CHARS_H
#define MXGUARD_CHARS_H

#include <string.h>

static inline int mxg_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int mxg_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int mxg_is_alnum(int c)
{
	return mxg_is_alpha(c) || mxg_is_digit(c);
}

/* WSP: space or horizontal tab. */
static inline int mxg_is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* The octets of folding white space: WSP, CR and LF. */
static inline int mxg_is_fws(int c)
{
	return mxg_is_wsp(c) || c == '\r' || c == '\n';
}

/* atext of RFC 5322 section 3.2.3 (ASCII). */
static inline int mxg_is_atext(int c)
{
	return mxg_is_alnum(c) || (c > 0 && c < 0x80 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

#endif
