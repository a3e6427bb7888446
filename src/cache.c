/*
 * The read-through cache of signed OCSP responses: a lookup in SQLite
 * (store_cache.c) answers the hot path; a miss signs once per key however
 * many requests wait for it (flight.c), answers with the signature and
 * writes it back, unless the revoke it raced with wins (store_cache_put).
 * Also here: the counters of hits, misses and live signatures, and the
 * refresh horizon. metrics.c writes the stats document.
 */
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* How many times a request waits for others' flights before signing. */
#define CACHE_FLIGHT_ROUNDS 3

struct cache {
	struct flights *flights;
	int64_t validity, backdate, unknown_max;
	int64_t unknown; /* atomic: cached "unknown" entries */
	/* atomics */
	int64_t hits, misses, live_signs; /* taken by the flush */
	struct responder_counters total; /* since start, never taken */
	pthread_mutex_t counters_mu; /* the flush and the stats */
};

struct cache *
cache_new(
    int64_t validity, int64_t backdate, int64_t unknown_max, int64_t unknown)
{
	struct cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->flights = flights_new()) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->counters_mu, NULL);
	c->validity = validity;
	c->backdate = backdate;
	c->unknown_max = unknown_max;
	c->unknown = unknown;
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	flights_free(c->flights);
	pthread_mutex_destroy(&c->counters_mu);
	free(c);
}

static void
count(int64_t *n)
{
	__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}

void
cache_count_live(struct cache *c)
{
	count(&c->live_signs);
	count(&c->total.live_signs);
}

/*
 * A miss: read the status now, sign it, answer with it, and write it back
 * unless it is one "unknown" too many. The answer is right for this
 * request whatever happens to the write: its status was read after the
 * request arrived. The write itself is refused when a revoke came in
 * between (store_cache_put).
 */
static enum ob_err
sign_and_fill(struct cache *c, struct issuer *ie, struct store *st,
    const struct ocsp_certid *cid, const char *serial, int64_t now,
    struct responder_answer *out)
{
	struct store_cache_entry ent;
	struct ocsp_single s;
	char err[OB_ERRBUF];
	size_t written;
	enum ob_err e;

	memset(&s, 0, sizeof(s));
	if ((e = issuer_status(ie, st, serial, &s)) != OB_OK)
		return e;
	s.certid = cid->der;
	s.certid_len = cid->der_len;
	issuer_times(ie, &s, now, c->validity, c->backdate);
	if ((e = issuer_sign(ie, &s, 1, NULL, 0, now, &out->der, &out->len)) !=
	    OB_OK)
		return e;
	cache_count_live(c);
	out->status = OCSP_SUCCESSFUL;
	out->unknown = s.status == OCSP_UNKNOWN;
	out->this_update = s.this_update;
	out->next_update = s.next_update;
	if (s.status == OCSP_UNKNOWN &&
	    __atomic_load_n(&c->unknown, __ATOMIC_RELAXED) >= c->unknown_max)
		return OB_OK;
	memset(&ent, 0, sizeof(ent));
	ent.issuer_id = issuer_id(ie);
	ent.key_sha1 = issuer_key_sha1(ie);
	snprintf(ent.serial, sizeof(ent.serial), "%s", serial);
	ent.der = out->der;
	ent.len = out->len;
	ent.status = (int)s.status;
	ent.revoked_at = s.revoked_at;
	ent.reason = s.reason;
	ent.this_update = s.this_update;
	ent.next_update = s.next_update;
	if ((e = store_cache_put(st, &ent, 1, now, c->validity, &written, err,
		 sizeof(err))) != OB_OK)
		log_warnx("issuer %s serial %s: cache write-back: %s",
		    issuer_id(ie), serial, err);
	else if (written > 0 && s.status == OCSP_UNKNOWN)
		count(&c->unknown);
	return OB_OK;
}

enum ob_err
cache_answer(struct cache *c, struct issuer *ie, struct store *st,
    const struct ocsp_certid *cid, const char *serial, int64_t now,
    struct responder_answer *out)
{
	char key[OB_FLIGHT_KEY_MAX + 1], err[OB_ERRBUF];
	struct flight *lead;
	enum ob_err e;
	int round, status;

	key[0] = '\0';
	for (round = 0; round < CACHE_FLIGHT_ROUNDS; round++) {
		e = store_cache_get(st, issuer_id(ie), serial, now, c->validity,
		    &out->der, &out->len, &out->this_update, &out->next_update,
		    &status, err, sizeof(err));
		if (e == OB_OK) {
			out->unknown = status == OCSP_UNKNOWN;
			if (round == 0) {
				count(&c->hits);
				count(&c->total.hits);
			}
			out->status = OCSP_SUCCESSFUL;
			return OB_OK;
		}
		if (e != OB_ERR_NOTFOUND) {
			log_warnx("issuer %s serial %s: %s", issuer_id(ie),
			    serial, err);
			return e;
		}
		if (round == 0) {
			count(&c->misses);
			count(&c->total.misses);
			/* Only a miss needs the flight's key. */
			snprintf(
			    key, sizeof(key), "%s/%s", issuer_id(ie), serial);
		}
		assert(key[0] != '\0');
		if (flights_join(c->flights, key, &lead)) {
			e = sign_and_fill(c, ie, st, cid, serial, now, out);
			flights_done(c->flights, lead);
			return e;
		}
	}
	/* The leaders' answers were never cached: sign for this one. */
	return sign_and_fill(c, ie, st, cid, serial, now, out);
}

enum ob_err
cache_hit(struct cache *c, struct issuer *ie, struct store *st,
    const char *serial, int64_t now, size_t max, struct responder_answer *out)
{
	char err[OB_ERRBUF];
	enum ob_err e;
	int status;

	e = store_cache_get(st, issuer_id(ie), serial, now, c->validity,
	    &out->der, &out->len, &out->this_update, &out->next_update, &status,
	    err, sizeof(err));
	if (e != OB_OK)
		return e;
	if (out->len > max) {
		free(out->der);
		out->der = NULL;
		out->len = 0;
		return OB_ERR_RANGE;
	}
	out->unknown = status == OCSP_UNKNOWN;
	out->status = OCSP_SUCCESSFUL;
	count(&c->hits);
	count(&c->total.hits);
	return OB_OK;
}

static int64_t
take(int64_t *n)
{
	return __atomic_exchange_n(n, 0, __ATOMIC_RELAXED);
}

void
cache_counters_take(struct cache *c, struct responder_counters *n)
{
	n->hits = take(&c->hits);
	n->misses = take(&c->misses);
	n->live_signs = take(&c->live_signs);
}

void
cache_counters_give(struct cache *c, const struct responder_counters *n)
{
	__atomic_add_fetch(&c->hits, n->hits, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->misses, n->misses, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->live_signs, n->live_signs, __ATOMIC_RELAXED);
}

void
cache_counters_hold(struct cache *c)
{
	pthread_mutex_lock(&c->counters_mu);
}

void
cache_counters_release(struct cache *c)
{
	pthread_mutex_unlock(&c->counters_mu);
}

void
cache_counters_peek(struct cache *c, struct responder_counters *n)
{
	n->hits = __atomic_load_n(&c->hits, __ATOMIC_RELAXED);
	n->misses = __atomic_load_n(&c->misses, __ATOMIC_RELAXED);
	n->live_signs = __atomic_load_n(&c->live_signs, __ATOMIC_RELAXED);
}

void
cache_totals(struct cache *c, struct responder_counters *n)
{
	n->hits = __atomic_load_n(&c->total.hits, __ATOMIC_RELAXED);
	n->misses = __atomic_load_n(&c->total.misses, __ATOMIC_RELAXED);
	n->live_signs = __atomic_load_n(&c->total.live_signs, __ATOMIC_RELAXED);
}

void
cache_unknown_set(struct cache *c, int64_t n)
{
	__atomic_store_n(&c->unknown, n, __ATOMIC_RELAXED);
}

int64_t
cache_horizon(int64_t validity, int64_t interval)
{
	int64_t h = validity / 2, min = interval + interval / 2;

	if (h < min)
		h = min;
	return h > validity ? validity : h;
}
