#!/bin/sh
# make bench, in one run with the same wrk settings:
# - ocspbox's cached answers (POST and GET) beside nginx serving the same
#   response bytes as a static file, and beside `openssl ocsp -multi 2`,
#   which signs every answer;
# - the refresh pass's signatures per second beside the raw mbedTLS
#   signing rate of one thread times the cores;
# - a real client's latency beside 2,000 and 10,000 rude connections, and
#   the server's memory (BENCH_HOSTILE_SECONDS, default 20);
# - a CRL of 10,000 entries built, and served beside nginx;
# - our builds of SQLite and mbedTLS beside Debian's, and what each of
#   their choices is worth (bench/own.sh).
# Absolute numbers drift on a shared machine; compare the ratios.
# Env: BENCH_SECONDS (default 10), BENCH_CONNS (default 16),
# BENCH_CERTS (certificates for the refresh pass, default 2000).
set -eu
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-16}
certs=${BENCH_CERTS:-2000}
bin=${OCSPBOX:-$PWD/build/ocspbox}
micro=$PWD/build/bench/micro
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-bench.XXXXXX")
chmod 755 "$tmp" # nginx's workers read the static file
pids=
. bench/lib.sh
cleanup() {
	killall_started
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

sh scripts/mkpki.sh "$tmp/pki" >/dev/null
db=$tmp/bench.db
"$bin" --db "$db" migrate >/dev/null
"$bin" --db "$db" issuer add rsa --cert "$tmp/pki/ca-rsa.pem" \
    --responder-cert "$tmp/pki/resp-rsa.pem" \
    --responder-key "$tmp/pki/resp-rsa.key" >/dev/null
"$bin" --db "$db" migrate >/dev/null
"$bin" --db "$db" issuer add ec --cert "$tmp/pki/ca-ec.pem" \
    --responder-cert "$tmp/pki/resp-ec.pem" \
    --responder-key "$tmp/pki/resp-ec.key" >/dev/null
"$bin" --db "$db" cert add rsa --cert "$tmp/pki/leaf1.pem" >/dev/null
"$bin" --db "$db" cert add ec --cert "$tmp/pki/leaf-ec.pem" >/dev/null
openssl ocsp -issuer "$tmp/pki/ca-rsa.pem" -cert "$tmp/pki/leaf1.pem" \
    -no_nonce -reqout "$tmp/rsa.req" >/dev/null 2>&1
openssl ocsp -issuer "$tmp/pki/ca-ec.pem" -cert "$tmp/pki/leaf-ec.pem" \
    -no_nonce -reqout "$tmp/ec.req" >/dev/null 2>&1
# Certificates for the refresh pass, on the RSA issuer.
awk -v n="$certs" 'BEGIN { for (i = 1; i <= n; i++)
	printf "V\t301231235959Z\t\t%X\tunknown\t/CN=b%d\n", 1048576 + i, i }' \
    >"$tmp/bulk-index.txt"
"$bin" --db "$db" cert import rsa --openssl-index "$tmp/bulk-index.txt" \
    >/dev/null

cat >"$tmp/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BENCH_REQ"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/ocsp-request"
LUA

# rate NAME URL REQFILE VAR: requests per second from wrk, printed and
# stored in VAR; REQFILE "-" makes it a GET of URL.
rate() {
	if [ "$3" = - ]; then
		wrk -t2 -c"$conns" -d"${secs}s" "$2" >"$tmp/wrk.out" 2>&1
	else
		BENCH_REQ=$3 wrk -t2 -c"$conns" -d"${secs}s" \
		    -s "$tmp/post.lua" "$2" >"$tmp/wrk.out" 2>&1
	fi
	r=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk.out")
	errs=$(sed -n -e 's/.*Socket errors: \(.*\)/\1/p' \
	    -e 's/.*Non-2xx or 3xx responses: \(.*\)/non-2xx: \1/p' "$tmp/wrk.out")
	lat=$(awk '/Latency/ { print $2; exit }' "$tmp/wrk.out")
	printf '%-44s %10s req/s  (avg latency %s%s)\n' "$1" "$r" "$lat" \
	    "${errs:+; socket errors: $errs}"
	eval "$4=$r"
}

p1=$(port 1)
"$bin" --db "$db" serve --listen "127.0.0.1:$p1" \
    --admin-listen "127.0.0.1:$(port 4)" 2>"$tmp/serve.err" &
server=$!
pids="$pids $server"
wait_up "http://127.0.0.1:$p1/healthz"
# The start refresh pre-signs everything before the load.
n=0
until grep -q 'ocspbox: refresh:' "$tmp/serve.err"; do
	n=$((n + 1))
	[ $n -gt 600 ] && { echo "bench: no refresh pass" >&2; exit 1; }
	sleep 0.1
done

# nginx serves the very bytes ocspbox answers with.
mkdir -p "$tmp/www"
curl -s --data-binary @"$tmp/rsa.req" \
    -H 'Content-Type: application/ocsp-request' \
    -o "$tmp/www/rsa.resp" "http://127.0.0.1:$p1/"
chmod -R a+rX "$tmp/www"
get_path=$(base64 -w0 "$tmp/rsa.req" | sed 's/+/%2B/g; s#/#%2F#g; s/=/%3D/g')
p5=$(port 5)
cat >"$tmp/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$p5;
		root $tmp/www;
		location / { default_type application/ocsp-response; }
	}
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" 2>/dev/null &
pids="$pids $!"

# openssl ocsp needs an OpenSSL CA index for each CA.
serial=$(openssl x509 -in "$tmp/pki/leaf1.pem" -noout -serial | cut -d= -f2)
printf 'V\t301231235959Z\t\t%s\tunknown\t/CN=leaf1\n' "$serial" >"$tmp/index-rsa.txt"
serial=$(openssl x509 -in "$tmp/pki/leaf-ec.pem" -noout -serial | cut -d= -f2)
printf 'V\t301231235959Z\t\t%s\tunknown\t/CN=leaf-ec\n' "$serial" >"$tmp/index-ec.txt"
p2=$(port 2)
p3=$(port 3)
openssl ocsp -index "$tmp/index-rsa.txt" -CA "$tmp/pki/ca-rsa.pem" \
    -rsigner "$tmp/pki/resp-rsa.pem" -rkey "$tmp/pki/resp-rsa.key" \
    -port "$p2" -multi 2 -nmin 60 >/dev/null 2>&1 &
pids="$pids $!"
openssl ocsp -index "$tmp/index-ec.txt" -CA "$tmp/pki/ca-ec.pem" \
    -rsigner "$tmp/pki/resp-ec.pem" -rkey "$tmp/pki/resp-ec.key" \
    -port "$p3" -multi 2 -nmin 60 >/dev/null 2>&1 &
pids="$pids $!"
wait_up "http://127.0.0.1:$p5/rsa.resp"
sleep 1

echo "== one CertID, SHA-1, no nonce; wrk -t2 -c$conns -d${secs}s"
echo "   $(nproc) cores; $(date -u +%FT%TZ)"
rate "ocspbox, cached, POST (RSA-2048)" "http://127.0.0.1:$p1/" "$tmp/rsa.req" a
rate "ocspbox, cached, GET (RSA-2048)" "http://127.0.0.1:$p1/$get_path" - g
rate "nginx, the same bytes as a static file" "http://127.0.0.1:$p5/rsa.resp" - n
rate "openssl ocsp -multi 2, RSA-2048 (signs)" "http://127.0.0.1:$p2/" "$tmp/rsa.req" b
rate "openssl ocsp -multi 2, P-256 (signs)" "http://127.0.0.1:$p3/" "$tmp/ec.req" d
awk -v a="$a" -v g="$g" -v n="$n" -v b="$b" -v d="$d" 'BEGIN {
	printf "ratio ocspbox cached / nginx static file: POST %.2f, GET %.2f\n",
	    (n > 0 ? a / n : 0), (n > 0 ? g / n : 0)
	printf "ratio ocspbox cached POST / openssl ocsp: RSA %.1f, P-256 %.1f\n",
	    (b > 0 ? a / b : 0), (d > 0 ? a / d : 0) }'
# A new client while wrk keeps $conns keep-alive connections busy: it
# must not queue behind them.
BENCH_REQ="$tmp/rsa.req" wrk -t2 -c"$conns" -d"${secs}s" -s "$tmp/post.lua" "http://127.0.0.1:$p1/" \
    >/dev/null 2>&1 &
wk=$!
sleep 1
python3 tests/hostile.py probe --port "$p1" --request "$tmp/rsa.req" \
    --seconds $((secs - 2)) >"$tmp/probe.out"
wait "$wk"
echo "a new client during wrk -c$conns: $(sed 's/^probe //' "$tmp/probe.out")"
# Is anything still answering afterwards? (openssl#23934)
for u in "http://127.0.0.1:$p1/" "http://127.0.0.1:$p2/"; do
	code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --data-binary @"$tmp/rsa.req" \
	    -H 'Content-Type: application/ocsp-request' "$u" || true)
	echo "after the run, $u answers HTTP $code"
done
# ocspbox stops cleanly on SIGTERM after the load.
kill -TERM "$server"
if wait "$server"; then
	echo "ocspbox exited 0 on SIGTERM after the run"
else
	echo "ocspbox exited $? on SIGTERM after the run"
fi
# openssl: CPU time its workers burn in 3 idle seconds after the load.
sleep 3
busy=$(ps -o pcpu= -C openssl 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }')
echo "openssl ocsp workers, idle after the run: ${busy}% CPU in total"
killall_started

echo "== refresh pass: $((certs + 1)) RSA-2048 responses signed by 'ocspbox cache refresh'"
sqlite3 "$db" "DELETE FROM ocsp_response_cache WHERE issuer_id = 'rsa';"
"$bin" --db "$db" cache refresh >"$tmp/refresh.out"
cat "$tmp/refresh.out"
"$micro" "$db" rsa a01 3 >"$tmp/micro.out"
raw=$(awk '/^signatures/ { print $2 }' "$tmp/micro.out")
lookups=$(awk '/^lookups/ { print $2 }' "$tmp/micro.out")
dv=$(awk '/^data_version/ { print $2 }' "$tmp/micro.out")
cores=$(nproc)
# shellcheck disable=SC2046
set -- $(raw_cores "$micro" "$db" rsa a01 3)
awk -v raw="$raw" -v cores="$cores" -v each="$1" -v sum="$2" '{
	for (i = 1; i <= NF; i++) {
		if ($i == "signed,") signed = $(i - 1)
		if ($i == "ms") ms = $(i - 1)
	}
	rate = ms > 0 ? signed * 1000 / ms : 0
	printf "refresh: %.0f signatures/s; raw mbedTLS %.0f/s on one thread x %d cores = %.0f/s; ratio %.2f\n",
	    rate, raw, cores, raw * cores, (raw > 0 ? rate / (raw * cores) : 0)
	printf "refresh: raw mbedTLS on each core at once %s = %.0f/s; ratio %.2f\n",
	    each, sum, (sum > 0 ? rate / sum : 0) }' "$tmp/refresh.out"
awk -v l="$lookups" -v dv="$dv" -v a="$a" -v cores="$(nproc)" 'BEGIN {
	req = cores * 1e6 / a
	printf "cache lookup in SQLite: %.1f us on one thread; a cached POST costs %.1f us of CPU (%d cores / %.0f req/s): the lookup is %.0f%% of it\n",
	    1e6 / l, req, cores, a, 100 * (1e6 / l) / req
	save = 100 * (1e6 / l - 1e6 / dv) / req
	printf "PRAGMA data_version: %.1f us, which a memory layer would still pay per request: it could save at most %.0f%%\n",
	    1e6 / dv, (save > 0 ? save : 0) }'

# Rude clients: a real client (a new connection per request, one every
# 20 ms) beside N hostile connections, a quarter each silent, sending a
# head a byte every 2 s, trickling a body, and keep-alive talkers, each
# re-opened when dropped, or N that pipeline and never read
# (tests/hostile.py); and the server's peak RSS.
hostile_secs=${BENCH_HOSTILE_SECONDS:-20}
hostile() { # N PORT [FLOOD-ARGS --] SERVE-ARGS...
	hn=$1 hp=$2
	shift 2
	kinds="--silent $((hn / 4)) --partial $((hn / 4)) --trickle $((hn / 4)) --talkers $((hn / 4))"
	label="mixed"
	if [ "${1:-}" = --nonreaders ]; then
		kinds="--nonreaders $hn"
		label="non-readers"
		shift
	fi
	label="$label ${*:-(defaults)}"
	"$bin" --db "$db" serve --listen "127.0.0.1:$hp" \
	    --admin-listen "127.0.0.1:$((hp + 1))" "$@" 2>"$tmp/serve-h.err" &
	hs=$!
	pids="$pids $hs"
	wait_up "http://127.0.0.1:$hp/healthz"
	idle=$(awk '/^VmRSS/ { print $2 }' "/proc/$hs/status")
	# shellcheck disable=SC2086
	python3 tests/hostile.py flood --port "$hp" --request "$tmp/rsa.req" \
	    $kinds --seconds $((hostile_secs + 10)) >"$tmp/flood.out" &
	fl=$!
	sleep 8 # the flood ramps up at 2,000 connections a second
	python3 tests/hostile.py probe --port "$hp" --request "$tmp/rsa.req" \
	    --seconds "$hostile_secs" >"$tmp/probe.out"
	peak=$(python3 tests/hostile.py rss --pid "$hs")
	wait "$fl"
	kill -TERM "$hs"
	wait "$hs" 2>/dev/null
	printf '%-6s %-28s %s; RSS idle %d KiB, peak %d KiB (%.2f KiB per hostile connection)\n' \
	    "$hn" "$label" "$(sed 's/^probe //' "$tmp/probe.out")" \
	    "$idle" "$peak" "$(awk -v p="$peak" -v i="$idle" -v n="$hn" 'BEGIN { print (p - i) / n }')"
	sed 's/^/       /' "$tmp/flood.out"
}
echo "== a real client beside hostile connections ($(nproc) cores, ${hostile_secs}s each)"
hostile 2000 "$(port 12)"
hostile 10000 "$(port 14)"
hostile 10000 "$(port 16)" --max-connections 12000
# Clients that pipeline 1,000 requests each and never read an answer.
hostile 1000 "$(port 18)" --nonreaders

# CRLs: how long one of 10,000 revocations takes to build, and how fast it
# is served beside nginx serving the same bytes.
ncrl=${BENCH_CRL_REVOKED:-10000}
echo "== CRL of $ncrl revocations, RSA-2048 CA key"
cdb=$tmp/crl.db
"$bin" --db "$cdb" migrate >/dev/null
"$bin" --db "$cdb" issuer add rsa --cert "$tmp/pki/ca-rsa.pem" \
    --responder-cert "$tmp/pki/resp-rsa.pem" \
    --responder-key "$tmp/pki/resp-rsa.key" \
    --crl-key "$tmp/pki/ca-rsa.key" >/dev/null
awk -v n="$ncrl" 'BEGIN { for (i = 1; i <= n; i++)
	printf "R\t301231235959Z\t260101000000Z,keyCompromise\t%X\tunknown\t/CN=r%d\n", 2097152 + i, i }' \
    >"$tmp/revoked-index.txt"
"$bin" --db "$cdb" cert import rsa --openssl-index "$tmp/revoked-index.txt" \
    >/dev/null
# The first run also signs the $ncrl OCSP responses; the next two build
# only the CRL.
for i in 1 2 3; do
	"$bin" --db "$cdb" cache refresh | grep '^crl '
done
pc=$(port 6)
"$bin" --db "$cdb" serve --listen "127.0.0.1:$pc" \
    --admin-listen "127.0.0.1:$(port 7)" 2>"$tmp/serve-crl.err" &
server=$!
pids="$pids $server"
wait_up "http://127.0.0.1:$pc/healthz"
n=0
until curl -fs -o "$tmp/www/rsa.crl" "http://127.0.0.1:$pc/crl/rsa.crl"; do
	n=$((n + 1))
	[ $n -gt 100 ] && { echo "bench: no CRL served" >&2; exit 1; }
	sleep 0.1
done
chmod -R a+rX "$tmp/www"
nginx -c "$tmp/nginx.conf" -p "$tmp" 2>/dev/null &
pids="$pids $!"
wait_up "http://127.0.0.1:$p5/rsa.crl"
echo "   $(wc -c <"$tmp/www/rsa.crl") bytes; wrk -t2 -c$conns -d${secs}s"
rate "ocspbox GET /crl/rsa.crl" "http://127.0.0.1:$pc/crl/rsa.crl" - cr
rate "nginx, the same bytes as a static file" "http://127.0.0.1:$p5/rsa.crl" - cn
awk -v a="$cr" -v n="$cn" 'BEGIN {
	printf "ratio ocspbox CRL / nginx static file: %.2f\n", (n > 0 ? a / n : 0) }'
killall_started

# Our SQLite and mbedTLS beside Debian's, and each of their choices.
sh bench/own.sh
