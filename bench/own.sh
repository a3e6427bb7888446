#!/bin/sh
# make bench, last part (bench/run.sh runs it; alone, after make all
# build/bench/micro: sh bench/own.sh): what our builds of SQLite and
# mbedTLS (the Makefile's SQLITE_OPTS, third_party/mbedtls/
# ocspbox_config.h) are worth beside Debian's static archives, and each
# of their choices alone. bench/micro is linked with Debian's libraries,
# with ours, and with ours but for one choice, each built once in
# build/bench/NAME (an SQLite in about 40 s, an mbedTLS in 10 s; again
# only when something changed). SQLite is measured by cache lookups, on
# one thread and on one per core, and by PRAGMA data_version; mbedTLS by
# RSA-2048, P-256 and P-384 signatures on one thread. Each rate is the
# best of BENCH_OWN_ROUNDS rounds (default 5) of BENCH_OWN_SECONDS
# (default 1) each, the variants interleaved: other work on the machine
# only ever slows a run down. In brackets, ours / this: above 1, what
# our choice gains; "ours again", the same binary as ours, shows how far
# apart two runs of one build come out, which a choice must beat to
# count (on a shared machine, a few percent; more for the parallel
# lookups, which depend on both cores being free).
set -eu
rounds=${BENCH_OWN_ROUNDS:-5}
secs=${BENCH_OWN_SECONDS:-1}
# Two jobs, whatever make runs this.
mk="env MAKEFLAGS= MAKELEVEL= make -j2"
cc=${CC:-cc}
bin=$PWD/build/ocspbox
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-own.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# build NAME MAKE-ARGS...: make's output kept unless it fails; NAME "."
# is the default build.
build() {
	name=$1
	shift
	[ "$name" = . ] || set -- BUILD="build/bench/$name" "$@"
	if ! $mk -s --no-print-directory "$@" >"$tmp/build.log" 2>&1; then
		tail -n 30 "$tmp/build.log" >&2
		echo "bench: building $name failed" >&2
		exit 1
	fi
}
build . all build/bench/micro

# A database with an RSA-2048, a P-256 and a P-384 issuer, and a cached
# answer of the first two.
sh scripts/mkpki.sh "$tmp/pki" >/dev/null
db=$tmp/own.db
"$bin" --db "$db" migrate >/dev/null
for kind in rsa ec ec384; do
	"$bin" --db "$db" issuer add "$kind" --cert "$tmp/pki/ca-$kind.pem" \
	    --responder-cert "$tmp/pki/resp-$kind.pem" \
	    --responder-key "$tmp/pki/resp-$kind.key" >/dev/null
done
"$bin" --db "$db" cert add rsa --cert "$tmp/pki/leaf1.pem" >/dev/null
"$bin" --db "$db" cert add ec --cert "$tmp/pki/leaf-ec.pem" >/dev/null
"$bin" --db "$db" cache refresh >/dev/null
# The serial as the database keys it: lower case, no leading zeros.
serial=$(openssl x509 -in "$tmp/pki/leaf1.pem" -noout -serial |
    sed 's/^serial=0*//' | tr A-F a-f)
ec_serial=$(openssl x509 -in "$tmp/pki/leaf-ec.pem" -noout -serial |
    sed 's/^serial=0*//' | tr A-F a-f)

# link NAME SQLITE-ARCHIVE MBEDTLS-ARCHIVE: micro with our objects and
# these two.
link() {
	$cc -o "build/bench/$1/micro" build/bench/micro.o build/libocspbox.a \
	    "$2" "$3" -lpthread -lm
}

# SQLite: NAME, its label, SQLITE_BENCH (flags after SQLITE_OPTS). The
# first is Debian's configuration (debian/rules and the configure
# options it gives, but for UPDATE_DELETE_LIMIT, which needs the parser
# regenerated) compiled as ours is: from the amalgamation, where Debian
# compiles each source file apart. The omissions of
# third_party/sqlite3/omit.opt that are not grammar are undone too
# (Debian's FTS5 needs incremental blobs); the grammar ones stay, as the
# amalgamation's parser was generated without them.
ours_opts='-USQLITE_THREADSAFE -USQLITE_DEFAULT_MEMSTATUS -USQLITE_DQS
-USQLITE_LIKE_DOESNT_MATCH_BLOBS -USQLITE_MAX_EXPR_DEPTH -USQLITE_USE_ALLOCA
-USQLITE_OMIT_DEPRECATED -USQLITE_OMIT_SHARED_CACHE -USQLITE_OMIT_DECLTYPE
-USQLITE_OMIT_PROGRESS_CALLBACK -USQLITE_OMIT_LOAD_EXTENSION -USQLITE_OMIT_JSON
-USQLITE_OMIT_AUTHORIZATION -USQLITE_OMIT_COMPLETE -USQLITE_OMIT_GET_TABLE
-USQLITE_OMIT_INCRBLOB -USQLITE_OMIT_UTF16 -USQLITE_OMIT_TCL_VARIABLE
-USQLITE_OMIT_COMPILEOPTION_DIAGS -USQLITE_OMIT_DESERIALIZE
-USQLITE_OMIT_INTROSPECTION_PRAGMAS -USQLITE_OMIT_TRACE -USQLITE_OMIT_XFER_OPT
-USQLITE_UNTESTABLE'
debian_opts='-fno-strict-aliasing -DSQLITE_SECURE_DELETE
-DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3
-DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1
-DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1
-DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ALLOW_ROWID_IN_VIEW
-DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_ENABLE_JSON1
-DSQLITE_LIKE_DOESNT_MATCH_BLOBS -DSQLITE_THREADSAFE=1
-DSQLITE_ENABLE_FTS3_TOKENIZER=1 -DSQLITE_USE_URI=1
-DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_ENABLE_PREUPDATE_HOOK
-DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB
-DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5
-DSQLITE_ENABLE_MATH_FUNCTIONS'
sqlite_variants="
sq-debian|Debian's options, compiled as ours|$(echo $ours_opts $debian_opts)
sq-serialized|ours but THREADSAFE=1 (Debian's)|-DSQLITE_THREADSAFE=1
sq-memstatus|ours but DEFAULT_MEMSTATUS=1 (Debian's)|-DSQLITE_DEFAULT_MEMSTATUS=1
sq-nolookaside|ours but OMIT_LOOKASIDE (Debian's)|-DSQLITE_OMIT_LOOKASIDE
sq-norest|ours but without DQS=0 ... OMIT_JSON|-USQLITE_DQS -USQLITE_LIKE_DOESNT_MATCH_BLOBS -USQLITE_MAX_EXPR_DEPTH -USQLITE_USE_ALLOCA -USQLITE_OMIT_DEPRECATED -USQLITE_OMIT_SHARED_CACHE -USQLITE_OMIT_DECLTYPE -USQLITE_OMIT_PROGRESS_CALLBACK -USQLITE_OMIT_LOAD_EXTENSION -USQLITE_OMIT_JSON
"
# mbedTLS: NAME, its label, the lines of its MBEDTLS_BENCH header (";"
# between lines).
mbedtls_variants='
mb-noasm|ours but no HAVE_ASM|#undef MBEDTLS_HAVE_ASM
mb-nonist|ours but no ECP_NIST_OPTIM|#undef MBEDTLS_ECP_NIST_OPTIM
mb-nofixed|ours but ECP_FIXED_POINT_OPTIM 0|#undef MBEDTLS_ECP_FIXED_POINT_OPTIM;#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
mb-ecpwin4|ours but ECP_WINDOW_SIZE 4 (default)|#undef MBEDTLS_ECP_WINDOW_SIZE;#define MBEDTLS_ECP_WINDOW_SIZE 4
mb-mpiwin3|ours but MPI_WINDOW_SIZE 3|#undef MBEDTLS_MPI_WINDOW_SIZE;#define MBEDTLS_MPI_WINDOW_SIZE 3
mb-mpiwin6|ours but MPI_WINDOW_SIZE 6|#undef MBEDTLS_MPI_WINDOW_SIZE;#define MBEDTLS_MPI_WINDOW_SIZE 6
mb-sha256small|ours but SHA256_SMALLER|#define MBEDTLS_SHA256_SMALLER
'

echo "== our SQLite and mbedTLS beside Debian's: building the variants"
build debian DEBIAN_LIBS=1 build/bench/debian/bench/micro
cp build/bench/debian/bench/micro build/bench/debian/micro
# Ours twice: how far apart two runs of one binary come out is the
# noise the other ratios stand out from, or not.
mkdir -p build/bench/ours build/bench/ours-again
cp build/bench/micro build/bench/ours/micro
cp build/bench/micro build/bench/ours-again/micro
printf '%s\n' "$sqlite_variants" | while IFS='|' read -r name what flags; do
	[ -n "$name" ] || continue
	# Flags changed here: compiled again.
	mkdir -p "build/bench/$name"
	if [ "$(cat "build/bench/$name/flags" 2>/dev/null)" != "$flags" ]; then
		rm -f "build/bench/$name/obj/sqlite3.o"
		echo "$flags" >"build/bench/$name/flags"
	fi
	build "$name" SQLITE_BENCH="$flags" "build/bench/$name/libsqlite3.a"
	link "$name" "build/bench/$name/libsqlite3.a" build/libmbedtls.a
done
printf '%s\n' "$mbedtls_variants" | while IFS='|' read -r name what lines; do
	[ -n "$name" ] || continue
	mkdir -p "build/bench/$name"
	printf '%s\n' "$lines" | tr ';' '\n' >"build/bench/$name/tune.h.new"
	# Unchanged, it keeps its date: make rebuilds nothing.
	if cmp -s "build/bench/$name/tune.h.new" "build/bench/$name/tune.h"; then
		rm "build/bench/$name/tune.h.new"
	else
		mv "build/bench/$name/tune.h.new" "build/bench/$name/tune.h"
	fi
	build "$name" MBEDTLS_BENCH="build/bench/$name/tune.h" \
	    "build/bench/$name/libmbedtls.a"
	link "$name" build/libsqlite3.a "build/bench/$name/libmbedtls.a"
done

# keep NAME KEY VALUE: the best VALUE of KEY for NAME so far.
keep() {
	f="$tmp/best-$1-$(echo "$2" | tr / _)"
	if [ ! -f "$f" ] || awk -v a="$3" -v b="$(cat "$f")" \
	    'BEGIN { exit !(a > b) }'; then
		echo "$3" >"$f"
	fi
}
best() { cat "$tmp/best-$1-$(echo "$2" | tr / _)" 2>/dev/null || echo 0; }
# measure NAME WHAT: runs NAME's micro; WHAT sqlite, mbedtls or both.
measure() {
	m=build/bench/$1/micro
	if [ "$2" != mbedtls ]; then
		"$m" "$db" rsa "$serial" "$secs" lookup >"$tmp/out"
		for k in lookups/s parallel_lookups/s data_version/s; do
			keep "$1" "$k" "$(awk -v k="$k" '$1 == k { print $2 }' "$tmp/out")"
		done
	fi
	if [ "$2" != sqlite ]; then
		"$m" "$db" rsa "$serial" "$secs" sign >"$tmp/out"
		keep "$1" rsa "$(awk '$1 == "signatures/s" { print $2 }' "$tmp/out")"
		"$m" "$db" ec "$ec_serial" "$secs" sign >"$tmp/out"
		keep "$1" ec "$(awk '$1 == "signatures/s" { print $2 }' "$tmp/out")"
		"$m" "$db" ec384 "$ec_serial" "$secs" sign >"$tmp/out"
		keep "$1" ec384 "$(awk '$1 == "signatures/s" { print $2 }' "$tmp/out")"
	fi
}
names() { printf '%s\n' "$1" | cut -d'|' -f1 | sed '/^$/d'; }
r=1
while [ "$r" -le "$rounds" ]; do
	measure debian both
	measure ours both
	for n in $(names "$sqlite_variants"); do measure "$n" sqlite; done
	for n in $(names "$mbedtls_variants"); do measure "$n" mbedtls; done
	measure ours-again both
	r=$((r + 1))
done

# row LABEL NAME KEYS...: the rates, each with ours / it, and the code
# size of NAME's micro (with our code, and only what it uses of the
# libraries).
row() {
	label=$1 name=$2
	shift 2
	line=$(printf '%-44s' "$label")
	for k in "$@"; do
		line="$line$(awk -v v="$(best "$name" "$k")" \
		    -v o="$(best ours "$k")" -v same="$([ "$name" = ours ] && echo 1)" \
		    'BEGIN { if (same) printf "%10.0f        ", v
			 else printf "%10.0f (%5.2f)", v, (v > 0 ? o / v : 0) }')"
	done
	echo "$line$(size "build/bench/$name/micro" |
	    awk 'NR == 2 { printf "%10d", $1 / 1024 }')"
}
echo "== SQLite: rates per second, best of $rounds rounds of ${secs}s (parallel: $(nproc) threads); in brackets, ours / this"
printf '%-44s%18s%18s%18s%10s\n' "" "lookups" "parallel lookups" "data_version" "text KiB"
row "Debian's libsqlite3.a" debian lookups/s parallel_lookups/s data_version/s
row "ours" ours lookups/s parallel_lookups/s data_version/s
row "ours again (the noise)" ours-again lookups/s parallel_lookups/s data_version/s
printf '%s\n' "$sqlite_variants" | while IFS='|' read -r name what flags; do
	[ -n "$name" ] || continue
	row "$what" "$name" lookups/s parallel_lookups/s data_version/s
done
echo "== mbedTLS: signatures per second on one thread, best of $rounds rounds of ${secs}s; in brackets, ours / this"
printf '%-44s%18s%18s%18s%10s\n' "" "RSA-2048" "P-256" "P-384" "text KiB"
row "Debian's libmbedcrypto.a" debian rsa ec ec384
row "ours" ours rsa ec ec384
row "ours again (the noise)" ours-again rsa ec ec384
printf '%s\n' "$mbedtls_variants" | while IFS='|' read -r name what lines; do
	[ -n "$name" ] || continue
	row "$what" "$name" rsa ec ec384
done
