/*
 * The numbers of the cache, the refresh passes and the server, written
 * out: the stats document (JSON) of the admin API and `cache stats --json`,
 * the text of `cache stats`, and the Prometheus exposition of /metrics.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/*
 * A cRLNumber: a JSON number up to 2^53 - 1, which every reader (a
 * JavaScript panel too) holds exactly, and above that the decimal digits
 * as a string, which none rounds.
 */
static void
bcrlnum(struct ob_buf *b, const struct ob_crlnum *n)
{
	char dec[OB_CRLNUM_DEC + 1];
	uint64_t v;

	util_crlnum_dec(n, dec);
	if (util_crlnum_u64(n, &v) && v <= ((uint64_t)1 << 53) - 1)
		buf_printf(b, "%s", dec);
	else
		buf_printf(b, "\"%s\"", dec);
}

/* The state of issuer id among live's, or NULL. */
static const struct issuer_state *
find_state(const struct metrics_live *live, const char *id)
{
	size_t i;

	for (i = 0; i < live->nstates; i++)
		if (strcmp(live->states[i].id, id) == 0)
			return &live->states[i];
	return NULL;
}

enum ob_err
metrics_stats_json(const struct store_stats *s, const struct metrics_live *live,
    int64_t now, char **out, size_t *len)
{
	static const struct metrics_live none;
	struct ob_buf b = {NULL, 0, 0, 0};
	const struct store_issuer_stats *is;
	const struct issuer_state *rs;
	int64_t hits, misses;
	size_t i;

	if (live == NULL)
		live = &none;
	hits = s->hits + live->hits;
	misses = s->misses + live->misses;
	buf_puts(&b, "{\"generated_at\":");
	buf_json_time(&b, now);
	buf_printf(&b,
	    ",\"cache\":{\"entries\":%lld,\"fresh\":%lld,\"stale\":%lld,"
	    "\"hits\":%lld,\"misses\":%lld,\"hit_ratio\":%.4f,"
	    "\"live_signs\":%lld,\"invalidations\":%lld}",
	    (long long)s->entries, (long long)(s->entries - s->stale),
	    (long long)s->stale, (long long)hits, (long long)misses,
	    hits + misses > 0 ? (double)hits / (double)(hits + misses) : 0.0,
	    (long long)(s->live_signs + live->live_signs),
	    (long long)s->invalidations);
	buf_puts(&b, ",\"refresh\":{\"interval_seconds\":");
	if (live->interval > 0)
		buf_printf(&b, "%lld", (long long)live->interval);
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\"last_started_at\":");
	buf_json_time(&b, s->have_run ? s->last_run.started_at : INT64_MIN);
	if (s->have_run) {
		buf_printf(&b,
		    ",\"last_duration_ms\":%lld,\"last_signed\":%lld,"
		    "\"last_errors\":%lld,\"last_dropped\":%lld,"
		    "\"last_source\":",
		    (long long)s->last_run.duration_ms,
		    (long long)s->last_run.nsigned,
		    (long long)s->last_run.errors,
		    (long long)s->last_run.dropped);
		buf_json_str(&b, s->last_run.source);
	} else
		buf_puts(&b,
		    ",\"last_duration_ms\":null,\"last_signed\":null,"
		    "\"last_errors\":null,\"last_dropped\":null,"
		    "\"last_source\":null");
	buf_printf(&b, ",\"running\":%s", live->running ? "true" : "false");
	if (live->interval > 0) {
		buf_puts(&b, ",\"next_due_at\":");
		buf_json_time(&b, live->next_due);
	}
	buf_puts(&b, "}");
	if (live->requests != NULL) {
		const struct http_ocsp_counts *q = live->requests;

		buf_puts(&b, ",\"server\":{\"started_at\":");
		buf_json_time(&b, live->started_at);
		if (live->host != NULL) {
			buf_puts(&b, ",\"host\":");
			buf_json_str(&b, live->host);
		}
		if (live->version != NULL) {
			buf_puts(&b, ",\"version\":");
			buf_json_str(&b, live->version);
		}
		if (live->database != NULL) {
			buf_puts(&b, ",\"database\":");
			buf_json_str(&b, live->database);
		}
		buf_printf(&b,
		    ",\"requests\":{\"total\":%lld,\"get\":%lld,"
		    "\"post\":%lld,\"successful\":%lld,\"malformed\":%lld,"
		    "\"internal_error\":%lld,\"try_later\":%lld,"
		    "\"unauthorized\":%lld,\"http_errors\":%lld,"
		    "\"crl\":%lld,\"timed_out\":%lld,\"rejected\":%lld,"
		    "\"answered_by_gate\":%lld},"
		    "\"connections\":{\"open\":%lld,\"accepted\":%lld,"
		    "\"evicted\":%lld,\"idle_closed\":%lld}}",
		    (long long)(q->get + q->post), (long long)q->get,
		    (long long)q->post, (long long)q->status[OCSP_SUCCESSFUL],
		    (long long)q->status[OCSP_MALFORMED],
		    (long long)q->status[OCSP_INTERNAL_ERROR],
		    (long long)q->status[OCSP_TRY_LATER],
		    (long long)q->status[OCSP_UNAUTHORIZED],
		    (long long)q->http_errors, (long long)q->crl,
		    (long long)q->req_timed_out, (long long)q->req_rejected,
		    (long long)q->gate_answered, (long long)q->conn_open,
		    (long long)q->conn_accepted, (long long)q->conn_evicted,
		    (long long)q->conn_idle_closed);
	}
	/* The indexes followed (serve --follow-index), when there are. */
	if (live->nfollows > 0)
		buf_puts(&b, ",\"follow\":[");
	for (i = 0; i < live->nfollows; i++) {
		const struct metrics_follow *f = &live->follows[i];

		buf_puts(&b, i > 0 ? ",{\"issuer_id\":" : "{\"issuer_id\":");
		buf_json_str(&b, f->issuer);
		buf_puts(&b, ",\"path\":");
		buf_json_str(&b, f->path);
		buf_printf(&b,
		    ",\"versions\":%lld,\"broken_versions\":%lld,"
		    "\"applied_at\":",
		    f->st.versions, f->st.broken);
		buf_json_time(
		    &b, f->st.applied_at > 0 ? f->st.applied_at : INT64_MIN);
		buf_puts(&b, ",\"error\":");
		if (f->st.err[0] != '\0')
			buf_json_str(&b, f->st.err);
		else
			buf_puts(&b, "null");
		buf_puts(&b, "}");
	}
	if (live->nfollows > 0)
		buf_puts(&b, "]");
	buf_puts(&b, ",\"issuers\":[");
	for (i = 0; i < s->nissuers; i++) {
		is = &s->issuers[i];
		buf_printf(&b, "%s{\"id\":", i > 0 ? "," : "");
		buf_json_str(&b, is->id);
		if ((rs = find_state(live, is->id)) != NULL) {
			buf_puts(&b, ",\"responder\":{\"not_after\":");
			buf_json_time(&b, rs->not_after);
			buf_printf(&b, ",\"status\":\"%s\"}",
			    respcert_state_name(rs->health));
		}
		buf_printf(&b,
		    ",\"entries\":%lld,\"good\":%lld,\"revoked\":%lld,"
		    "\"unknown\":%lld,\"stale\":%lld,\"next_update_min\":",
		    (long long)is->entries, (long long)is->good,
		    (long long)is->revoked, (long long)is->unknown,
		    (long long)is->stale);
		buf_json_time(&b, is->next_update_min);
		buf_printf(&b,
		    ",\"certificates\":{\"total\":%lld,\"good\":%lld,"
		    "\"revoked\":%lld,\"expired\":%lld}",
		    (long long)is->cert_total, (long long)is->cert_good,
		    (long long)is->cert_revoked, (long long)is->cert_expired);
		buf_printf(&b, ",\"crl\":{\"present\":%s,\"crl_number\":",
		    is->crl_present ? "true" : "false");
		if (is->crl_present)
			bcrlnum(&b, &is->crl_number);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"next_update\":");
		buf_json_time(
		    &b, is->crl_present ? is->crl_next_update : INT64_MIN);
		buf_printf(&b,
		    ",\"is_stale\":%s,\"behind\":%s,\"key\":%s,"
		    "\"this_update\":",
		    is->crl_present && is->crl_next_update <= now ? "true"
								  : "false",
		    is->crl_behind ? "true" : "false",
		    is->crl_key ? "true" : "false");
		buf_json_time(
		    &b, is->crl_present ? is->crl_this_update : INT64_MIN);
		buf_puts(&b, ",\"generated_at\":");
		buf_json_time(
		    &b, is->crl_present ? is->crl_generated_at : INT64_MIN);
		buf_puts(&b, ",\"revoked_count\":");
		if (is->crl_present)
			buf_printf(&b, "%lld", (long long)is->crl_revoked);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"last_error\":");
		if (is->crl_error[0] != '\0')
			buf_json_str(&b, is->crl_error);
		else
			buf_puts(&b, "null");
		buf_puts(&b, "}}");
	}
	buf_puts(&b, "]}\n");
	return buf_finish(&b, out, len);
}

void
metrics_stats_text(const struct store_stats *s, int64_t now, FILE *fp)
{
	const struct store_issuer_stats *is;
	char ts[32], dec[OB_CRLNUM_DEC + 1];
	size_t i;

	fprintf(fp,
	    "entries %lld (fresh %lld, stale %lld)\n"
	    "hits %lld, misses %lld, live signs %lld, invalidations %lld\n",
	    (long long)s->entries, (long long)(s->entries - s->stale),
	    (long long)s->stale, (long long)s->hits, (long long)s->misses,
	    (long long)s->live_signs, (long long)s->invalidations);
	if (s->have_run) {
		util_time_format(s->last_run.started_at, ts, sizeof(ts));
		fprintf(fp,
		    "last refresh %s (%s): %lld ms, signed %lld, errors "
		    "%lld, dropped %lld\n",
		    ts, s->last_run.source, (long long)s->last_run.duration_ms,
		    (long long)s->last_run.nsigned,
		    (long long)s->last_run.errors,
		    (long long)s->last_run.dropped);
	} else
		fprintf(fp, "last refresh: never\n");
	for (i = 0; i < s->nissuers; i++) {
		is = &s->issuers[i];
		if (is->next_update_min != INT64_MIN)
			util_time_format(is->next_update_min, ts, sizeof(ts));
		else
			snprintf(ts, sizeof(ts), "-");
		fprintf(fp,
		    "issuer %s: entries %lld (good %lld, revoked %lld, "
		    "unknown %lld), stale %lld, oldest nextUpdate %s, crl %s\n",
		    is->id, (long long)is->entries, (long long)is->good,
		    (long long)is->revoked, (long long)is->unknown,
		    (long long)is->stale, ts,
		    !is->crl_present                 ? "none"
			: is->crl_next_update <= now ? "stale"
			: is->crl_behind             ? "behind"
						     : "fresh");
		if (is->crl_present) {
			util_time_format(is->crl_next_update, ts, sizeof(ts));
			util_crlnum_dec(&is->crl_number, dec);
			fprintf(fp, "  crl #%s, %lld revoked, nextUpdate %s\n",
			    dec, (long long)is->crl_revoked, ts);
		}
		if (is->crl_error[0] != '\0')
			fprintf(fp, "  crl last attempt failed: %s\n",
			    is->crl_error);
		fprintf(fp,
		    "  certificates %lld (good %lld, revoked %lld, expired "
		    "%lld)\n",
		    (long long)is->cert_total, (long long)is->cert_good,
		    (long long)is->cert_revoked, (long long)is->cert_expired);
	}
}

/* ---- the Prometheus exposition ------------------------------------------ */

/*
 * Where a family's values come from. That also decides whether it is
 * written: a family of the whole server is left out, HELP and TYPE too,
 * when its source is absent (the CLI has no live part, a database never
 * refreshed has no last run, a server with no issuer no histogram). From
 * SRC_HISTS on, a family has a sample per issuer; from SRC_ISSUER on, it
 * is declared even when no issuer has one (its order here matters).
 */
enum metric_src {
	SRC_REQUESTS, /* live->requests: struct http_ocsp_counts */
	SRC_ADMIN, /* live->admin: struct http_admin_counts */
	SRC_TOTALS, /* live->totals: struct responder_counters */
	SRC_STATS, /* s: struct store_stats, always there */
	SRC_LAST_RUN, /* s->last_run: struct store_refresh_run, if have_run */
	SRC_LIVE, /* live: struct metrics_live, if a refresh thread runs */
	SRC_HISTS, /* each of live->hists: struct responder_hist */
	SRC_STATES, /* each of live->states: struct issuer_state */
	SRC_FOLLOWS, /* each of live->follows: struct metrics_follow */
	SRC_ISSUER, /* each of s->issuers: struct store_issuer_stats */
	SRC_ISSUER_CRL, /* the same, each issuer with a cached CRL */
	SRC_ISSUER_KEY, /* the same, each issuer with a CRL key */
};

/* What a value is, at its offset, and how it is written. */
enum metric_val {
	VAL_I64, /* int64_t */
	VAL_LL, /* long long */
	VAL_INT, /* int */
	VAL_MS, /* int64_t milliseconds, written as seconds */
	VAL_CRLNUM, /* struct ob_crlnum, as its exact decimal */
	VAL_FLAG, /* a string: 1 when not empty, else 0 */
	VAL_HIST, /* the whole struct responder_hist: buckets, sum, count */
};

/* One labelled sample of a family, and the offset of its value. */
struct metric_sample {
	const char *labels; /* NULL ends a list */
	size_t off;
};

/* One family: one row of the table below. */
struct metric {
	const char *name, *type;
	enum metric_src src;
	size_t off; /* of the value in src's struct, unless samples */
	enum metric_val val;
	const struct metric_sample *samples; /* NULL: one sample, at off */
	const char *help;
};

/*
 * A row's source and the offset of field f in that source's struct, named
 * together so that no row reads one struct's offset from another.
 */
#define REQUESTS(f) SRC_REQUESTS, offsetof(struct http_ocsp_counts, f)
#define ADMIN(f) SRC_ADMIN, offsetof(struct http_admin_counts, f)
#define TOTALS(f) SRC_TOTALS, offsetof(struct responder_counters, f)
#define STATS(f) SRC_STATS, offsetof(struct store_stats, f)
#define LAST_RUN(f) SRC_LAST_RUN, offsetof(struct store_refresh_run, f)
#define LIVE(f) SRC_LIVE, offsetof(struct metrics_live, f)
#define STATE(f) SRC_STATES, offsetof(struct issuer_state, f)
#define ISSUER(f) SRC_ISSUER, offsetof(struct store_issuer_stats, f)
#define ISSUER_CRL(f) SRC_ISSUER_CRL, offsetof(struct store_issuer_stats, f)
#define ISSUER_KEY(f) SRC_ISSUER_KEY, offsetof(struct store_issuer_stats, f)
#define FOLLOW(f) SRC_FOLLOWS, offsetof(struct metrics_follow, st.f)

/*
 * The public listener's answers, by method (GET, HEAD too, or POST) and
 * OCSPResponseStatus (4 is unused).
 */
#define BY(mi, code) offsetof(struct http_ocsp_counts, by[mi][code])
static const struct metric_sample by_method_status[] = {
    {"method=\"GET\",status=\"successful\"", BY(0, OCSP_SUCCESSFUL)},
    {"method=\"GET\",status=\"malformed_request\"", BY(0, OCSP_MALFORMED)},
    {"method=\"GET\",status=\"internal_error\"", BY(0, OCSP_INTERNAL_ERROR)},
    {"method=\"GET\",status=\"try_later\"", BY(0, OCSP_TRY_LATER)},
    {"method=\"GET\",status=\"sig_required\"", BY(0, OCSP_SIG_REQUIRED)},
    {"method=\"GET\",status=\"unauthorized\"", BY(0, OCSP_UNAUTHORIZED)},
    {"method=\"POST\",status=\"successful\"", BY(1, OCSP_SUCCESSFUL)},
    {"method=\"POST\",status=\"malformed_request\"", BY(1, OCSP_MALFORMED)},
    {"method=\"POST\",status=\"internal_error\"", BY(1, OCSP_INTERNAL_ERROR)},
    {"method=\"POST\",status=\"try_later\"", BY(1, OCSP_TRY_LATER)},
    {"method=\"POST\",status=\"sig_required\"", BY(1, OCSP_SIG_REQUIRED)},
    {"method=\"POST\",status=\"unauthorized\"", BY(1, OCSP_UNAUTHORIZED)},
    {NULL, 0},
};
#undef BY

/* An issuer's cached responses, by certificate status. */
static const struct metric_sample by_cert_status[] = {
    {"status=\"good\"", offsetof(struct store_issuer_stats, good)},
    {"status=\"revoked\"", offsetof(struct store_issuer_stats, revoked)},
    {"status=\"unknown\"", offsetof(struct store_issuer_stats, unknown)},
    {NULL, 0},
};

static const struct metric_sample by_registered_status[] = {
    {"status=\"good\"", offsetof(struct store_issuer_stats, cert_good)},
    {"status=\"revoked\"", offsetof(struct store_issuer_stats, cert_revoked)},
    {"status=\"expired\"", offsetof(struct store_issuer_stats, cert_expired)},
    {NULL, 0},
};

/* Every family, in the order written. Names get the prefix ocspbox_. */
static const struct metric metrics[] = {
    {"requests_total", "counter", SRC_REQUESTS, 0, VAL_I64, by_method_status,
	"OCSP requests answered on the public listener, by HTTP method and "
	"OCSP response status."},
    {"http_errors_total", "counter", REQUESTS(http_errors), VAL_I64, NULL,
	"Requests on the public listener answered with an HTTP 4xx (wrong "
	"method, path, type or size)."},
    /* The connections as the gate counts them. */
    {"http_connections_open", "gauge", REQUESTS(conn_open), VAL_I64, NULL,
	"Public connections held without a complete request."},
    {"http_connections_accepted_total", "counter", REQUESTS(conn_accepted),
	VAL_I64, NULL, "Public connections accepted."},
    {"http_connections_evicted_total", "counter", REQUESTS(conn_evicted),
	VAL_I64, NULL,
	"Public connections closed to make room (--max-connections or the "
	"request buffer budget)."},
    {"http_connections_idle_closed_total", "counter",
	REQUESTS(conn_idle_closed), VAL_I64, NULL,
	"Public connections closed for sending nothing in time."},
    {"http_request_timeouts_total", "counter", REQUESTS(req_timed_out), VAL_I64,
	NULL,
	"Requests not complete 5 s after their first byte (408), or answers "
	"not taken in 30 s."},
    {"http_requests_rejected_total", "counter", REQUESTS(req_rejected), VAL_I64,
	NULL,
	"Requests refused for their framing or size before a worker saw "
	"them (400, 413, 414, 417, 431, 501, 505)."},
    {"http_requests_answered_by_gate_total", "counter", REQUESTS(gate_answered),
	VAL_I64, NULL,
	"OCSP requests answered from the cache by the thread that holds the "
	"connections, without a worker (also counted in "
	"ocspbox_requests_total)."},
    /* What the admin listener refused. */
    {"admin_auth_failures_total", "counter", ADMIN(auth_failures), VAL_I64,
	NULL,
	"Admin requests with a wrong bearer token (401; a missing one "
	"is not counted)."},
    {"admin_auth_limited_total", "counter", ADMIN(auth_limited), VAL_I64, NULL,
	"Wrong bearer tokens answered 429 after repeated failures from "
	"their client."},
    {"admin_misdirected_total", "counter", ADMIN(misdirected), VAL_I64, NULL,
	"Admin requests whose Host names another server (421)."},
    {"cache_hits_total", "counter", TOTALS(hits), VAL_I64, NULL,
	"Requests answered from the pre-signed cache."},
    {"cache_misses_total", "counter", TOTALS(misses), VAL_I64, NULL,
	"Cacheable requests that found no fresh entry."},
    {"live_signs_total", "counter", TOTALS(live_signs), VAL_I64, NULL,
	"Responses signed while a client waited."},
    {"cache_invalidations_total", "counter", STATS(invalidations), VAL_I64,
	NULL, "Cached responses dropped by revokes, over the database's life."},
    {"sign_duration_seconds", "histogram", SRC_HISTS, 0, VAL_HIST, NULL,
	"Time to sign one response (live and refresh), waiting for a key "
	"context included."},
    {"refresh_last_run_timestamp_seconds", "gauge", LAST_RUN(started_at),
	VAL_I64, NULL, "When the last refresh pass started (Unix time)."},
    {"refresh_last_duration_seconds", "gauge", LAST_RUN(duration_ms), VAL_MS,
	NULL, "How long the last refresh pass took."},
    {"refresh_last_signed", "gauge", LAST_RUN(nsigned), VAL_I64, NULL,
	"Responses the last refresh pass signed."},
    {"refresh_last_errors", "gauge", LAST_RUN(errors), VAL_I64, NULL,
	"Signatures or writes the last refresh pass failed."},
    {"refresh_running", "gauge", LIVE(running), VAL_INT, NULL,
	"1 while a refresh pass runs."},
    {"refresh_interval_seconds", "gauge", LIVE(interval), VAL_I64, NULL,
	"The refresh interval."},
    {"issuers_not_loaded", "gauge", LIVE(not_loaded), VAL_I64, NULL,
	"Registered issuers whose record failed to load at the last reload "
	"(not answered for, or answered with their previous responder); "
	"/healthz names them."},
    {"responder_expiry_warning_seconds", "gauge", LIVE(warn), VAL_I64, NULL,
	"How long before its notAfter a responder certificate shows as "
	"expiring (serve --expiry-warning)."},
    {"responder_not_after_timestamp_seconds", "gauge", STATE(not_after),
	VAL_I64, NULL,
	"When the responder certificate signing an issuer's answers "
	"expires, or its CA's when that comes first (Unix time); answers "
	"are tryLater after it."},
    {"responder_expiring", "gauge", STATE(expiring), VAL_INT, NULL,
	"1 when an issuer's responder certificate expires within the "
	"warning period or has expired."},
    {"cache_entries", "gauge", SRC_ISSUER, 0, VAL_I64, by_cert_status,
	"Cached responses per issuer and certificate status."},
    {"certificates", "gauge", SRC_ISSUER, 0, VAL_I64, by_registered_status,
	"Certificates registered per issuer, by status: good (neither "
	"revoked nor past notAfter), revoked, expired (past notAfter, not "
	"revoked)."},
    {"cache_stale_entries", "gauge", ISSUER(stale), VAL_I64, NULL,
	"Cached responses past their nextUpdate, per issuer (never "
	"served)."},
    /* Exact: a scraper rounds it to a float64 past 2^53. */
    {"crl_number", "gauge", ISSUER_CRL(crl_number), VAL_CRLNUM, NULL,
	"The cRLNumber of the cached CRL, per issuer with one."},
    {"crl_next_update_timestamp_seconds", "gauge", ISSUER_CRL(crl_next_update),
	VAL_I64, NULL, "When the cached CRL expires, per issuer with one."},
    {"crl_revoked_entries", "gauge", ISSUER_CRL(crl_revoked), VAL_I64, NULL,
	"Entries on the cached CRL, per issuer with one."},
    {"crl_behind", "gauge", ISSUER_CRL(crl_behind), VAL_INT, NULL,
	"1 when the cached CRL lacks a revocation, or a change of one, made "
	"since it was built (a new one is due; it stays 1 while builds "
	"fail), per issuer with one."},
    {"crl_last_attempt_failed", "gauge", ISSUER_KEY(crl_error), VAL_FLAG, NULL,
	"1 when the last attempt to build the CRL failed, per issuer "
	"with a CRL key."},
    {"crl_requests_total", "counter", REQUESTS(crl), VAL_I64, NULL,
	"CRLs served on the public listener (200 or 304) since start."},
    {"follow_versions_total", "counter", FOLLOW(versions), VAL_LL, NULL,
	"Versions of the followed openssl ca index applied since start, "
	"per issuer (serve --follow-index)."},
    {"follow_broken_versions_total", "counter", FOLLOW(broken), VAL_LL, NULL,
	"Versions of the followed index with broken lines since start, per "
	"issuer; those lines were skipped, the rest applied."},
    {"follow_error", "gauge", FOLLOW(err), VAL_FLAG, NULL,
	"1 while the followed index has a broken line, cannot be read "
	"(missing) or written to the database, or its last version revoked "
	"a line dated after now as of now, per issuer."},
    {"follow_last_applied_timestamp_seconds", "gauge", FOLLOW(applied_at),
	VAL_I64, NULL,
	"When a version of the followed index was last applied, per "
	"issuer; 0: never."},
};

#undef REQUESTS
#undef ADMIN
#undef TOTALS
#undef STATS
#undef LAST_RUN
#undef LIVE
#undef STATE
#undef ISSUER
#undef ISSUER_CRL
#undef ISSUER_KEY
#undef FOLLOW

/*
 * The i-th struct that a family of source src reads, and in *issuer the
 * issuer it is about (NULL for the whole server); NULL when there is no
 * i-th. An issuer the source does not admit is skipped by the caller.
 */
static const void *
metric_source(enum metric_src src, const struct store_stats *s,
    const struct metrics_live *live, size_t i, const char **issuer)
{
	*issuer = NULL;
	switch (src) {
	case SRC_REQUESTS:
		return i == 0 && live != NULL ? live->requests : NULL;
	case SRC_ADMIN:
		return i == 0 && live != NULL ? live->admin : NULL;
	case SRC_TOTALS:
		return i == 0 && live != NULL ? live->totals : NULL;
	case SRC_STATS:
		return i == 0 ? s : NULL;
	case SRC_LAST_RUN:
		return i == 0 && s->have_run ? &s->last_run : NULL;
	case SRC_LIVE:
		return i == 0 && live != NULL && live->interval > 0 ? live
								    : NULL;
	case SRC_HISTS:
		if (live == NULL || i >= live->nhists)
			return NULL;
		*issuer = live->hists[i].issuer;
		return &live->hists[i];
	case SRC_STATES:
		if (live == NULL || i >= live->nstates)
			return NULL;
		*issuer = live->states[i].id;
		return &live->states[i];
	case SRC_FOLLOWS:
		if (live == NULL || i >= live->nfollows)
			return NULL;
		*issuer = live->follows[i].issuer;
		return &live->follows[i];
	case SRC_ISSUER:
	case SRC_ISSUER_CRL:
	case SRC_ISSUER_KEY:
		if (i >= s->nissuers)
			return NULL;
		*issuer = s->issuers[i].id;
		return &s->issuers[i];
	}
	return NULL;
}

/* Whether a per-issuer source has a sample for the issuer at p. */
static int
metric_admits(enum metric_src src, const void *p)
{
	const struct store_issuer_stats *is = p;

	if (src == SRC_ISSUER_CRL)
		return is->crl_present;
	if (src == SRC_ISSUER_KEY)
		return is->crl_key;
	return 1;
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void
prom_label(struct ob_buf *b, const char *s)
{
	size_t run;

	for (;;) {
		run = strcspn(s, "\\\"\n");
		buf_add(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		buf_puts(b, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\");
		s++;
	}
}

/*
 * A sample line up to its value: the family's name and suffix, then the
 * issuer label (if issuer) and labels (if not NULL) in braces, if any.
 */
static void
prom_sample(struct ob_buf *b, const char *name, const char *suffix,
    const char *issuer, const char *labels)
{
	buf_printf(b, "ocspbox_%s%s", name, suffix);
	if (issuer == NULL && labels == NULL) {
		buf_puts(b, " ");
		return;
	}
	buf_puts(b, "{");
	if (issuer != NULL) {
		buf_puts(b, "issuer=\"");
		prom_label(b, issuer);
		buf_puts(b, labels != NULL ? "\"," : "\"");
	}
	if (labels != NULL)
		buf_puts(b, labels);
	buf_puts(b, "} ");
}

/* The value of kind val at p, and the line's end. */
static void
prom_value(struct ob_buf *b, enum metric_val val, const void *p)
{
	char dec[OB_CRLNUM_DEC + 1];

	switch (val) {
	case VAL_I64:
		buf_printf(b, "%lld\n", (long long)*(const int64_t *)p);
		break;
	case VAL_INT:
		buf_printf(b, "%d\n", *(const int *)p);
		break;
	case VAL_LL:
		buf_printf(b, "%lld\n", *(const long long *)p);
		break;
	case VAL_MS:
		buf_printf(b, "%.3f\n", (double)*(const int64_t *)p / 1000);
		break;
	case VAL_CRLNUM:
		util_crlnum_dec(p, dec);
		buf_printf(b, "%s\n", dec);
		break;
	case VAL_FLAG:
		buf_printf(b, "%d\n", *(const char *)p != '\0');
		break;
	case VAL_HIST: /* prom_hist writes it */
		break;
	}
}

/* One issuer's histogram: cumulative buckets, then the sum and count. */
static void
prom_hist(struct ob_buf *b, const char *name, const struct responder_hist *h)
{
	char le[32];
	int64_t cum = 0;
	size_t k;

	for (k = 0; k <= OB_SIGN_BUCKETS; k++) {
		cum += h->bucket[k];
		if (k < OB_SIGN_BUCKETS)
			snprintf(
			    le, sizeof(le), "le=\"%g\"", ob_sign_buckets[k]);
		else
			snprintf(le, sizeof(le), "le=\"+Inf\"");
		prom_sample(b, name, "_bucket", h->issuer, le);
		buf_printf(b, "%lld\n", (long long)cum);
	}
	prom_sample(b, name, "_sum", h->issuer, NULL);
	buf_printf(b, "%.6f\n", (double)h->sum_us / 1e6);
	prom_sample(b, name, "_count", h->issuer, NULL);
	buf_printf(b, "%lld\n", (long long)h->count);
}

/* One family: HELP, TYPE and its samples, if its source is there. */
static void
prom_family(struct ob_buf *b, const struct metric *m,
    const struct store_stats *s, const struct metrics_live *live)
{
	const struct metric_sample *sm;
	const char *issuer, *p;
	size_t i;

	if (m->src < SRC_ISSUER &&
	    metric_source(m->src, s, live, 0, &issuer) == NULL)
		return;
	buf_printf(b, "# HELP ocspbox_%s %s\n# TYPE ocspbox_%s %s\n", m->name,
	    m->help, m->name, m->type);
	for (i = 0; (p = metric_source(m->src, s, live, i, &issuer)) != NULL;
	     i++) {
		if (!metric_admits(m->src, p))
			continue;
		if (m->val == VAL_HIST)
			prom_hist(b, m->name, (const struct responder_hist *)p);
		else if (m->samples == NULL) {
			prom_sample(b, m->name, "", issuer, NULL);
			prom_value(b, m->val, p + m->off);
		} else
			for (sm = m->samples; sm->labels != NULL; sm++) {
				prom_sample(b, m->name, "", issuer, sm->labels);
				prom_value(b, m->val, p + sm->off);
			}
	}
}

/*
 * ocspbox_build_info: the versions of ocspbox and of the libraries built
 * into it, as the labels of a constant 1 (Prometheus's info idiom), when
 * live names them.
 */
static void
prom_build_info(struct ob_buf *b, const struct metrics_live *live)
{
	const char *v[4], *k[4] = {"version", "sqlite", "mbedtls", "civetweb"};
	size_t i;

	if (live == NULL || live->version == NULL)
		return;
	v[0] = live->version;
	v[1] = live->sqlite_version;
	v[2] = live->mbedtls_version;
	v[3] = live->civetweb_version;
	buf_puts(b,
	    "# HELP ocspbox_build_info The versions of ocspbox and of "
	    "the SQLite, mbedTLS and civetweb built into it; always "
	    "1.\n# TYPE ocspbox_build_info gauge\nocspbox_build_info{");
	for (i = 0; i < 4; i++) {
		buf_printf(b, "%s%s=\"", i > 0 ? "," : "", k[i]);
		prom_label(b, v[i] != NULL ? v[i] : "");
		buf_puts(b, "\"");
	}
	buf_puts(b, "} 1\n");
}

enum ob_err
metrics_text(const struct store_stats *s, const struct metrics_live *live,
    char **out, size_t *len)
{
	struct ob_buf b = {NULL, 0, 0, 0};
	size_t i;

	prom_build_info(&b, live);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		prom_family(&b, &metrics[i], s, live);
	return buf_finish(&b, out, len);
}
