/*
 * Unit tests for responder.c: responder_answer without HTTP, on a real
 * database made through the store and the signer over a test PKI from
 * scripts/mkpki.sh. One row per case: a request (made by `openssl ocsp`,
 * or bytes that are not one) and what was there before it, against the
 * answer's OCSPResponseStatus, whether the cache or a live signature
 * answered, each CertID's status as `openssl ocsp` reads the answer,
 * whether a nonce was echoed, and the unknown flag. Run from the top of
 * the tree; needs sh and openssl.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "harness.h"

#define VALIDITY 3600
#define BACKDATE 60
/* The revocations the rows make, and how openssl prints them. */
#define REVOKED_AT 1700000000
#define REVOKED_AT_TEXT "Revocation Time: Nov 14 22:13:20 2023 GMT"
#define REASON 1
#define REASON_TEXT "Revocation Reason: keyCompromise (0x1)"

/*
 * The requests, made once into DIR/req/NAME.der by `openssl ocsp ARGS`
 * in the PKI's directory, or by sh for those that are not one. The
 * database serves ca-rsa (issuer "rsa") and ca-ec (issuer "ec"), each
 * with a delegated responder; ca-other is not served.
 */
static const struct {
	const char *name, *openssl, *sh;
} requests[] = {
    {"plain", "-issuer ca-rsa.pem -serial 0x0A01 -no_nonce", NULL},
    {"nonce", "-issuer ca-rsa.pem -serial 0x0A01", NULL},
    {"several",
	"-issuer ca-rsa.pem -serial 0x0A01 -serial 0x0A03 -serial 0x0A99 "
	"-no_nonce",
	NULL},
    {"sha256", "-issuer ca-rsa.pem -sha256 -serial 0x0A01 -no_nonce", NULL},
    {"unknown", "-issuer ca-rsa.pem -serial 0x0A99 -no_nonce", NULL},
    {"revoked", "-issuer ca-rsa.pem -serial 0x0A03 -no_nonce", NULL},
    {"ec", "-issuer ca-ec.pem -serial 0x0B01 -no_nonce", NULL},
    {"other", "-issuer ca-other.pem -serial 0x0C01 -no_nonce", NULL},
    {"two-issuers",
	"-issuer ca-rsa.pem -serial 0x0A01 -issuer ca-ec.pem -serial 0x0B01 "
	"-no_nonce",
	NULL},
    {"garbage", NULL, "printf 'not an OCSP request'"},
    {"empty", NULL, ":"},
};

/* What was there before the request. */
enum pre {
	PRE_NONE, /* the fixture only */
	PRE_ASKED, /* the plain request answered once: a miss, cached */
	PRE_REVOKED, /* PRE_ASKED, then rsa/a01 revoked (REVOKED_AT, REASON) */
	PRE_STALE, /* an entry of rsa/a01 whose nextUpdate has passed */
	PRE_SATURATED, /* PRE_ASKED, then every signing context busy */
};

/* Who answered, as the counters tell. */
enum path {
	PATH_NONE, /* nobody: an error answer, no counter moves */
	PATH_HIT, /* the cache: hits + 1 */
	PATH_MISS, /* misses + 1 and one live signature, written back */
	PATH_LIVE, /* one live signature, nothing written */
};

static const char *const path_names[] = {"none", "hit", "miss", "live"};

static const struct row {
	const char *name;
	/* {request, pre-state} */
	const char *req; /* of requests[] */
	size_t cut; /* bytes cut off its end */
	enum pre pre;
	/* -> */
	struct want {
		enum ocsp_resp_status status;
		enum path path;
		const char *singles; /* "hash serial status,...", by openssl */
		int nonce; /* echoed */
		int unknown; /* the flag */
	} want;
	const char *watch; /* the cache entry looked at: "issuer/serial" */
} rows[] = {
    {"miss", "plain", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0A01 good", 0, 0}, "rsa/a01"},
    {"cached", "plain", 0, PRE_ASKED,
	{OCSP_SUCCESSFUL, PATH_HIT, "sha1 0A01 good", 0, 0}, "rsa/a01"},
    {"nonce", "nonce", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_LIVE, "sha1 0A01 good", 1, 0}, "rsa/a01"},
    {"nonce_over_cache", "nonce", 0, PRE_ASKED,
	{OCSP_SUCCESSFUL, PATH_LIVE, "sha1 0A01 good", 1, 0}, "rsa/a01"},
#ifdef OB_TEST_HOOKS
    {"nonce_saturated", "nonce", 0, PRE_SATURATED,
	{OCSP_SUCCESSFUL, PATH_HIT, "sha1 0A01 good", 0, 0}, "rsa/a01"},
#endif
    {"several", "several", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_LIVE,
	    "sha1 0A01 good,sha1 0A03 revoked,sha1 0A99 unknown", 0, 1},
	"rsa/a01"},
    {"sha256", "sha256", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_LIVE, "sha256 0A01 good", 0, 0}, "rsa/a01"},
    {"unknown", "unknown", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0A99 unknown", 0, 1}, "rsa/a99"},
    {"revoked", "revoked", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0A03 revoked", 0, 0}, "rsa/a03"},
    {"revoked_after_cache", "plain", 0, PRE_REVOKED,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0A01 revoked", 0, 0}, "rsa/a01"},
    {"stale", "plain", 0, PRE_STALE,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0A01 good", 0, 0}, "rsa/a01"},
    {"second_issuer", "ec", 0, PRE_NONE,
	{OCSP_SUCCESSFUL, PATH_MISS, "sha1 0B01 good", 0, 0}, "ec/b01"},
    {"unauthorized", "other", 0, PRE_NONE,
	{OCSP_UNAUTHORIZED, PATH_NONE, NULL, 0, 0}, "rsa/a01"},
    {"two_issuers", "two-issuers", 0, PRE_NONE,
	{OCSP_UNAUTHORIZED, PATH_NONE, NULL, 0, 0}, "ec/b01"},
    {"truncated", "plain", 1, PRE_NONE, {OCSP_MALFORMED, PATH_NONE, NULL, 0, 0},
	"rsa/a01"},
    {"garbage", "garbage", 0, PRE_NONE, {OCSP_MALFORMED, PATH_NONE, NULL, 0, 0},
	"rsa/a01"},
    {"empty", "empty", 0, PRE_NONE, {OCSP_MALFORMED, PATH_NONE, NULL, 0, 0},
	"rsa/a01"},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static char dir[64], err[OB_ERRBUF];

/* ---- helpers ------------------------------------------------------------ */

/* Reads DIR/req/NAME.der into a malloc'd buffer of exactly *len bytes. */
static unsigned char *
read_req(const char *name, size_t *len)
{
	char path[256];
	unsigned char *buf = NULL;
	FILE *f;
	long n;

	*len = 0;
	snprintf(path, sizeof(path), "%s/req/%s.der", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(n > 0 ? (size_t)n : 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
write_file(const char *path, const unsigned char *p, size_t n)
{
	FILE *f;
	int ok;

	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

/*
 * A fresh database at path made through the real code: issuers "rsa"
 * (ca-rsa, delegated responder resp-rsa) and "ec" (ca-ec, resp-ec);
 * certificates rsa/a01 and rsa/a02 good, rsa/a03 revoked at REVOKED_AT
 * for REASON, ec/b01 good. NULL on failure, said on stderr.
 */
static struct store *
fixture(const char *path)
{
	static const struct {
		const char *id, *ca, *resp;
	} iss[] = {{"rsa", "ca-rsa", "resp-rsa"}, {"ec", "ca-ec", "resp-ec"}};
	static const struct {
		const char *issuer, *serial;
	} certs[] = {
	    {"rsa", "a01"}, {"rsa", "a02"}, {"rsa", "a03"}, {"ec", "b01"}};
	struct store_issuer is;
	struct store *st = NULL;
	char ca[128], resp[128], key[128];
	int64_t not_after = (int64_t)time(NULL) + 365 * 86400;
	size_t i;

	if (store_open(path, 1, &st, err, sizeof(err)) != OB_OK ||
	    store_migrate(st, 0, NULL, err, sizeof(err)) != OB_OK)
		goto fail;
	for (i = 0; i < sizeof(iss) / sizeof(iss[0]); i++) {
		snprintf(ca, sizeof(ca), "%s/pki/%s.pem", dir, iss[i].ca);
		snprintf(resp, sizeof(resp), "%s/pki/%s.pem", dir, iss[i].resp);
		snprintf(key, sizeof(key), "%s/pki/%s.key", dir, iss[i].resp);
		if (signer_check_issuer(
			ca, resp, key, NULL, &is, err, sizeof(err)) != OB_OK)
			goto fail;
		snprintf(is.id, sizeof(is.id), "%s", iss[i].id);
		if (is.resp_is_ca ||
		    store_issuer_add(st, &is, err, sizeof(err)) != OB_OK) {
			store_issuer_clear(&is);
			goto fail;
		}
		store_issuer_clear(&is);
	}
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
		if (store_cert_add(st, certs[i].issuer, certs[i].serial,
			not_after, "CN=leaf", 0, err, sizeof(err)) != OB_OK)
			goto fail;
	if (store_revoke(st, "rsa", "a03", REASON, REVOKED_AT, NULL, err,
		sizeof(err)) != OB_OK)
		goto fail;
	return st;
fail:
	fprintf(stderr, "  fixture %s: %s\n", path, err);
	store_close(st);
	return NULL;
}

/* The cache entry of key ("issuer/serial") current now, or NULL. */
static unsigned char *
cached(struct store *st, const char *key, size_t *len)
{
	char issuer[OB_ID_MAX + 1];
	unsigned char *der = NULL;
	int64_t tu, nu;
	size_t n = strcspn(key, "/");
	int status;

	*len = 0;
	if (n >= sizeof(issuer) || key[n] != '/')
		return NULL;
	memcpy(issuer, key, n);
	issuer[n] = '\0';
	if (store_cache_get(st, issuer, key + n + 1, (int64_t)time(NULL),
		VALIDITY, &der, len, &tu, &nu, &status, err,
		sizeof(err)) != OB_OK)
		return NULL;
	return der;
}

static int
same_bytes(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
	return a != NULL && b != NULL && al == bl && memcmp(a, b, al) == 0;
}

/* The path the counters moved from c0 to c1 tell; -1 for none. */
static int
path_of(
    const struct responder_counters *c0, const struct responder_counters *c1)
{
	int64_t h = c1->hits - c0->hits, m = c1->misses - c0->misses,
		l = c1->live_signs - c0->live_signs;

	if (h == 0 && m == 0 && l == 0)
		return PATH_NONE;
	if (h == 1 && m == 0 && l == 0)
		return PATH_HIT;
	if (h == 0 && m == 1 && l == 1)
		return PATH_MISS;
	if (h == 0 && m == 0 && l == 1)
		return PATH_LIVE;
	fprintf(stderr,
	    "  counters moved: hits %+lld misses %+lld live %+lld\n",
	    (long long)h, (long long)m, (long long)l);
	return -1;
}

/* Answers req; returns the path the counters say it took. */
static int
answer(struct responder *r, const unsigned char *req, size_t len,
    struct responder_answer *out)
{
	struct responder_counters c0, c1;

	cache_counters_peek(responder_cache(r), &c0);
	responder_answer(r, req, len, out);
	cache_counters_peek(responder_cache(r), &c1);
	return path_of(&c0, &c1);
}

/* ---- the independent reading: openssl ocsp ------------------------------ */

/* What `openssl ocsp -respin` made of an answer. */
struct view {
	char status[32]; /* OCSPResponseStatus, as openssl names it */
	char singles[256]; /* "hash serial status,...", in order */
	int verified; /* "Response verify OK" */
	int nonce; /* a nonce extension in the response */
	int nonce_warning; /* the request has a nonce, the response none */
	int nonce_error; /* the nonces differ */
	int revoked_at, reason; /* REVOKED_AT_TEXT, REASON_TEXT shown */
};

static void
copy_word(char *dst, size_t cap, const char *src)
{
	size_t n = strcspn(src, " \n");

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Reads openssl's lines from fp into v. */
static void
view_lines(FILE *fp, struct view *v)
{
	char line[512], hash[16] = "", serial[80] = "";
	const char *p;
	size_t n;

	while (fgets(line, sizeof(line), fp) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "OCSP Response Status: ", 22) == 0)
			copy_word(v->status, sizeof(v->status), p + 22);
		else if (strncmp(p, "Responder Error: ", 17) == 0)
			copy_word(v->status, sizeof(v->status), p + 17);
		else if (strncmp(p, "Hash Algorithm: ", 16) == 0)
			copy_word(hash, sizeof(hash), p + 16);
		else if (strncmp(p, "Serial Number: ", 15) == 0 && hash[0])
			copy_word(serial, sizeof(serial), p + 15);
		else if (strncmp(p, "Cert Status: ", 13) == 0 && serial[0]) {
			/* A SingleResponse, after its CertID. */
			n = strlen(v->singles);
			snprintf(v->singles + n, sizeof(v->singles) - n,
			    "%s%s %s ", n ? "," : "", hash, serial);
			n = strlen(v->singles);
			copy_word(
			    v->singles + n, sizeof(v->singles) - n, p + 13);
			hash[0] = serial[0] = '\0';
		} else if (strncmp(p, "OCSP Nonce", 10) == 0)
			v->nonce = 1;
		else if (strncmp(p, "Response verify OK", 18) == 0)
			v->verified = 1;
		else if (strncmp(p, "WARNING: no nonce in response", 29) == 0)
			v->nonce_warning = 1;
		else if (strncmp(p, "Nonce Verify error", 18) == 0)
			v->nonce_error = 1;
		else if (strncmp(p, REVOKED_AT_TEXT, strlen(REVOKED_AT_TEXT)) ==
		    0)
			v->revoked_at = 1;
		else if (strncmp(p, REASON_TEXT, strlen(REASON_TEXT)) == 0)
			v->reason = 1;
	}
}

/*
 * Runs openssl ocsp on the DER response at resp: its signature verified
 * against the served CAs and its nonce checked against the request at
 * reqfile (NULL: neither, -noverify). stdout and stderr are read apart:
 * together they interleave mid-line. 0 when openssl could not be run.
 */
static int
openssl_view(const char *resp, const char *reqfile, struct view *v)
{
	char cmd[1024], errfile[160];
	FILE *fp;

	memset(v, 0, sizeof(*v));
	snprintf(errfile, sizeof(errfile), "%s.err", resp);
	if (reqfile != NULL)
		snprintf(cmd, sizeof(cmd),
		    "openssl ocsp -respin %s -resp_text -CAfile %s/pki/cas.pem "
		    "-reqin %s 2>%s",
		    resp, dir, reqfile, errfile);
	else
		snprintf(cmd, sizeof(cmd),
		    "openssl ocsp -respin %s -resp_text -noverify 2>%s", resp,
		    errfile);
	if ((fp = popen(cmd, "r")) == NULL)
		return 0;
	view_lines(fp, v);
	if (pclose(fp) == -1 || (fp = fopen(errfile, "r")) == NULL)
		return 0;
	view_lines(fp, v);
	fclose(fp);
	return 1;
}

/* An OCSPResponseStatus as openssl names it. */
static const char *
status_name(enum ocsp_resp_status s)
{
	switch (s) {
	case OCSP_SUCCESSFUL:
		return "successful";
	case OCSP_MALFORMED:
		return "malformedrequest";
	case OCSP_INTERNAL_ERROR:
		return "internalerror";
	case OCSP_TRY_LATER:
		return "trylater";
	case OCSP_SIG_REQUIRED:
		return "sigrequired";
	case OCSP_UNAUTHORIZED:
		return "unauthorized";
	}
	return "?";
}

/* ---- pre-states --------------------------------------------------------- */

/*
 * Answers the plain request (rsa/a01) once: it must be a miss, signed
 * and written back as it was sent. *der (malloc'd) is that answer.
 */
static void
ask_first(
    struct responder *r, struct store *st, unsigned char **der, size_t *len)
{
	struct responder_answer out;
	unsigned char *req, *ent;
	size_t rlen, elen;

	memset(&out, 0, sizeof(out));
	req = read_req("plain", &rlen);
	CHECK(req != NULL);
	CHECK(answer(r, req, rlen, &out) == PATH_MISS);
	CHECK(out.status == OCSP_SUCCESSFUL && out.der != NULL);
	ent = cached(st, "rsa/a01", &elen);
	CHECK(same_bytes(ent, elen, out.der, out.len));
	free(ent);
	free(req);
	*der = out.der;
	*len = out.len;
}

/*
 * Writes an entry of rsa/a01 signed 2 * VALIDITY ago, so past its
 * nextUpdate; *der (malloc'd) is what it holds.
 */
static void
write_stale(
    struct responder *r, struct store *st, unsigned char **der, size_t *len)
{
	struct store_cache_entry ent;
	struct store_todo t;
	struct issuers *iss;
	int64_t now = (int64_t)time(NULL);
	size_t written = 0, n;
	unsigned char *cur;

	memset(&t, 0, sizeof(t));
	snprintf(t.issuer_id, sizeof(t.issuer_id), "rsa");
	snprintf(t.serial, sizeof(t.serial), "a01");
	t.status = OCSP_GOOD;
	t.reason = -1;
	iss = responder_issuers_hold(r);
	CHECK(responder_presign(r, iss, &t, now - 2 * VALIDITY, &ent) == OB_OK);
	issuers_release(iss);
	CHECK(ent.der != NULL && ent.next_update < now);
	CHECK(store_cache_put(st, &ent, 1, now, VALIDITY, &written, err,
		  sizeof(err)) == OB_OK);
	CHECK(written == 1);
	/* There, but not current: the cache does not give it out. */
	cur = cached(st, "rsa/a01", &n);
	CHECK(cur == NULL);
	free(cur);
	*der = ent.der;
	*len = ent.len;
}

#ifdef OB_TEST_HOOKS
/*
 * How long each signature holds its signing context in the saturated
 * row: the OCSPBOX_TEST_SIGN_DELAY_MS hook of signer_open, compiled
 * into the SAN=asan and SAN=tsan builds only (OB_TEST_HOOKS).
 */
#define SIGN_DELAY_MS 2000
#define SIGN_DELAY_MS_TEXT "2000"

/* A request that holds the signer while the row's request comes. */
struct busy {
	struct responder *r;
	const unsigned char *req;
	size_t len;
	pthread_t th;
	struct responder_answer out;
};

static void *
busy_answer(void *arg)
{
	struct busy *b = arg;

	responder_answer(b->r, b->req, b->len, &b->out);
	return NULL;
}

/*
 * A second responder on db with one signing context, which b's request
 * (req, on another thread) holds for SIGN_DELAY_MS from about
 * SIGN_DELAY_MS / 4 after this returns. NULL on failure.
 */
static struct responder *
saturate(struct responder_conf conf, const unsigned char *req, size_t len,
    struct busy *b)
{
	struct responder *r = NULL;

	conf.nsign = 1;
	setenv("OCSPBOX_TEST_SIGN_DELAY_MS", SIGN_DELAY_MS_TEXT, 1);
	if (responder_new(&conf, &r, err, sizeof(err)) != OB_OK)
		fprintf(stderr, "  responder_new: %s\n", err);
	unsetenv("OCSPBOX_TEST_SIGN_DELAY_MS");
	if (r == NULL)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->r = r;
	b->req = req;
	b->len = len;
	if (pthread_create(&b->th, NULL, busy_answer, b) != 0) {
		responder_free(r);
		return NULL;
	}
	usleep(SIGN_DELAY_MS / 4 * 1000); /* until it is in signer_sign */
	return r;
}
#endif

/* The responder every test opens on db: two signers, the test's times. */
static struct responder_conf
test_conf(const char *db)
{
	struct responder_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.db_path = db;
	conf.nsign = 2;
	conf.validity = VALIDITY;
	conf.backdate = BACKDATE;
	conf.unknown_max = 100;
	return conf;
}

/* ---- the gate's own answers --------------------------------------------- */

struct quick {
	struct responder *r;
	const unsigned char *req;
	size_t len, max;
	struct responder_answer out;
	int ret;
};

static void *
quick_run(void *arg)
{
	struct quick *q = arg;

	q->ret = responder_answer_cached(q->r, q->req, q->len, q->max, &q->out);
	responder_cached_done(q->r);
	return NULL;
}

/*
 * responder_answer_cached on a thread of its own, as the HTTP gate's:
 * its result, *out (out->der malloc'd or NULL), and *path the counters
 * tell.
 */
static int
quick_answer(struct responder *r, const unsigned char *req, size_t len,
    size_t max, struct responder_answer *out, int *path)
{
	struct responder_counters c0, c1;
	struct quick q;
	pthread_t th;

	memset(&q, 0, sizeof(q));
	q.r = r;
	q.req = req;
	q.len = len;
	q.max = max;
	cache_counters_peek(responder_cache(r), &c0);
	if (pthread_create(&th, NULL, quick_run, &q) != 0) {
		memset(out, 0, sizeof(*out));
		*path = -1;
		return -1;
	}
	pthread_join(th, NULL);
	cache_counters_peek(responder_cache(r), &c1);
	*path = path_of(&c0, &c1);
	*out = q.out;
	return q.ret;
}

/*
 * The gate answers a row itself only when a worker would answer it from
 * the cache (a nonce never, even with every signer busy): the same
 * bytes, counted as one hit. A miss it could answer once signed it
 * declines with -1 (the worker hands the connection back); anything
 * else with 0; either way counting nothing. A cached response over its
 * max is declined with 0.
 */
static void
check_quick(const struct row *w, struct responder *r, const unsigned char *req,
    size_t len, const unsigned char *first, size_t flen)
{
	struct responder_answer q;
	int ret, path,
	    hit = w->want.path == PATH_HIT && w->pre != PRE_SATURATED,
	    want = hit                  ? 1
	    : w->want.path == PATH_MISS ? -1
					: 0;

	ret = quick_answer(r, req, len, 1 << 16, &q, &path);
	if (ret != want)
		fprintf(stderr, "  responder_answer_cached %d, want %d\n", ret,
		    want);
	CHECK(ret == want);
	if (hit) {
		CHECK(path == PATH_HIT);
		CHECK(q.status == OCSP_SUCCESSFUL && !q.nonce);
		CHECK(same_bytes(q.der, q.len, first, flen));
	} else
		CHECK(path == PATH_NONE && q.der == NULL);
	free(q.der);
	if (hit) {
		ret = quick_answer(r, req, len, flen - 1, &q, &path);
		CHECK(ret == 0 && path == PATH_NONE && q.der == NULL);
		free(q.der);
	}
}

/* ---- one row ------------------------------------------------------------ */

/* What responder_answer said of out, path and the cache around it. */
static void
check_answer(const struct want *w, const struct responder_answer *out, int path,
    int64_t now)
{
	CHECK(out->der != NULL);
	if (out->status != w->status)
		fprintf(stderr, "  status %s, want %s\n",
		    status_name(out->status), status_name(w->status));
	CHECK(out->status == w->status);
	if (path != (int)w->path)
		fprintf(stderr, "  path %s, want %s\n",
		    path >= 0 ? path_names[path] : "?", path_names[w->path]);
	CHECK(path == (int)w->path);
	CHECK(out->nonce == w->nonce);
	CHECK(out->unknown == w->unknown);
	if (out->status == OCSP_SUCCESSFUL) {
		CHECK(out->this_update <= now + 1 && out->next_update > now);
		CHECK(out->next_update <= (int64_t)time(NULL) + VALIDITY);
	} else
		CHECK(out->len == OCSP_ERROR_RESP_LEN);
}

/*
 * The watched cache entry, before and after: served as it was (a hit),
 * replaced by the answer (a miss), or untouched. first is what the
 * pre-state wrote, or NULL.
 */
static void
check_cache(const struct want *w, const struct responder_answer *out,
    const unsigned char *first, size_t flen, const unsigned char *before,
    size_t blen, const unsigned char *after, size_t alen)
{
	switch (w->path) {
	case PATH_HIT:
		CHECK(same_bytes(out->der, out->len, first, flen));
		CHECK(same_bytes(after, alen, first, flen));
		break;
	case PATH_MISS:
		CHECK(same_bytes(after, alen, out->der, out->len));
		CHECK(!same_bytes(out->der, out->len, first, flen));
		break;
	case PATH_NONE:
	case PATH_LIVE:
		CHECK((before == NULL && after == NULL) ||
		    same_bytes(after, alen, before, blen));
		break;
	}
}

/* What openssl reads in the answer (written to DIR/NAME.resp). */
static void
check_openssl(
    const struct row *w, const struct responder_answer *out, int req_nonce)
{
	char resp[128], reqfile[128];
	struct view v;

	snprintf(resp, sizeof(resp), "%s/%s.resp", dir, w->name);
	snprintf(reqfile, sizeof(reqfile), "%s/req/%s.der", dir, w->req);
	CHECK(out->der != NULL && write_file(resp, out->der, out->len));
	/* Only an answer with a body has a signature and a nonce. */
	CHECK(openssl_view(
	    resp, w->want.status == OCSP_SUCCESSFUL ? reqfile : NULL, &v));
	CHECK_STR(v.status, status_name(w->want.status));
	CHECK_STR(v.singles, w->want.singles != NULL ? w->want.singles : "");
	CHECK(v.nonce == w->want.nonce);
	CHECK(!v.nonce_error);
	CHECK(v.nonce_warning == (req_nonce && !w->want.nonce));
	CHECK(v.verified == (w->want.status == OCSP_SUCCESSFUL));
	if (w->want.singles != NULL &&
	    strstr(w->want.singles, "revoked") != NULL)
		CHECK(v.revoked_at && v.reason);
	else
		CHECK(!v.revoked_at && !v.reason);
}

static void
run_row(const struct row *w)
{
	struct responder_conf conf;
	struct responder *r = NULL, *rr;
	struct responder_answer out;
	struct store *st;
	struct ocsp_req q;
	struct timespec t0, t1;
	unsigned char *req = NULL, *before, *after, *first = NULL;
	size_t len = 0, blen, alen, flen = 0;
	char db[128];
	int64_t now, ms;
	int path, req_nonce;
#ifdef OB_TEST_HOOKS
	struct responder *r2 = NULL;
	struct busy busy;
#endif

	memset(&out, 0, sizeof(out));
	snprintf(db, sizeof(db), "%s/%s.db", dir, w->name);
	if ((st = fixture(db)) == NULL) {
		CHECK(st != NULL);
		return;
	}
	conf = test_conf(db);
	if (responder_new(&conf, &r, err, sizeof(err)) != OB_OK) {
		fprintf(stderr, "  responder_new: %s\n", err);
		CHECK(r != NULL);
		goto out;
	}
	rr = r;
	req = read_req(w->req, &len);
	CHECK(req != NULL && len >= w->cut);
	if (req == NULL || len < w->cut)
		goto out;
	len -= w->cut;
	req_nonce = ocsp_req_parse(req, len, &q) == OB_OK && q.nonce != NULL;

	switch (w->pre) {
	case PRE_NONE:
		break;
	case PRE_ASKED:
		ask_first(r, st, &first, &flen);
		break;
	case PRE_REVOKED:
		ask_first(r, st, &first, &flen);
		CHECK(store_revoke(st, "rsa", "a01", REASON, REVOKED_AT, NULL,
			  err, sizeof(err)) == OB_OK);
		break;
	case PRE_STALE:
		write_stale(r, st, &first, &flen);
		break;
	case PRE_SATURATED:
#ifdef OB_TEST_HOOKS
		ask_first(r, st, &first, &flen);
		r2 = saturate(conf, req, len, &busy);
		CHECK(r2 != NULL);
		if (r2 == NULL)
			goto out;
		rr = r2;
#endif
		break;
	}

	check_quick(w, rr, req, len, first, flen);
	before = cached(st, w->watch, &blen);
	now = (int64_t)time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	path = answer(rr, req, len, &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	after = cached(st, w->watch, &alen);

	check_answer(&w->want, &out, path, now);
	check_cache(&w->want, &out, first, flen, before, blen, after, alen);
	check_openssl(w, &out, req_nonce);
	free(before);
	free(after);
#ifdef OB_TEST_HOOKS
	if (r2 != NULL) {
		/* At once: not after the signature that holds the signer. */
		CHECK(ms < SIGN_DELAY_MS / 2);
		pthread_join(busy.th, NULL);
		/* That one was signed live, with its nonce. */
		CHECK(busy.out.status == OCSP_SUCCESSFUL && busy.out.nonce);
		free(busy.out.der);
	}
#endif
	(void)ms;
out:
#ifdef OB_TEST_HOOKS
	responder_free(r2);
#endif
	free(out.der);
	free(first);
	free(req);
	responder_free(r);
	store_close(st);
}

static void
run_index(size_t i)
{
	if (i < NROWS)
		run_row(&rows[i]);
}

/* One harness test per row, so that `test_responder NAME` runs one. */
#define ROW_TEST(i) \
	static void row_test_##i(void) \
	{ \
		run_index(i); \
	}
ROW_TEST(0)
ROW_TEST(1)
ROW_TEST(2)
ROW_TEST(3)
ROW_TEST(4)
ROW_TEST(5)
ROW_TEST(6)
ROW_TEST(7)
ROW_TEST(8)
ROW_TEST(9)
ROW_TEST(10)
ROW_TEST(11)
ROW_TEST(12)
ROW_TEST(13)
ROW_TEST(14)
ROW_TEST(15)
ROW_TEST(16)
ROW_TEST(17)
ROW_TEST(18)
ROW_TEST(19)
static void (*const row_tests[])(void) = {row_test_0, row_test_1, row_test_2,
    row_test_3, row_test_4, row_test_5, row_test_6, row_test_7, row_test_8,
    row_test_9, row_test_10, row_test_11, row_test_12, row_test_13, row_test_14,
    row_test_15, row_test_16, row_test_17, row_test_18, row_test_19};
_Static_assert(
    NROWS <= sizeof(row_tests) / sizeof(row_tests[0]), "one ROW_TEST per row");

/* A thread answering the plain request until *stop; counts failures. */
struct asker {
	struct responder *r;
	const unsigned char *req;
	size_t len;
	int *stop; /* atomic */
	int answered, failed;
	pthread_t th;
};

static void *
asker_main(void *arg)
{
	struct asker *a = arg;
	struct responder_answer out;

	while (!__atomic_load_n(a->stop, __ATOMIC_RELAXED)) {
		responder_answer(a->r, a->req, a->len, &out);
		if (out.der == NULL || out.status != OCSP_SUCCESSFUL)
			a->failed++;
		a->answered++;
		free(out.der);
	}
	return NULL;
}

/*
 * Reloads while two threads answer: the responder of rsa swapped between
 * the delegated one and the CA itself ten times, each seen by
 * responder_reload as a rotation, no answer failing; a table held from
 * before still signs; superseded tables are counted until released; a
 * reload with nothing changed reads nothing, a forced one re-reads
 * without a rotation.
 */
static void
test_reload(void)
{
	struct responder_conf conf;
	struct responder *r = NULL;
	struct store_issuer *v = NULL, upd;
	struct store_cache_entry ent;
	struct store_todo t;
	struct store_resign rs[4];
	struct issuers *t0 = NULL, *t1;
	struct asker a[2];
	struct store *st;
	unsigned char *req = NULL;
	char db[128], cert[128], key[128];
	size_t len = 0, n = 0, i;
	int stop = 0, rot = -1, k;

	snprintf(db, sizeof(db), "%s/reload.db", dir);
	if ((st = fixture(db)) == NULL) {
		CHECK(st != NULL);
		return;
	}
	conf = test_conf(db);
	CHECK(responder_new(&conf, &r, err, sizeof(err)) == OB_OK);
	req = read_req("plain", &len);
	CHECK(r != NULL && req != NULL);
	if (r == NULL || req == NULL)
		goto out;
	CHECK(store_issuer_records(st, &v, &n, err, sizeof(err)) == OB_OK);
	for (i = 0; i < n && strcmp(v[i].id, "rsa") != 0; i++)
		;
	CHECK(i < n);
	if (i == n)
		goto out;
	t0 = responder_issuers_hold(r);
	CHECK(responder_reload(r, 0, &rot, err, sizeof(err)) == OB_OK);
	CHECK(rot == 0);
	CHECK(issuers_resign(t0, NULL, 0) == 0);
	for (k = 0; k < 2; k++) {
		memset(&a[k], 0, sizeof(a[k]));
		a[k].r = r;
		a[k].req = req;
		a[k].len = len;
		a[k].stop = &stop;
		CHECK(pthread_create(&a[k].th, NULL, asker_main, &a[k]) == 0);
	}
	for (k = 0; k < 10; k++) {
		snprintf(cert, sizeof(cert), "%s/pki/%s.pem", dir,
		    k % 2 == 0 ? "ca-rsa" : "resp-rsa");
		snprintf(key, sizeof(key), "%s/pki/%s.key", dir,
		    k % 2 == 0 ? "ca-rsa" : "resp-rsa");
		CHECK(signer_check_update(&v[i], cert, key, NULL, &upd, err,
			  sizeof(err)) == OB_OK);
		CHECK(upd.resp_is_ca == (k % 2 == 0));
		CHECK(store_issuer_update(
			  st, "rsa", &upd, NULL, err, sizeof(err)) == OB_OK);
		store_issuer_clear(&upd);
		CHECK(responder_reload(r, 0, &rot, err, sizeof(err)) == OB_OK);
		CHECK(rot == 2);
		usleep(20000);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < 2; k++) {
		pthread_join(a[k].th, NULL);
		CHECK(a[k].answered > 0 && a[k].failed == 0);
	}
	CHECK(responder_reload(r, 0, &rot, err, sizeof(err)) == OB_OK);
	CHECK(rot == 0);
	CHECK(responder_reload(r, 1, &rot, err, sizeof(err)) == OB_OK);
	CHECK(rot == 1);
	/* The table from before still signs, with the first responder. */
	CHECK(responder_retired(r) >= 1);
	memset(&t, 0, sizeof(t));
	snprintf(t.issuer_id, sizeof(t.issuer_id), "rsa");
	snprintf(t.serial, sizeof(t.serial), "a01");
	t.reason = -1;
	CHECK(responder_presign(r, t0, &t, (int64_t)time(NULL), &ent) == OB_OK);
	free(ent.der);
	issuers_release(t0);
	t0 = NULL;
	CHECK(responder_retired(r) == 0);
	/* rsa's entries are to be re-signed: its responder changed. */
	t1 = responder_issuers_hold(r);
	CHECK(issuers_resign(t1, rs, 4) == 1);
	CHECK(strcmp(rs[0].issuer_id, "rsa") == 0);
	issuers_resign_done(t1, rs, 1);
	CHECK(issuers_resign(t1, NULL, 0) == 0);
	issuers_release(t1);
out:
	issuers_release(t0);
	store_issuer_list_free(v, n);
	free(req);
	responder_free(r);
	store_close(st);
}

/*
 * A fresh database NAME.db in DIR with the fixture's issuers, a responder
 * on it, and the plain request answered once (ask_first): *st, *r and
 * *first (malloc'd, *flen bytes), which the caller frees. 0, with a
 * failed CHECK and nothing to free, when one cannot be made.
 */
static int
answered_once(const char *name, struct store **st, struct responder **r,
    unsigned char **first, size_t *flen)
{
	struct responder_conf conf;
	char db[128];

	snprintf(db, sizeof(db), "%s/%s.db", dir, name);
	*r = NULL;
	if ((*st = fixture(db)) == NULL) {
		CHECK(*st != NULL);
		return 0;
	}
	conf = test_conf(db);
	if (responder_new(&conf, r, err, sizeof(err)) != OB_OK) {
		CHECK(*r != NULL);
		store_close(*st);
		return 0;
	}
	ask_first(*r, *st, first, flen);
	return 1;
}

/* What quick_snapshot's thread, the gate's, saw. */
struct snap {
	struct responder *r;
	struct store *st; /* the test's, to revoke through */
	unsigned char *req;
	size_t len;
	int held, after, revoked;
	unsigned char *before_der, *held_der;
	size_t before_len, held_len;
};

static void *
snap_run(void *arg)
{
	struct snap *s = arg;
	struct responder_answer a;

	/* A hit, then a revoke while the transaction is held: the same
	 * snapshot still answers "good", as it must for a request received
	 * before the revoke; after done, the next call sees the revoke. */
	if (responder_answer_cached(s->r, s->req, s->len, 1 << 16, &a) == 1) {
		s->before_der = a.der;
		s->before_len = a.len;
	}
	s->revoked = store_revoke(s->st, "rsa", "a01", REASON, REVOKED_AT, NULL,
			 err, sizeof(err)) == OB_OK;
	s->held = responder_answer_cached(s->r, s->req, s->len, 1 << 16, &a);
	s->held_der = a.der;
	s->held_len = a.len;
	responder_cached_done(s->r);
	s->after = responder_answer_cached(s->r, s->req, s->len, 1 << 16, &a);
	free(a.der);
	responder_cached_done(s->r);
	return NULL;
}

/*
 * responder_answer_cached shares one snapshot until responder_cached_done
 * and sees a revoke committed meanwhile only after it: the contract the
 * gate's batches rely on (each request's bytes read before the first).
 */
static void
test_quick_snapshot(void)
{
	struct responder *r;
	struct store *st;
	struct snap s;
	pthread_t th;
	unsigned char *first = NULL;
	size_t flen = 0;

	memset(&s, 0, sizeof(s));
	if (!answered_once("quick_snapshot", &st, &r, &first, &flen))
		return;
	s.r = r;
	s.st = st;
	s.req = read_req("plain", &s.len);
	CHECK(s.req != NULL);
	if (s.req != NULL && pthread_create(&th, NULL, snap_run, &s) == 0)
		pthread_join(th, NULL);
	CHECK(same_bytes(s.before_der, s.before_len, first, flen));
	CHECK(s.revoked);
	CHECK(s.held == 1 && same_bytes(s.held_der, s.held_len, first, flen));
	CHECK(s.after == -1); /* the revoke dropped it: a miss, to sign */
	free(s.before_der);
	free(s.held_der);
	free(s.req);
	free(first);
	responder_free(r);
	store_close(st);
}

/*
 * responder_answer_cached never reads a page from the disk: with the
 * database out of the kernel's page cache it declines with -1 (this
 * request only, counting nothing); once a worker's answer has read the
 * pages it answers the same bytes. Up to 3 tries: each quick_answer
 * opens its thread's connection after the eviction, with plain reads,
 * and the kernel's readahead may bring the entry's pages back with them.
 */
static void
test_quick_not_in_memory(void)
{
	struct responder_answer q, out;
	struct responder *r;
	struct store *st;
	unsigned char *first = NULL, *req = NULL;
	size_t flen = 0, rlen = 0;
	char db[128], serial[16];
	long left = -1;
	int ret = 0, path, try;

	if (!answered_once("quick_not_in_memory", &st, &r, &first, &flen))
		return;
	snprintf(db, sizeof(db), "%s/quick_not_in_memory.db", dir);
	req = read_req("plain", &rlen);
	CHECK(req != NULL);
	if (req == NULL)
		goto out;
	if (!store_reads_nowait_works(db)) {
		printf("  note: no RWF_NOWAIT reads on %s: skipped\n", dir);
		goto out;
	}
	for (try = 1; try <= 3 && ret != -1; try++) {
		/* Another connection writes: the responder's connections
		 * drop the pages they hold, so their next reads come from
		 * the file. */
		snprintf(serial, sizeof(serial), "7e5%d", try);
		CHECK(store_cert_add(st, "rsa", serial, INT64_MIN, NULL, 0, err,
			  sizeof(err)) == OB_OK);
		if ((left = harness_evict(db)) != 0)
			break;
		/* A thread of its own: a connection of its own. */
		ret = quick_answer(r, req, rlen, 1 << 16, &q, &path);
		CHECK(ret == -1 || (ret == 1 && path == PATH_HIT));
		CHECK(ret == 1 || (path == PATH_NONE && q.der == NULL));
		free(q.der);
	}
	if (left != 0) {
		printf("  note: %s pages stay in memory (tmpfs?): skipped\n",
		    left < 0 ? "cannot tell whether" : "some");
		goto out;
	}
	if (ret != -1)
		fprintf(stderr, "  a lookup read evicted pages in 3 tries\n");
	CHECK(ret == -1);
	memset(&out, 0, sizeof(out));
	CHECK(answer(r, req, rlen, &out) == PATH_HIT);
	CHECK(same_bytes(out.der, out.len, first, flen));
	free(out.der);
	ret = quick_answer(r, req, rlen, 1 << 16, &q, &path);
	CHECK(ret == 1 && path == PATH_HIT);
	CHECK(same_bytes(q.der, q.len, first, flen));
	free(q.der);
out:
	free(req);
	free(first);
	responder_free(r);
	store_close(st);
}

/* The PKI, the CA bundle and the requests, made once into DIR. */
static int
setup(void)
{
	char cmd[512];
	size_t i;

	snprintf(cmd, sizeof(cmd),
	    "sh scripts/mkpki.sh %s/pki >/dev/null 2>&1 && mkdir %s/req && "
	    "cat %s/pki/ca-rsa.pem %s/pki/ca-ec.pem >%s/pki/cas.pem",
	    dir, dir, dir, dir, dir);
	if (system(cmd) != 0) {
		fprintf(
		    stderr, "cannot make the test PKI (run from the top)\n");
		return 0;
	}
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (requests[i].openssl != NULL)
			snprintf(cmd, sizeof(cmd),
			    "cd %s/pki && openssl ocsp %s "
			    "-reqout ../req/%s.der >/dev/null 2>&1",
			    dir, requests[i].openssl, requests[i].name);
		else
			snprintf(cmd, sizeof(cmd), "%s >%s/req/%s.der",
			    requests[i].sh, dir, requests[i].name);
		if (system(cmd) != 0) {
			fprintf(stderr, "cannot make request %s\n",
			    requests[i].name);
			return 0;
		}
	}
	return 1;
}

int
main(int argc, char **argv)
{
	struct test tests[NROWS + 4];
	char cmd[128];
	size_t i;
	int rc = 1;

	snprintf(dir, sizeof(dir), "/tmp/ocspbox-responder.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (setup()) {
#ifndef OB_TEST_HOOKS
		printf("note: row nonce_saturated needs the signing-delay "
		       "hook of the SAN=asan and SAN=tsan builds\n");
#endif
		for (i = 0; i < NROWS; i++) {
			tests[i].name = rows[i].name;
			tests[i].fn = row_tests[i];
		}
		tests[NROWS].name = "reload";
		tests[NROWS].fn = test_reload;
		tests[NROWS + 1].name = "quick_snapshot";
		tests[NROWS + 1].fn = test_quick_snapshot;
		tests[NROWS + 2].name = "quick_not_in_memory";
		tests[NROWS + 2].fn = test_quick_not_in_memory;
		tests[NROWS + 3].name = NULL;
		tests[NROWS + 3].fn = NULL;
		rc = harness_main(argc, argv, tests);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
