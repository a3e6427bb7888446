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

#include "extern.h"

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

enum ob_err
metrics_stats_json(const struct store_stats *s, const struct metrics_live *live,
    int64_t now, char **out, size_t *len)
{
	static const struct metrics_live none;
	struct ob_buf b = {NULL, 0, 0, 0};
	const struct store_issuer_stats *is;
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
	buf_printf(&b, ",\"running\":%s}", live->running ? "true" : "false");
	if (live->requests != NULL) {
		const struct http_ocsp_counts *q = live->requests;

		buf_puts(&b, ",\"server\":{\"started_at\":");
		buf_json_time(&b, live->started_at);
		buf_printf(&b,
		    ",\"requests\":{\"total\":%lld,\"get\":%lld,"
		    "\"post\":%lld,\"successful\":%lld,\"malformed\":%lld,"
		    "\"internal_error\":%lld,\"try_later\":%lld,"
		    "\"unauthorized\":%lld,\"http_errors\":%lld,"
		    "\"crl\":%lld,\"timed_out\":%lld,\"rejected\":%lld},"
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
		    (long long)q->conn_open, (long long)q->conn_accepted,
		    (long long)q->conn_evicted, (long long)q->conn_idle_closed);
	}
	buf_puts(&b, ",\"issuers\":[");
	for (i = 0; i < s->nissuers; i++) {
		is = &s->issuers[i];
		buf_printf(&b, "%s{\"id\":", i > 0 ? "," : "");
		buf_json_str(&b, is->id);
		buf_printf(&b,
		    ",\"entries\":%lld,\"good\":%lld,\"revoked\":%lld,"
		    "\"unknown\":%lld,\"stale\":%lld,\"next_update_min\":",
		    (long long)is->entries, (long long)is->good,
		    (long long)is->revoked, (long long)is->unknown,
		    (long long)is->stale);
		buf_json_time(&b, is->next_update_min);
		buf_printf(&b, ",\"crl\":{\"present\":%s,\"crl_number\":",
		    is->crl_present ? "true" : "false");
		if (is->crl_present)
			bcrlnum(&b, &is->crl_number);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"next_update\":");
		buf_json_time(
		    &b, is->crl_present ? is->crl_next_update : INT64_MIN);
		buf_printf(&b, ",\"is_stale\":%s,\"key\":%s,\"this_update\":",
		    is->crl_present && is->crl_next_update <= now ? "true"
								  : "false",
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
	}
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void
blabel(struct ob_buf *b, const char *s)
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

static void
bmeta(struct ob_buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP ocspbox_%s %s\n# TYPE ocspbox_%s %s\n", name,
	    help, name, type);
}

/* A metric read from an int64_t field of a struct of counts. */
struct metric_field {
	const char *name, *type, *help;
	size_t off; /* of the field in its struct */
};

/* The public listener's connections, as the gate counts them (in struct
 * http_ocsp_counts). */
static const struct metric_field conn_metrics[] = {
    {"http_connections_open", "gauge",
	"Public connections held without a complete request.",
	offsetof(struct http_ocsp_counts, conn_open)},
    {"http_connections_accepted_total", "counter",
	"Public connections accepted.",
	offsetof(struct http_ocsp_counts, conn_accepted)},
    {"http_connections_evicted_total", "counter",
	"Public connections closed to make room (--max-connections or the "
	"request buffer budget).",
	offsetof(struct http_ocsp_counts, conn_evicted)},
    {"http_connections_idle_closed_total", "counter",
	"Public connections closed for sending nothing in time.",
	offsetof(struct http_ocsp_counts, conn_idle_closed)},
    {"http_request_timeouts_total", "counter",
	"Requests not complete 5 s after their first byte (408), or answers "
	"not taken in 30 s.",
	offsetof(struct http_ocsp_counts, req_timed_out)},
    {"http_requests_rejected_total", "counter",
	"Requests refused for their framing or size before a worker saw "
	"them (400, 413, 414, 417, 431, 501, 505).",
	offsetof(struct http_ocsp_counts, req_rejected)},
};

/* What the admin listener refused (in struct http_admin_counts). */
static const struct metric_field admin_metrics[] = {
    {"admin_auth_failures_total", "counter",
	"Admin requests with a wrong bearer token (401; a missing one "
	"is not counted).",
	offsetof(struct http_admin_counts, auth_failures)},
    {"admin_auth_limited_total", "counter",
	"Wrong bearer tokens answered 429 after repeated failures from "
	"their client.",
	offsetof(struct http_admin_counts, auth_limited)},
    {"admin_misdirected_total", "counter",
	"Admin requests whose Host names another server (421).",
	offsetof(struct http_admin_counts, misdirected)},
};

/* Each metric of t (n of them), its value read from base. */
static void
bfields(
    struct ob_buf *b, const struct metric_field *t, size_t n, const void *base)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bmeta(b, t[i].name, t[i].type, t[i].help);
		buf_printf(b, "ocspbox_%s %lld\n", t[i].name,
		    (long long)*(
			const int64_t *)((const char *)base + t[i].off));
	}
}

enum ob_err
metrics_text(const struct store_stats *s, const struct metrics_live *live,
    char **out, size_t *len)
{
	static const char *const methods[2] = {"GET", "POST"};
	static const struct {
		int code;
		const char *name;
	} statuses[] = {
	    {OCSP_SUCCESSFUL, "successful"},
	    {OCSP_MALFORMED, "malformed_request"},
	    {OCSP_INTERNAL_ERROR, "internal_error"},
	    {OCSP_TRY_LATER, "try_later"},
	    {OCSP_SIG_REQUIRED, "sig_required"},
	    {OCSP_UNAUTHORIZED, "unauthorized"},
	};
	static const char *const kinds[3] = {"good", "revoked", "unknown"};
	struct ob_buf b = {NULL, 0, 0, 0};
	const struct store_issuer_stats *is;
	const struct responder_hist *h;
	char dec[OB_CRLNUM_DEC + 1];
	int64_t cum, kind[3];
	size_t i, j, k;

	if (live != NULL && live->requests != NULL) {
		bmeta(&b, "requests_total", "counter",
		    "OCSP requests answered on the public listener, by HTTP "
		    "method and OCSP response status.");
		for (i = 0; i < 2; i++)
			for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]);
			     j++)
				buf_printf(&b,
				    "ocspbox_requests_total{method=\"%s\","
				    "status=\"%s\"} %lld\n",
				    methods[i], statuses[j].name,
				    (long long)live->requests
					->by[i][statuses[j].code]);
		bmeta(&b, "http_errors_total", "counter",
		    "Requests on the public listener answered with an HTTP "
		    "4xx (wrong method, path, type or size).");
		buf_printf(&b, "ocspbox_http_errors_total %lld\n",
		    (long long)live->requests->http_errors);
		bfields(&b, conn_metrics,
		    sizeof(conn_metrics) / sizeof(conn_metrics[0]),
		    live->requests);
	}
	if (live != NULL && live->admin != NULL)
		bfields(&b, admin_metrics,
		    sizeof(admin_metrics) / sizeof(admin_metrics[0]),
		    live->admin);
	if (live != NULL && live->totals != NULL) {
		bmeta(&b, "cache_hits_total", "counter",
		    "Requests answered from the pre-signed cache.");
		buf_printf(&b, "ocspbox_cache_hits_total %lld\n",
		    (long long)live->totals->hits);
		bmeta(&b, "cache_misses_total", "counter",
		    "Cacheable requests that found no fresh entry.");
		buf_printf(&b, "ocspbox_cache_misses_total %lld\n",
		    (long long)live->totals->misses);
		bmeta(&b, "live_signs_total", "counter",
		    "Responses signed while a client waited.");
		buf_printf(&b, "ocspbox_live_signs_total %lld\n",
		    (long long)live->totals->live_signs);
	}
	bmeta(&b, "cache_invalidations_total", "counter",
	    "Cached responses dropped by revokes, over the database's life.");
	buf_printf(&b, "ocspbox_cache_invalidations_total %lld\n",
	    (long long)s->invalidations);
	if (live != NULL && live->nhists > 0) {
		bmeta(&b, "sign_duration_seconds", "histogram",
		    "Time to sign one response (live and refresh), waiting "
		    "for a key context included.");
		for (i = 0; i < live->nhists; i++) {
			h = &live->hists[i];
			for (cum = 0, k = 0; k <= OB_SIGN_BUCKETS; k++) {
				cum += h->bucket[k];
				buf_printf(&b,
				    "ocspbox_sign_duration_seconds_bucket{"
				    "issuer=\"");
				blabel(&b, h->issuer);
				if (k < OB_SIGN_BUCKETS)
					buf_printf(&b, "\",le=\"%g\"} %lld\n",
					    ob_sign_buckets[k], (long long)cum);
				else
					buf_printf(&b, "\",le=\"+Inf\"} %lld\n",
					    (long long)cum);
			}
			buf_printf(
			    &b, "ocspbox_sign_duration_seconds_sum{issuer=\"");
			blabel(&b, h->issuer);
			buf_printf(&b, "\"} %.6f\n", (double)h->sum_us / 1e6);
			buf_printf(&b,
			    "ocspbox_sign_duration_seconds_count{issuer=\"");
			blabel(&b, h->issuer);
			buf_printf(&b, "\"} %lld\n", (long long)h->count);
		}
	}
	if (s->have_run) {
		bmeta(&b, "refresh_last_run_timestamp_seconds", "gauge",
		    "When the last refresh pass started (Unix time).");
		buf_printf(&b,
		    "ocspbox_refresh_last_run_timestamp_seconds %lld\n",
		    (long long)s->last_run.started_at);
		bmeta(&b, "refresh_last_duration_seconds", "gauge",
		    "How long the last refresh pass took.");
		buf_printf(&b, "ocspbox_refresh_last_duration_seconds %.3f\n",
		    (double)s->last_run.duration_ms / 1000);
		bmeta(&b, "refresh_last_signed", "gauge",
		    "Responses the last refresh pass signed.");
		buf_printf(&b, "ocspbox_refresh_last_signed %lld\n",
		    (long long)s->last_run.nsigned);
		bmeta(&b, "refresh_last_errors", "gauge",
		    "Signatures or writes the last refresh pass failed.");
		buf_printf(&b, "ocspbox_refresh_last_errors %lld\n",
		    (long long)s->last_run.errors);
	}
	if (live != NULL && live->interval > 0) {
		bmeta(&b, "refresh_running", "gauge",
		    "1 while a refresh pass runs.");
		buf_printf(&b, "ocspbox_refresh_running %d\n", live->running);
		bmeta(&b, "refresh_interval_seconds", "gauge",
		    "The refresh interval.");
		buf_printf(&b, "ocspbox_refresh_interval_seconds %lld\n",
		    (long long)live->interval);
	}
	bmeta(&b, "cache_entries", "gauge",
	    "Cached responses per issuer and certificate status.");
	for (i = 0; i < s->nissuers; i++) {
		is = &s->issuers[i];
		kind[0] = is->good;
		kind[1] = is->revoked;
		kind[2] = is->unknown;
		for (k = 0; k < 3; k++) {
			buf_puts(&b, "ocspbox_cache_entries{issuer=\"");
			blabel(&b, is->id);
			buf_printf(&b, "\",status=\"%s\"} %lld\n", kinds[k],
			    (long long)kind[k]);
		}
	}
	bmeta(&b, "cache_stale_entries", "gauge",
	    "Cached responses past their nextUpdate, per issuer (never "
	    "served).");
	for (i = 0; i < s->nissuers; i++) {
		buf_puts(&b, "ocspbox_cache_stale_entries{issuer=\"");
		blabel(&b, s->issuers[i].id);
		buf_printf(&b, "\"} %lld\n", (long long)s->issuers[i].stale);
	}
	bmeta(&b, "crl_number", "gauge",
	    "The cRLNumber of the cached CRL, per issuer with one.");
	for (i = 0; i < s->nissuers; i++)
		if (s->issuers[i].crl_present) {
			/* Exact; a scraper rounds it to a float64 past 2^53 */
			util_crlnum_dec(&s->issuers[i].crl_number, dec);
			buf_puts(&b, "ocspbox_crl_number{issuer=\"");
			blabel(&b, s->issuers[i].id);
			buf_printf(&b, "\"} %s\n", dec);
		}
	bmeta(&b, "crl_next_update_timestamp_seconds", "gauge",
	    "When the cached CRL expires, per issuer with one.");
	for (i = 0; i < s->nissuers; i++)
		if (s->issuers[i].crl_present) {
			buf_printf(&b,
			    "ocspbox_crl_next_update_timestamp_seconds{"
			    "issuer=\"");
			blabel(&b, s->issuers[i].id);
			buf_printf(&b, "\"} %lld\n",
			    (long long)s->issuers[i].crl_next_update);
		}
	bmeta(&b, "crl_revoked_entries", "gauge",
	    "Entries on the cached CRL, per issuer with one.");
	for (i = 0; i < s->nissuers; i++)
		if (s->issuers[i].crl_present) {
			buf_puts(&b, "ocspbox_crl_revoked_entries{issuer=\"");
			blabel(&b, s->issuers[i].id);
			buf_printf(&b, "\"} %lld\n",
			    (long long)s->issuers[i].crl_revoked);
		}
	bmeta(&b, "crl_last_attempt_failed", "gauge",
	    "1 when the last attempt to build the CRL failed, per issuer "
	    "with a CRL key.");
	for (i = 0; i < s->nissuers; i++)
		if (s->issuers[i].crl_key) {
			buf_printf(
			    &b, "ocspbox_crl_last_attempt_failed{issuer=\"");
			blabel(&b, s->issuers[i].id);
			buf_printf(
			    &b, "\"} %d\n", s->issuers[i].crl_error[0] != '\0');
		}
	if (live != NULL && live->requests != NULL) {
		bmeta(&b, "crl_requests_total", "counter",
		    "CRLs served on the public listener (200 or 304) since "
		    "start.");
		buf_printf(&b, "ocspbox_crl_requests_total %lld\n",
		    (long long)live->requests->crl);
	}
	return buf_finish(&b, out, len);
}
