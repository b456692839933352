/* DKIM key records (RFC 6376 §3.6.1, RFC 8463 §4): parsing, decoding the public key, and a
 * thread-safe cache of decoded keys kept for their DNS TTL (decoding costs more than a verify). */
#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "dkim_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "mxguard/str.h"

#define KEY_TXT_MAX 4096

/* Walks a colon-separated list in a tag value; 1 if one item equals (case-insensitively) want. */
static int list_has(const struct dkim_tag *t, const char *want)
{
	size_t wl = strlen(want), k = 0;

	while (k <= t->value_len) {
		while (k < t->value_len && (t->value[k] == ' ' || t->value[k] == '\t'))
			k++;
		size_t s = k;
		while (k < t->value_len && t->value[k] != ':')
			k++;
		size_t e = k;
		while (e > s && (t->value[e - 1] == ' ' || t->value[e - 1] == '\t'))
			e--;
		if (e - s == wl && mxg_strncaseeq(t->value + s, want, wl))
			return 1;
		k++;
	}
	return 0;
}

/* The whole of der as a SubjectPublicKeyInfo (what signers publish, erratum 3017), else as the
 * bare PKCS#1 RSAPublicKey, SEQUENCE { modulus, publicExponent }, that RFC 6376 §3.6.1 names.
 * Trailing bytes refuse either form. The failed attempt's errors leave OpenSSL's queue. */
static EVP_PKEY *rsa_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;

	ERR_set_mark();
	pk = d2i_PUBKEY(NULL, &p, (long)len);
	if (pk != NULL && p != der + len) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	if (pk == NULL) {
		p = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
		if (pk != NULL && p != der + len) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	ERR_pop_to_mark();
	return pk;
}

static int decode_rsa(const uint8_t *der, size_t len, struct dkim_key *key, char *err, size_t errlen)
{
	EVP_PKEY *pk = rsa_from_der(der, len);

	if (pk == NULL)
		return mxg_fail(err, errlen, "p= is neither an RSA SubjectPublicKeyInfo nor an RSAPublicKey");
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return mxg_fail(err, errlen, "p= holds a key that is not RSA while k=rsa");
	}
	key->pkey = pk;
	key->bits = (unsigned)EVP_PKEY_get_bits(pk);
	return 0;
}

/* RFC 8463 §4.2: p= is the bare 32-byte Ed25519 public key, not a SubjectPublicKeyInfo. */
static int decode_ed25519(const uint8_t *raw, size_t len, struct dkim_key *key, char *err, size_t errlen)
{
	if (len != 32)
		return mxg_fail(err, errlen, "ed25519 p= is not 32 bytes");
	key->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, len);
	if (key->pkey == NULL)
		return mxg_fail(err, errlen, "ed25519 p= is not a usable key");
	key->bits = 256;
	return 0;
}

static int parse_flags(const struct dkim_taglist *l, struct dkim_key *key, char *err, size_t errlen)
{
	const struct dkim_tag *h = dkim_tags_find(l, "h");
	const struct dkim_tag *s = dkim_tags_find(l, "s");
	const struct dkim_tag *t = dkim_tags_find(l, "t");
	const struct dkim_tag *k = dkim_tags_find(l, "k");

	key->sha1_ok = h == NULL || list_has(h, "sha1");
	key->sha256_ok = h == NULL || list_has(h, "sha256");
	key->email_ok = s == NULL || list_has(s, "*") || list_has(s, "email");
	key->testing = t != NULL && list_has(t, "y");
	key->strict = t != NULL && list_has(t, "s");
	if (k == NULL || (k->value_len == 3 && mxg_strncaseeq(k->value, "rsa", 3)))
		key->type = DKIM_KEY_RSA;
	else if (k->value_len == 7 && mxg_strncaseeq(k->value, "ed25519", 7))
		key->type = DKIM_KEY_ED25519;
	else
		return mxg_fail(err, errlen, "unknown key type in k=");
	return 0;
}

static int parse_tags(const struct dkim_taglist *l, struct dkim_key *key, char *err, size_t errlen)
{
	const struct dkim_tag *v = dkim_tags_find(l, "v");
	const struct dkim_tag *p = dkim_tags_find(l, "p");

	if (v != NULL && (v != &l->tags[0] || !dkim_tag_is(v, "DKIM1")))
		return mxg_fail(err, errlen, "key record v= is not DKIM1 as its first tag");
	if (parse_flags(l, key, err, errlen) < 0)
		return -1;
	if (p == NULL)
		return mxg_fail(err, errlen, "key record has no p=");
	if (p->value_len == 0) {
		key->revoked = 1;
		return 0;
	}
	uint8_t *der = malloc(DKIM_KEY_DER_MAX);
	if (der == NULL)
		return mxg_fail(err, errlen, "out of memory");
	long n = dkim_b64_decode(p->value, p->value_len, der, DKIM_KEY_DER_MAX);
	int rc;
	if (n <= 0)
		rc = mxg_fail(err, errlen, "key p= is not valid base64 or too long");
	else if (key->type == DKIM_KEY_ED25519)
		rc = decode_ed25519(der, (size_t)n, key, err, errlen);
	else
		rc = decode_rsa(der, (size_t)n, key, err, errlen);
	free(der);
	return rc;
}

int dkim_key_parse(const char *txt, size_t len, struct dkim_key *key, char *err, size_t errlen)
{
	struct dkim_taglist *l = malloc(sizeof(*l));

	memset(key, 0, sizeof(*key));
	if (l == NULL)
		return mxg_fail(err, errlen, "out of memory");
	int rc = dkim_tags_parse(txt, len, l, err, errlen);
	if (rc == 0)
		rc = parse_tags(l, key, err, errlen);
	free(l);
	if (rc < 0)
		dkim_key_clear(key);
	return rc;
}

void dkim_key_clear(struct dkim_key *key)
{
	EVP_PKEY_free(key->pkey);
	key->pkey = NULL;
}

/* --- the cache: the one hash table (mxguard/htable.h) of max_entries slots, windows of
 * CACHE_WINDOW; when a name's window is full, an expired key gives way, else the one stored
 * first. One mutex covers the table; keys are handed out with their own reference. --- */

#define CACHE_WINDOW 8

struct cache_slot {
	struct mxg_htable_age age; /* first: used is the order of storing (smallest: oldest) */
	char name[MXG_DNS_NAME_MAX + 16];
	struct dkim_key key;
};

struct mxg_dkim_key_cache {
	pthread_mutex_t lock;
	unsigned long stores;
	struct mxg_htable table;   /* entries: struct cache_slot */
};

static int slot_eq(const void *entry, const void *key)
{
	return strcmp(((const struct cache_slot *)entry)->name, key) == 0;
}

struct mxg_dkim_key_cache *mxg_dkim_key_cache_new(size_t max_entries)
{
	struct mxg_dkim_key_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (mxg_htable_init(&c->table, max_entries ? max_entries : 1024, sizeof(struct cache_slot),
			    CACHE_WINDOW, 0, slot_eq) < 0) {
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		mxg_htable_fini(&c->table);
		free(c);
		return NULL;
	}
	return c;
}

void mxg_dkim_key_cache_free(struct mxg_dkim_key_cache *c)
{
	struct cache_slot *s;
	size_t pos = 0;

	if (c == NULL)
		return;
	while ((s = mxg_htable_next(&c->table, &pos)) != NULL)
		dkim_key_clear(&s->key);
	pthread_mutex_destroy(&c->lock);
	mxg_htable_fini(&c->table);
	free(c);
}

static void drop_slot(struct mxg_dkim_key_cache *c, struct cache_slot *s)
{
	dkim_key_clear(&s->key);
	mxg_htable_remove(&c->table, s);
}

/* Copies a live entry into key with its own reference. 1 if found. */
static int cache_get(struct mxg_dkim_key_cache *c, const char *name, time_t now, struct dkim_key *key)
{
	uint64_t h = mxg_hash_str(name);
	int found = 0;

	pthread_mutex_lock(&c->lock);
	struct cache_slot *s = mxg_htable_find(&c->table, h, name);
	if (s != NULL && s->age.expires <= now) {
		drop_slot(c, s);
	} else if (s != NULL && (s->key.pkey == NULL || EVP_PKEY_up_ref(s->key.pkey) == 1)) {
		*key = s->key;
		found = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

static void cache_put(struct mxg_dkim_key_cache *c, const char *name, time_t now, time_t expires,
		      const struct dkim_key *key)
{
	uint64_t h = mxg_hash_str(name);
	int evicted;

	if (key->pkey != NULL && EVP_PKEY_up_ref(key->pkey) != 1)
		return;
	pthread_mutex_lock(&c->lock);
	struct cache_slot *s = mxg_htable_find(&c->table, h, name);
	if (s != NULL)
		drop_slot(c, s); /* another thread fetched it meanwhile: keep the newer */
	s = mxg_htable_add(&c->table, h, mxg_htable_older_age, &now, &evicted);
	if (evicted)
		dkim_key_clear(&s->key);
	mxg_strlcpy(s->name, name, sizeof(s->name));
	s->key = *key;
	s->age.expires = expires;
	s->age.used = ++c->stores;
	pthread_mutex_unlock(&c->lock);
}

enum dkim_fetch dkim_key_from_answer(const struct mxg_dns_answer *a, struct dkim_key *key,
				     char *err, size_t errlen)
{
	char *txt = malloc(KEY_TXT_MAX);
	char first[MXG_DKIM_REASON_MAX] = "";

	if (txt == NULL)
		return DKIM_FETCH_NOMEM;
	for (size_t i = 0; i < a->count; i++) {
		char why[MXG_DKIM_REASON_MAX];
		long n = mxg_dns_txt_join(&a->rrs[i], txt, KEY_TXT_MAX);
		if (n < 0) {
			mxg_strlcpy(why, "key record is too long or holds a NUL", sizeof(why));
		} else if (dkim_key_parse(txt, (size_t)n, key, why, sizeof(why)) == 0) {
			free(txt);
			return DKIM_FETCH_OK;
		}
		if (first[0] == '\0')
			mxg_strlcpy(first, why, sizeof(first));
	}
	free(txt);
	mxg_strlcpy(err, first, errlen);
	return DKIM_FETCH_PERM;
}

enum dkim_fetch dkim_key_fetch(struct mxg_resolver *r, struct mxg_dkim_key_cache *cache,
			       const char *selector, const char *domain, time_t now,
			       struct dkim_key *key, char *err, size_t errlen)
{
	char name[MXG_DNS_NAME_MAX + 16];
	struct mxg_dns_answer *a = NULL;

	memset(key, 0, sizeof(*key));
	if ((size_t)snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain) >= sizeof(name) ||
	    strlen(name) > 253) {
		mxg_fail(err, errlen, "key name is too long");
		return DKIM_FETCH_PERM;
	}
	mxg_str_lower(name);
	if (cache != NULL && cache_get(cache, name, now, key))
		return DKIM_FETCH_OK;
	if (mxg_dns_lookup(r, name, MXG_DNS_TXT, &a, err, errlen) < 0)
		return DKIM_FETCH_TEMP;
	enum dkim_fetch f;
	if (mxg_dns_is_temporary(a->rcode)) {
		snprintf(err, errlen, "key lookup failed (%s)", mxg_dns_rcode_name(a->rcode));
		f = DKIM_FETCH_TEMP;
	} else if (a->rcode == MXG_DNS_NXDOMAIN || a->count == 0) {
		snprintf(err, errlen, "no key record at %s", name);
		f = DKIM_FETCH_PERM;
	} else {
		f = dkim_key_from_answer(a, key, err, errlen);
	}
	if (f == DKIM_FETCH_OK && cache != NULL) {
		uint32_t ttl = a->ttl < DKIM_CACHE_TTL_MAX ? a->ttl : DKIM_CACHE_TTL_MAX;
		cache_put(cache, name, now, now + (time_t)ttl, key);
	}
	mxg_dns_answer_free(a);
	return f;
}
