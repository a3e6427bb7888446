/*
 * The pure codecs: DER writing, OCSP requests and responses (RFC 6960),
 * GET paths, CRLs (RFC 5280), `openssl ca` index lines and the schema
 * translator. No I/O, no globals: each is fuzzed, and includes nothing
 * of ours but ob.h and this header (the schema translator's two files
 * also schema_int.h; scripts/check-layers.sh checks).
 */
#ifndef OCSPBOX_CODEC_H
#define OCSPBOX_CODEC_H

#include "ob.h"

/* ---- schema.c, schema_lex.c: PostgreSQL-dialect migrations to SQLite ---- */

/*
 * Translates the migration text src (len bytes; the name is used in
 * errors) into SQLite DDL. On success *out is a NUL-terminated malloc'd
 * string the caller frees. On failure *out is NULL and errbuf holds one
 * line "NAME:LINE: what". Pure: no I/O, no globals.
 */
enum ob_err schema_translate(const char *name, const char *src, size_t len,
    char **out, char *errbuf, size_t errsz);

/* The migrations embedded at build time (build/gen/migrations.c). */
struct schema_migration {
	const char *version; /* "000024" */
	const char *name; /* "000024_ocsp_response_cache" */
	const char *up; /* the .up.sql text */
	size_t up_len;
	const char *down; /* the .down.sql text, or NULL */
	size_t down_len;
};
extern const struct schema_migration schema_migrations[];
extern const size_t schema_migrations_count;

/* ---- index.c: OpenSSL `ca` index.txt lines ------------------------------ */

/* One parsed line; subject borrows the line. */
struct index_entry {
	char status; /* 'V', 'R' or 'E' */
	int64_t not_after;
	int64_t revoked_at; /* R only */
	int reason; /* R only; -1 when none given */
	int64_t invalidity_at; /* keyTime, CAkeyTime; INT64_MIN: none */
	/* R only: what of the reason part could not be read, and so was
	 * left out; "" when all of it was read */
	char note[128];
	char serial[OB_SERIAL_HEX_MAX + 1];
	const char *subject; /* "" when absent */
};

/*
 * Parses one line of an OpenSSL index.txt (tab-separated: status, expiry,
 * revocation[,reason], serial, file, subject) of len bytes, without its
 * newline; line[len] must be writable. The line is modified (fields
 * NUL-terminated) and borrowed by out->subject. Returns OB_OK, or
 * OB_ERR_INVAL with one line in errbuf. An R line whose time reads is
 * OB_OK whatever follows it: a reason that cannot be read is left out
 * and said in out->note.
 */
enum ob_err index_parse_line(char *line, size_t len, struct index_entry *out,
    char *errbuf, size_t errsz);

/* ---- ocsp_req.c: OCSPRequest parsing (RFC 6960 4.1), pure --------------- */

/* Hard bounds: a request outside them is malformedRequest. */
#define OCSP_REQ_MAX_LEN (64 * 1024) /* DER bytes, as the HTTP cap */
#define OCSP_REQ_MAX_CERTIDS 32 /* Requests in one OCSPRequest */
#define OCSP_NONCE_MAX 32 /* RFC 8954 */

enum ocsp_hash {
	OCSP_HASH_OTHER = 0, /* parsed, but not one we match on */
	OCSP_HASH_SHA1,
	OCSP_HASH_SHA256,
};

/* One CertID; every pointer borrows the request buffer. */
struct ocsp_certid {
	enum ocsp_hash hash;
	const unsigned char *der; /* the whole CertID, to echo */
	size_t der_len;
	const unsigned char *name_hash; /* OCTET STRING contents */
	size_t name_hash_len;
	const unsigned char *key_hash;
	size_t key_hash_len;
	const unsigned char *serial; /* INTEGER contents */
	size_t serial_len;
};

struct ocsp_req {
	size_t ncertids;
	struct ocsp_certid certids[OCSP_REQ_MAX_CERTIDS];
	/*
	 * The nonce extension's extnValue contents (what to echo), and the
	 * nonce octets themselves (inside the inner OCTET STRING of RFC 8954;
	 * the whole extnValue for clients that send it bare). NULL if absent.
	 */
	const unsigned char *nonce_ext;
	size_t nonce_ext_len;
	const unsigned char *nonce;
	size_t nonce_len;
	int signed_req; /* optionalSignature present */
};

/*
 * Parses a DER OCSPRequest of len bytes. Borrows der: out points into it.
 * Returns OB_OK; OB_ERR_INVAL for anything that is not a well-formed DER
 * OCSPRequest (truncation, bad lengths, indefinite lengths, wrong tags,
 * trailing bytes, no CertID, a critical extension we do not know); and
 * OB_ERR_RANGE for one beyond the bounds above (too long, too many
 * CertIDs, a nonce of 0 or more than OCSP_NONCE_MAX octets). Pure: no
 * I/O, no allocation, any thread.
 */
enum ob_err ocsp_req_parse(
    const unsigned char *der, size_t len, struct ocsp_req *out);

/* ---- der.c: DER writing, backwards from the end of a buffer, pure ------ */

/*
 * A writer: each call writes before what is already written and returns
 * how many bytes it added. Once the buffer is full, full is set, every
 * later call is a no-op and the sizes returned mean nothing: a caller
 * checks full once, at the end.
 */
struct der_w {
	unsigned char *p; /* the first byte written so far */
	unsigned char *start;
	int full;
};

#define DER_SEQ 0x30 /* SEQUENCE, constructed */
#define DER_CTX(n) (0xa0 | (n)) /* [n] constructed, EXPLICIT */

void der_w_init(struct der_w *, unsigned char *buf, size_t cap);
size_t der_raw(struct der_w *, const unsigned char *, size_t);
size_t der_oid(struct der_w *, const char *oid, size_t len);
/* Prefixes the last len bytes written with tag and their length. */
size_t der_wrap(struct der_w *, size_t len, unsigned char tag);
size_t der_uint(struct der_w *, uint64_t); /* INTEGER, non-negative */
/* GeneralizedTime, whole seconds. */
size_t der_gentime(struct der_w *, int64_t);
/* RFC 5280 Time: UTCTime from 1950 to 2049, GeneralizedTime outside. */
size_t der_time(struct der_w *, int64_t);

/* ---- ocsp_resp.c: OCSPResponse building (RFC 6960 4.2), pure ------------ */

/* OCSPResponseStatus (4.2.1); 4 is not used. */
enum ocsp_resp_status {
	OCSP_SUCCESSFUL = 0,
	OCSP_MALFORMED = 1,
	OCSP_INTERNAL_ERROR = 2,
	OCSP_TRY_LATER = 3,
	OCSP_SIG_REQUIRED = 5,
	OCSP_UNAUTHORIZED = 6,
};
#define OCSP_RESP_STATUS_COUNT 7 /* an array indexed by status */

enum ocsp_cert_status {
	OCSP_GOOD = 0,
	OCSP_REVOKED = 1,
	OCSP_UNKNOWN = 2,
};

/* One SingleResponse to build; certid borrows the request. */
struct ocsp_single {
	const unsigned char *certid; /* echoed as received */
	size_t certid_len;
	enum ocsp_cert_status status;
	int64_t revoked_at; /* OCSP_REVOKED only */
	int reason; /* -1: no revocationReason */
	int64_t this_update, next_update;
};

/*
 * Sets the thisUpdate and nextUpdate of s, whose status is set, for a
 * signature made at now (seconds since the epoch). thisUpdate is
 * backdated by backdate seconds, so that a client whose clock runs slow
 * does not see an answer from its future, but never before the
 * revocation: thisUpdate is when the status was known to be right (RFC
 * 6960 4.2.2.1). Nor after now, the producedAt: a revocation time after
 * now was written by a clock that ran ahead and has since stepped back
 * (revoke refuses one in the future), and an answer dated from then
 * would be "not yet valid" to every client, which would take no
 * revocation from it. nextUpdate is now + validity, so nextUpdate -
 * thisUpdate is at most validity + backdate. Pure.
 */
void ocsp_single_times(
    struct ocsp_single *s, int64_t now, int64_t validity, int64_t backdate);

/* Upper bound of the tbsResponseData of n singles, for buffer sizing. */
size_t ocsp_resp_tbs_max(
    const struct ocsp_single *, size_t n, size_t nonce_ext_len);

/*
 * Writes tbsResponseData (ResponderID byKey from key_hash, producedAt,
 * the singles, and the nonce extension when nonce_ext is not NULL) at the
 * end of buf (cap bytes). *out points at its first byte inside buf.
 * Times are whole seconds (GeneralizedTime without fractions). Returns
 * OB_OK or OB_ERR_RANGE when cap is too small.
 */
enum ob_err ocsp_resp_tbs(const unsigned char key_hash[20], int64_t produced_at,
    const struct ocsp_single *, size_t n, const unsigned char *nonce_ext,
    size_t nonce_ext_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * Wraps a signed tbsResponseData into an OCSPResponse (successful,
 * id-pkix-ocsp-basic) at the end of buf: alg is the signatureAlgorithm
 * DER, sig the signature, cert (may be NULL) the responder certificate
 * for `certs`. *out points inside buf. OB_OK or OB_ERR_RANGE.
 */
enum ob_err ocsp_resp_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, const unsigned char *cert, size_t cert_len,
    unsigned char *buf, size_t cap, unsigned char **out, size_t *outlen);

/* Room for any CertID ocsp_certid_sha1 writes. */
#define OCSP_CERTID_MAX (64 + OB_SERIAL_MAX_OCTETS)

/*
 * Writes the SHA-1 CertID of a certificate (issuer name and key hashes,
 * serial as DER INTEGER contents) at the end of buf (cap bytes), with the
 * algorithm's NULL parameters as OpenSSL and NSS send them: the CertID a
 * pre-signed response carries. *out points inside buf. OB_OK or
 * OB_ERR_RANGE.
 */
enum ob_err ocsp_certid_sha1(const unsigned char name_hash[20],
    const unsigned char key_hash[20], const unsigned char *serial,
    size_t serial_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * The signature of a successful OCSPResponse (RFC 6960 4.2.1): *sig points
 * at the BIT STRING's octets inside der (borrowed), *sig_len of them.
 * OB_ERR_INVAL when der is not one, or the BIT STRING has unused bits.
 */
enum ob_err ocsp_resp_signature(const unsigned char *der, size_t len,
    const unsigned char **sig, size_t *sig_len);

/*
 * A strong ETag for der (RFC 9110 8.8.3), quotes included: the last 8
 * octets of its signature and its length, in hex. Two different signed
 * responses share it with odds of 2^-64 (an RSA PKCS#1 v1.5 signature
 * changes with what is signed, an ECDSA one anyway), and nothing is
 * hashed per request. A der without a signature gets its length only.
 */
#define OCSP_ETAG_MAX 28
void ocsp_resp_etag(
    const unsigned char *der, size_t len, char out[OCSP_ETAG_MAX]);

/* The 5-byte unsigned OCSPResponse for an error status. */
#define OCSP_ERROR_RESP_LEN 5
void ocsp_resp_error(
    enum ocsp_resp_status, unsigned char out[OCSP_ERROR_RESP_LEN]);

/* ---- crl.c: X.509 v2 CRL building (RFC 5280 5.1), pure ------------------ */

/* One revoked certificate on a CRL. */
struct crl_entry {
	char serial[OB_SERIAL_HEX_MAX + 1]; /* canonical hex */
	int64_t revoked_at;
	int reason; /* CRLReason; -1: none */
	/* RFC 5280 5.3.2 invalidityDate; 0 (zeroed): none */
	int64_t invalidity_at;
};

/* What a TBSCertList holds; every pointer is borrowed. */
struct crl_tbs_in {
	const unsigned char *alg; /* signature AlgorithmIdentifier DER */
	size_t alg_len;
	const unsigned char *issuer; /* the issuer's Name DER */
	size_t issuer_len;
	const unsigned char *key_id; /* authorityKeyIdentifier keyIdentifier */
	size_t key_id_len;
	struct ob_crlnum number; /* cRLNumber */
	int64_t this_update, next_update;
	const struct crl_entry *entries; /* revokedCertificates, in order */
	size_t n;
};

/* Upper bound of the TBSCertList crl_tbs writes, for buffer sizing. */
size_t crl_tbs_max(const struct crl_tbs_in *);

/*
 * Writes the TBSCertList (v2; crlExtensions authorityKeyIdentifier and
 * cRLNumber; each entry's reasonCode unless none, unspecified or
 * removeFromCRL, and its invalidityDate when it has one) at the end of buf (cap bytes); *out points at its first
 * byte inside buf. Returns OB_OK, or OB_ERR_RANGE when cap is too small;
 * for an entry whose serial is not canonical hex, OB_ERR_INVAL (or
 * OB_ERR_RANGE when empty or too long).
 */
enum ob_err crl_tbs(const struct crl_tbs_in *, unsigned char *buf, size_t cap,
    unsigned char **out, size_t *outlen);

/*
 * Wraps a signed TBSCertList into a CertificateList at the end of buf:
 * alg the signatureAlgorithm DER (the one inside tbs), sig the signature.
 * *out points inside buf. OB_OK or OB_ERR_RANGE; cap of tbs_len + alg_len
 * + sig_len + 16 always suffices.
 */
enum ob_err crl_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * From an Extensions SEQUENCE (its tag first, at most len bytes): the
 * cRLNumber (OB_ERR_NOTFOUND when absent, OB_ERR_RANGE when negative or
 * over 20 octets of value, zero on failure; *why, unless why is NULL, a
 * static phrase saying what is wrong, or "" on success), and an entry's
 * reasonCode (-1 when absent; der may be NULL). OB_ERR_INVAL for
 * anything malformed.
 */
enum ob_err crl_ext_number(
    const unsigned char *der, size_t len, struct ob_crlnum *, const char **why);
enum ob_err crl_ext_reason(const unsigned char *der, size_t len, int *);

/* A CRL as read from a file; every pointer malloc'd. */
struct crl_info {
	unsigned char *der; /* the CRL, DER */
	size_t len;
	unsigned char *issuer; /* the issuer Name DER */
	size_t issuer_len;
	struct ob_crlnum number;
	int64_t this_update, next_update;
	struct crl_entry *entries; /* in the CRL's order */
	size_t n;
};

/*
 * Reads a v2 CRL, DER or PEM (then buf[len - 1] must be its NUL), with a
 * cRLNumber and a nextUpdate: every entry's serial, time and reasonCode.
 * Checks no signature (signer_crl_verify does). On failure *out is empty
 * and errbuf says why: OB_ERR_INVAL, OB_ERR_RANGE or OB_ERR_NOMEM. Free
 * with crl_info_free.
 */
enum ob_err crl_parse(const unsigned char *buf, size_t len,
    struct crl_info *out, char *errbuf, size_t errsz);
void crl_info_free(struct crl_info *);

/* ---- respcert.c: ocspbox's own OCSP responder certificates, pure ------ */

/*
 * What the TBSCertificate of a delegated OCSP responder certificate
 * (RFC 6960 4.2.2.2) holds; every pointer is borrowed.
 */
struct respcert_in {
	const unsigned char *alg; /* signature AlgorithmIdentifier DER */
	size_t alg_len;
	const unsigned char *serial; /* INTEGER contents: positive, minimal */
	size_t serial_len; /* 1 to 20 */
	const unsigned char *issuer; /* the CA certificate's subject Name DER */
	size_t issuer_len;
	const char *cn; /* the subject's commonName, UTF-8 */
	size_t cn_len;
	int64_t not_before, not_after; /* seconds since the epoch */
	const unsigned char *spki; /* SubjectPublicKeyInfo DER */
	size_t spki_len;
	const unsigned char *key_id; /* its subjectKeyIdentifier */
	size_t key_id_len;
	const unsigned char
	    *ca_key_id; /* authorityKeyIdentifier keyIdentifier */
	size_t ca_key_id_len;
};

/* Upper bound of the TBSCertificate respcert_tbs writes, for buffer sizing. */
size_t respcert_tbs_max(const struct respcert_in *);

/*
 * Writes the TBSCertificate (RFC 5280 4.1): version 3, the serial, alg,
 * issuer copied byte for byte (so that it chains to a CA whose subject
 * is a PrintableString as to any other: RFC 5280 7.1 compares names as
 * encoded), validity, subject CN=cn (UTF8String), spki, and the
 * extensions basicConstraints (critical, cA FALSE), keyUsage (critical,
 * digitalSignature), extKeyUsage id-kp-OCSPSigning, id-pkix-ocsp-nocheck
 * (RFC 6960 4.2.2.2.1), subjectKeyIdentifier key_id and
 * authorityKeyIdentifier ca_key_id. At the end of buf (cap bytes); *out
 * points at its first byte inside buf. OB_OK; OB_ERR_INVAL for a serial
 * that is not a positive minimal INTEGER of 1 to 20 octets, an empty
 * field or not_before not before not_after; OB_ERR_RANGE when cap is too
 * small.
 */
enum ob_err respcert_tbs(const struct respcert_in *, unsigned char *buf,
    size_t cap, unsigned char **out, size_t *outlen);

/*
 * Wraps a signed TBSCertificate into a Certificate at the end of buf: alg
 * the signatureAlgorithm DER (the one inside tbs), sig the signature
 * (the BIT STRING's octets). *out points inside buf. OB_OK or
 * OB_ERR_RANGE; cap of tbs_len + alg_len + sig_len + 16 always suffices.
 */
enum ob_err respcert_wrap(const unsigned char *tbs, size_t tbs_len,
    const unsigned char *alg, size_t alg_len, const unsigned char *sig,
    size_t sig_len, unsigned char *buf, size_t cap, unsigned char **out,
    size_t *outlen);

/*
 * Whether a responder certificate valid from not_before to not_after
 * (seconds since the epoch), issued by a CA valid until ca_not_after, is
 * due for renewal at now: 1 when a third of its life or less remains
 * (or it has expired), so that a renewal that fails is retried for days
 * before clients see an expired responder; 0 otherwise, and 0 when no
 * renewal can help: the CA has expired, or the certificate already ends
 * at the CA's notAfter (one issued now would end there too, and renewing
 * it would start again on every tick as that end draws near). Pure.
 */
int respcert_renew_due(
    int64_t not_before, int64_t not_after, int64_t ca_not_after, int64_t now);

/* A responder certificate as an operator needs to know it. */
enum respcert_state { RESPCERT_OK, RESPCERT_EXPIRING, RESPCERT_EXPIRED };

/*
 * The state as of now of a responder certificate valid from not_before
 * to not_after (seconds since the epoch), of a CA valid until
 * ca_not_after: RESPCERT_EXPIRED from the earlier of the two notAfters
 * on (clients reject what it signs, so its answers are tryLater: an
 * operator's responder may outlive its CA, but no chain through the CA
 * verifies then); RESPCERT_EXPIRING within warn seconds of it. An automatic one (automatic not 0: ocspbox issued
 * it and renews it once respcert_renew_due says so) that a renewal can
 * still replace (it ends before the CA does) is expiring only once that
 * renewal is overdue: within min(warn, a third of its life less a grace
 * of an hour, or of half that third when shorter) of its end. So the
 * warning means that a renewal failed or that nothing runs to make it,
 * not that one is coming. Pure.
 */
enum respcert_state respcert_state(int64_t not_before, int64_t not_after,
    int64_t ca_not_after, int automatic, int64_t now, int64_t warn);

/* "ok", "expiring" or "expired": the names the JSON, panel and CLI use. */
const char *respcert_state_name(enum respcert_state);

/* ---- ocsp_get.c: GET request paths (RFC 6960 A.1), pure ------------------ */

/*
 * Decodes the path of an OCSP GET ("/{req}", "/ocsp/{req}") into the DER
 * request, as leniently as real clients need: repeated slashes before the
 * request, %-escapes in any case (%2B, %2F, %3D ...), '+' or a space for
 * '+' (form decoding turned it into one), missing '=' padding, and the
 * base64url alphabet. path is the raw request target without its query,
 * len bytes. Writes at most cap bytes to out. Returns OB_OK, OB_ERR_INVAL
 * for a path that is not base64 of anything, or OB_ERR_RANGE when the
 * result would exceed cap.
 */
enum ob_err ocsp_get_decode(const char *path, size_t len, unsigned char *out,
    size_t cap, size_t *outlen);

/* ---- http_head.c: HTTP/1.1 request heads, strictly, pure ----------------- */

enum http_head_method { HTTP_HEAD_NONE, HTTP_HEAD_GET, HTTP_HEAD_POST };

/* A plain request's head, as http_head_plain reads it. */
struct http_head {
	enum http_head_method method;
	const char *path; /* into the head: the target up to its '?' */
	size_t path_len;
};

/*
 * Whether head (len bytes, ending with its empty line) is a plain
 * request: "GET" or "POST", an origin-form target of visible ASCII,
 * HTTP/1.1, one Host field, and no field that asks for more than a
 * plain answer on a connection that stays open (Connection other than
 * keep-alive, a conditional, Transfer-Encoding, Upgrade, Expect, TE,
 * Keep-Alive) (RFC 9112 2-3, 5, 9.3; RFC 9110 13). 1 with *out filled
 * (pointing into head); 0 for anything else, *out then meaning nothing.
 * It leaves to the HTTP gate (third_party/civetweb/gate_scan.inl), which
 * checks them before, field counts and sizes and Content-Length. Pure:
 * any thread.
 */
int http_head_plain(const char *head, size_t len, struct http_head *out);

/*
 * Whether a request whose Accept-Encoding field value is v (NUL-ended;
 * NULL when the request has none) takes a gzip-coded answer (RFC 9110
 * 12.5.3): 1 without the field, or when "gzip", "x-gzip" or "*" is
 * listed with a weight above zero ("gzip;q=0" refuses even if "*" is
 * listed); 0 otherwise, an empty value included. A list element that
 * cannot be read counts as not listed. Pure: any thread.
 */
int http_accepts_gzip(const char *v);

#endif /* OCSPBOX_CODEC_H */
