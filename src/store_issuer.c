/*
 * The issuers table and its neighbours: registering, updating and
 * removing issuers, their responder certificates (replaced and renewed
 * in one transaction with the row they succeed), and the other
 * encodings of their names that CertIDs carry. Writes come from the CLI
 * and the admin API; the lists are read by the panel, the stats and the
 * refresh thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

void
store_issuer_clear(struct store_issuer *is)
{
	if (is == NULL)
		return;
	free(is->subject);
	free(is->cert_der);
	free(is->crl_key_path);
	free(is->resp_der);
	free(is->resp_subject);
	free(is->resp_key_path);
	memset(is, 0, sizeof(*is));
}

enum ob_err
store_issuer_exists(
    struct store *st, const char *id, char *errbuf, size_t errsz)
{
	int64_t found;
	enum ob_err e;

	if ((e = store_run_int(st, "SELECT 1 FROM issuers WHERE id = ?",
		 "issuer lookup", &found, errbuf, errsz, "t", id)) != OB_OK)
		return e;
	if (!found) {
		snprintf(errbuf, errsz, "no issuer %s", id);
		return OB_ERR_NOTFOUND;
	}
	return OB_OK;
}

/* Inserts the responder of is as issuer_id's active one, in the
 * caller's transaction. */
static enum ob_err
responder_insert(struct store *st, const char *issuer_id,
    const struct store_issuer *is, char *errbuf, size_t errsz)
{
	return store_run(st,
	    "INSERT INTO responder_certs (issuer_id, cert_der, key_path,"
	    " key_algorithm, subject, not_before, not_after, is_ca,"
	    " generated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "insert responder", errbuf, errsz, "tbtttTTii", issuer_id,
	    is->resp_der, is->resp_len, is->resp_key_path, is->resp_key_alg,
	    is->resp_subject, is->resp_not_before, is->resp_not_after,
	    (int64_t)(is->resp_is_ca != 0), (int64_t)(is->resp_generated != 0));
}

enum ob_err
store_issuer_add(
    struct store *st, const struct store_issuer *is, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	e = store_run(st,
	    "INSERT INTO issuers (id, subject, cert_der, name_sha1,"
	    " key_sha1, name_sha256, key_sha256, not_after, crl_key_path,"
	    " auto_responder_life_s)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "insert issuer", errbuf, errsz, "ttbbbbbTto", is->id, is->subject,
	    is->cert_der, is->cert_len, is->name_sha1, (size_t)20, is->key_sha1,
	    (size_t)20, is->name_sha256, (size_t)32, is->key_sha256, (size_t)32,
	    is->not_after, is->crl_key_path,
	    is->auto_life_s > 0 ? is->auto_life_s : (int64_t)-1);
	if (e != OB_OK && sqlite3_errcode(st->db) == SQLITE_CONSTRAINT) {
		if (store_issuer_exists(st, is->id, errbuf, errsz) == OB_OK)
			snprintf(
			    errbuf, errsz, "issuer %s already exists", is->id);
		else
			snprintf(errbuf, errsz,
			    "this CA is already registered under another id");
		e = OB_ERR_EXISTS;
		goto fail;
	}
	if (e != OB_OK)
		goto fail;
	if ((e = responder_insert(st, is->id, is, errbuf, errsz)) != OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

/*
 * store_responder_replace inside the caller's transaction: OB_ERR_NOTFOUND
 * when there is no issuer_id.
 */
static enum ob_err
replace_tx(struct store *st, const char *issuer_id,
    const struct store_issuer *with, char *errbuf, size_t errsz)
{
	enum ob_err e;

	if ((e = store_run(st,
		 "UPDATE issuers SET auto_responder_life_s = ? WHERE id = ?",
		 "set automatic responder", errbuf, errsz, "ot",
		 with->auto_life_s > 0 ? with->auto_life_s : (int64_t)-1,
		 issuer_id)) != OB_OK)
		return e;
	if (sqlite3_changes(st->db) == 0) {
		snprintf(errbuf, errsz, "no issuer %s", issuer_id);
		return OB_ERR_NOTFOUND;
	}
	if ((e = store_run(st,
		 "UPDATE responder_certs SET active = 0"
		 " WHERE issuer_id = ? AND active",
		 "retire responder", errbuf, errsz, "t", issuer_id)) != OB_OK)
		return e;
	return responder_insert(st, issuer_id, with, errbuf, errsz);
}

enum ob_err
store_responder_replace(struct store *st, const char *issuer_id,
    const struct store_issuer *with, char *errbuf, size_t errsz)
{
	return store_issuer_update(st, issuer_id, with, NULL, errbuf, errsz);
}

enum ob_err
store_responder_renew(struct store *st, const char *issuer_id,
    const unsigned char *key_sha1, int64_t resp_id,
    const struct store_issuer *with, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_prepare(st,
		 "SELECT 1 FROM issuers i JOIN responder_certs r"
		 " ON r.issuer_id = i.id AND r.active"
		 " WHERE i.id = ?1 AND i.key_sha1 = ?2 AND r.id = ?3"
		 " AND i.auto_responder_life_s IS NOT NULL",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, key_sha1, OB_SHA1_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, resp_id);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_DONE) {
		snprintf(errbuf, errsz,
		    "issuer %s changed while its responder was renewed "
		    "(removed, re-added or updated): that change stands",
		    issuer_id);
		e = OB_ERR_STALE;
		goto fail;
	}
	if (rc != SQLITE_ROW) {
		e = store_dberr(st, rc, "renewal check", errbuf, errsz);
		goto fail;
	}
	if ((e = replace_tx(st, issuer_id, with, errbuf, errsz)) != OB_OK)
		goto fail;
	return store_commit(st, errbuf, errsz);
fail:
	store_rollback(st);
	return e;
}

/* An issuer with its active responder: columns 0-19, then two counts. */
#define ISSUER_COLUMNS \
	"SELECT i.id, i.subject, i.cert_der, i.name_sha1, i.key_sha1," \
	" i.name_sha256, i.key_sha256, i.not_after, i.crl_key_path," \
	" r.cert_der, r.subject, r.key_path, r.key_algorithm," \
	" r.not_before, r.not_after, r.is_ca, r.id, r.created_at," \
	" r.generated, i.auto_responder_life_s"
#define ISSUER_FROM \
	" FROM issuers i JOIN responder_certs r" \
	"  ON r.issuer_id = i.id AND r.active ORDER BY i.id"

/* The issuers with their active responders, and counts when counts. */
static enum ob_err
issuer_rows(struct store *st, int counts, struct store_issuer **out, size_t *n,
    char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_issuer *v = NULL, *is, *nv;
	size_t cap = 0, len = 0;
	enum ob_err e;
	int rc;

	*out = NULL;
	*n = 0;
	if ((e = store_prepare(st,
		 counts ? ISSUER_COLUMNS
		     ","
		     " (SELECT count(*) FROM certificates c"
		     "   WHERE c.issuer_id = i.id),"
		     " (SELECT count(*) FROM certificates c"
		     "   WHERE c.issuer_id = i.id"
		     "   AND c.status = 'revoked')" ISSUER_FROM
			: ISSUER_COLUMNS ", 0, 0" ISSUER_FROM,
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				e = OB_ERR_NOMEM;
				goto fail;
			}
			v = nv;
		}
		is = &v[len++];
		memset(is, 0, sizeof(*is));
		snprintf(is->id, sizeof(is->id), "%s",
		    (const char *)sqlite3_column_text(stmt, 0));
		is->subject = store_column_strdup(stmt, 1);
		is->cert_der = store_column_blobdup(stmt, 2, &is->cert_len);
		store_column_fixed(stmt, 3, is->name_sha1, 20);
		store_column_fixed(stmt, 4, is->key_sha1, 20);
		store_column_fixed(stmt, 5, is->name_sha256, 32);
		store_column_fixed(stmt, 6, is->key_sha256, 32);
		is->not_after = store_column_time(stmt, 7);
		is->crl_key_path = store_column_strdup(stmt, 8);
		is->resp_der = store_column_blobdup(stmt, 9, &is->resp_len);
		is->resp_subject = store_column_strdup(stmt, 10);
		is->resp_key_path = store_column_strdup(stmt, 11);
		snprintf(is->resp_key_alg, sizeof(is->resp_key_alg), "%s",
		    (const char *)sqlite3_column_text(stmt, 12));
		is->resp_not_before = store_column_time(stmt, 13);
		is->resp_not_after = store_column_time(stmt, 14);
		is->resp_is_ca = sqlite3_column_int(stmt, 15);
		is->resp_id = sqlite3_column_int64(stmt, 16);
		is->resp_created_at = store_column_time(stmt, 17);
		is->resp_generated = sqlite3_column_int(stmt, 18);
		is->auto_life_s = sqlite3_column_int64(stmt, 19); /* NULL: 0 */
		is->n_certs = sqlite3_column_int64(stmt, 20);
		is->n_revoked = sqlite3_column_int64(stmt, 21);
		if (is->subject == NULL || is->cert_der == NULL ||
		    is->resp_der == NULL || is->resp_key_path == NULL) {
			e = OB_ERR_NOMEM;
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		e = store_dberr(st, rc, "list issuers", errbuf, errsz);
		goto fail;
	}
	sqlite3_finalize(stmt);
	*out = v;
	*n = len;
	return OB_OK;
fail:
	sqlite3_finalize(stmt);
	store_issuer_list_free(v, len);
	return e;
}

enum ob_err
store_issuer_list(struct store *st, struct store_issuer **out, size_t *n,
    char *errbuf, size_t errsz)
{
	return issuer_rows(st, 1, out, n, errbuf, errsz);
}

enum ob_err
store_issuer_records(struct store *st, struct store_issuer **out, size_t *n,
    char *errbuf, size_t errsz)
{
	return issuer_rows(st, 0, out, n, errbuf, errsz);
}

enum ob_err
store_issuers_version(struct store *st, char **out, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;
	int rc;

	*out = NULL;
	if ((e = store_prepare(st,
		 "SELECT group_concat(v, ';') FROM (SELECT i.id || '/' ||"
		 " coalesce(r.id, '') || '/' || coalesce(i.crl_key_path, '')"
		 " || '/' || (SELECT count(*) FROM issuer_name_aliases a"
		 " WHERE a.issuer_id = i.id)"
		 " AS v FROM issuers i LEFT JOIN responder_certs r"
		 " ON r.issuer_id = i.id AND r.active ORDER BY i.id, r.id)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		e = store_dberr(st, rc, "issuers version", errbuf, errsz);
		sqlite3_finalize(stmt);
		return e;
	}
	*out = sqlite3_column_type(stmt, 0) == SQLITE_NULL
	    ? strdup("")
	    : store_column_strdup(stmt, 0);
	sqlite3_finalize(stmt);
	if (*out == NULL) {
		snprintf(errbuf, errsz, "out of memory");
		return OB_ERR_NOMEM;
	}
	return OB_OK;
}

enum ob_err
store_issuer_update(struct store *st, const char *id,
    const struct store_issuer *resp, const char *crl_key_path, char *errbuf,
    size_t errsz)
{
	enum ob_err e;

	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_issuer_exists(st, id, errbuf, errsz)) != OB_OK ||
	    (resp != NULL &&
		(e = replace_tx(st, id, resp, errbuf, errsz)) != OB_OK) ||
	    (crl_key_path != NULL &&
		(e = store_run(st,
		     "UPDATE issuers SET crl_key_path = ? WHERE id = ?",
		     "set CRL key", errbuf, errsz, "tt", crl_key_path, id)) !=
		    OB_OK)) {
		store_rollback(st);
		return e;
	}
	return store_commit(st, errbuf, errsz);
}

void
store_paths_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Runs stmt (bound) and collects its text column 0 into *v (*n): the
 * paths of key files. OB_OK, OB_ERR_NOMEM or the store's error with *v
 * NULL. Finalizes stmt.
 */
static enum ob_err
collect_paths(struct store *st, sqlite3_stmt *stmt, char ***v, size_t *n,
    char *errbuf, size_t errsz)
{
	char **nv;
	size_t cap = 0;
	enum ob_err e = OB_OK;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nv = realloc(*v, cap * sizeof(*nv))) == NULL)
				goto nomem;
			*v = nv;
		}
		if (((*v)[*n] = store_column_strdup(stmt, 0)) == NULL)
			goto nomem;
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		e = store_dberr(st, rc, "responder keys", errbuf, errsz);
	sqlite3_finalize(stmt);
	if (e != OB_OK) {
		store_paths_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return e;
nomem:
	sqlite3_finalize(stmt);
	store_paths_free(*v, *n);
	*v = NULL;
	*n = 0;
	snprintf(errbuf, errsz, "out of memory");
	return OB_ERR_NOMEM;
}

enum ob_err
store_responder_keys_unused(
    struct store *st, char ***paths, size_t *n, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	enum ob_err e;

	*paths = NULL;
	*n = 0;
	if ((e = store_prepare(st,
		 "SELECT DISTINCT key_path FROM responder_certs"
		 " WHERE generated AND NOT active AND key_path NOT IN"
		 " (SELECT key_path FROM responder_certs WHERE active)",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	return collect_paths(st, stmt, paths, n, errbuf, errsz);
}

enum ob_err
store_issuer_remove(struct store *st, const char *id, char ***keys,
    size_t *nkeys, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	char **v = NULL;
	size_t n = 0;
	enum ob_err e;

	if (keys != NULL) {
		*keys = NULL;
		*nkeys = 0;
	}
	if ((e = store_begin(st, errbuf, errsz)) != OB_OK)
		return e;
	if ((e = store_prepare(st,
		 "SELECT DISTINCT key_path FROM responder_certs"
		 " WHERE issuer_id = ? AND generated AND key_path NOT IN"
		 " (SELECT key_path FROM responder_certs"
		 "  WHERE issuer_id <> ?)",
		 &stmt, errbuf, errsz)) != OB_OK)
		goto fail;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, id, -1, SQLITE_STATIC);
	e = collect_paths(st, stmt, &v, &n, errbuf, errsz);
	stmt = NULL; /* finalized */
	if (e != OB_OK)
		goto fail;
	/* Its CRLs' last number outlives it (store_crl_begin reads it). */
	if ((e = store_run(st,
		 "INSERT INTO crl_number_floor (key_sha1, crl_number_hex)"
		 " SELECT i.key_sha1, m.n FROM issuers i, (SELECT max(n) AS n"
		 " FROM (SELECT " CRLNUM_SQL " AS n FROM crl_cache"
		 " WHERE issuer_id = ?1 UNION ALL SELECT " CRLNUM_SQL
		 " FROM crl_generation_events WHERE issuer_id = ?1)) m"
		 " WHERE i.id = ?1 AND m.n IS NOT NULL"
		 " ON CONFLICT (key_sha1) DO UPDATE SET crl_number_hex ="
		 " max(crl_number_hex, excluded.crl_number_hex),"
		 " updated_at = " SQL_NOW,
		 "keep the CRL number", errbuf, errsz, "t", id)) != OB_OK)
		goto fail;
	if ((e = store_run(st, "DELETE FROM issuers WHERE id = ?",
		 "remove issuer", errbuf, errsz, "t", id)) != OB_OK)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		snprintf(errbuf, errsz, "no issuer %s", id);
		e = OB_ERR_NOTFOUND;
		goto fail;
	}
	if ((e = store_commit(st, errbuf, errsz)) != OB_OK)
		goto fail;
	if (keys != NULL) {
		*keys = v;
		*nkeys = n;
	} else
		store_paths_free(v, n);
	return OB_OK;
fail:
	sqlite3_finalize(stmt);
	store_rollback(st);
	store_paths_free(v, n);
	return e;
}

void
store_issuer_list_free(struct store_issuer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_issuer_clear(&v[i]);
	free(v);
}

enum ob_err
store_issuer_alias_add(struct store *st, const char *issuer_id,
    const struct store_name_alias *alias, int *added, char *errbuf,
    size_t errsz)
{
	enum ob_err e;

	if (added != NULL)
		*added = 0;
	/* The WHERE also keeps the SELECT apart from the upsert clause. */
	e = store_run(st,
	    "INSERT INTO issuer_name_aliases (issuer_id, name_sha1,"
	    " name_sha256) SELECT id, ?2, ?3 FROM issuers"
	    " WHERE id = ?1 AND name_sha1 <> ?2"
	    " ON CONFLICT (issuer_id, name_sha1) DO NOTHING",
	    "insert name alias", errbuf, errsz, "tbb", issuer_id,
	    alias->name_sha1, (size_t)OB_SHA1_LEN, alias->name_sha256,
	    (size_t)OB_SHA256_LEN);
	if (e == OB_OK && added != NULL)
		*added = sqlite3_changes(st->db) > 0;
	return e;
}

enum ob_err
store_issuer_aliases(struct store *st, const char *issuer_id,
    struct store_name_alias **out, size_t *n, char *errbuf, size_t errsz)
{
	sqlite3_stmt *stmt = NULL;
	struct store_name_alias *v = NULL, *nv;
	size_t cap = 0, len = 0;
	enum ob_err e;
	int rc;

	*out = NULL;
	*n = 0;
	if ((e = store_prepare(st,
		 "SELECT name_sha1, name_sha256 FROM issuer_name_aliases"
		 " WHERE issuer_id = ? ORDER BY created_at, rowid",
		 &stmt, errbuf, errsz)) != OB_OK)
		return e;
	sqlite3_bind_text(stmt, 1, issuer_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				sqlite3_finalize(stmt);
				free(v);
				snprintf(errbuf, errsz, "out of memory");
				return OB_ERR_NOMEM;
			}
			v = nv;
		}
		store_column_fixed(stmt, 0, v[len].name_sha1, OB_SHA1_LEN);
		store_column_fixed(stmt, 1, v[len].name_sha256, OB_SHA256_LEN);
		len++;
	}
	if (rc != SQLITE_DONE) {
		e = store_dberr(st, rc, "list name aliases", errbuf, errsz);
		sqlite3_finalize(stmt);
		free(v);
		return e;
	}
	sqlite3_finalize(stmt);
	*out = v;
	*n = len;
	return OB_OK;
}
