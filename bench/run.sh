#!/bin/sh
# make bench: throughput of ocspbox beside `openssl ocsp -multi 2`, in one
# run, with the same wrk settings and the same request bytes. Absolute
# numbers drift on a shared machine; compare the ratios.
# Env: BENCH_SECONDS (default 10), BENCH_CONNS (default 16).
set -eu
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-16}
bin=${OCSPBOX:-$PWD/build/ocspbox}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-bench.XXXXXX")
pids=
cleanup() {
	# openssl ocsp -multi workers may spin after their parent is told to
	# stop (openssl#23934): kill each tree outright.
	for p in $pids; do
		pkill -9 -P "$p" 2>/dev/null || true
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

sh scripts/mkpki.sh "$tmp/pki" >/dev/null
db=$tmp/bench.db
"$bin" --db "$db" issuer add rsa --cert "$tmp/pki/ca-rsa.pem" \
    --responder-cert "$tmp/pki/resp-rsa.pem" \
    --responder-key "$tmp/pki/resp-rsa.key" >/dev/null
"$bin" --db "$db" issuer add ec --cert "$tmp/pki/ca-ec.pem" \
    --responder-cert "$tmp/pki/resp-ec.pem" \
    --responder-key "$tmp/pki/resp-ec.key" >/dev/null
"$bin" --db "$db" cert add rsa --cert "$tmp/pki/leaf1.pem" >/dev/null
"$bin" --db "$db" cert add ec --cert "$tmp/pki/leaf-ec.pem" >/dev/null
openssl ocsp -issuer "$tmp/pki/ca-rsa.pem" -cert "$tmp/pki/leaf1.pem" \
    -no_nonce -reqout "$tmp/rsa.req" >/dev/null 2>&1
openssl ocsp -issuer "$tmp/pki/ca-ec.pem" -cert "$tmp/pki/leaf-ec.pem" \
    -no_nonce -reqout "$tmp/ec.req" >/dev/null 2>&1

cat >"$tmp/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BENCH_REQ"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/ocsp-request"
LUA

port() { echo $((30000 + ($$ + $1) % 20000)); }
wait_up() { # URL
	n=0
	until curl -s -o /dev/null "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt 100 ] && { echo "bench: $1 never came up" >&2; exit 1; }
		sleep 0.1
	done
}
# rate NAME URL REQFILE: requests per second from wrk, printed and returned
rate() {
	BENCH_REQ=$3 wrk -t2 -c"$conns" -d"${secs}s" -s "$tmp/post.lua" "$2" \
	    >"$tmp/wrk.out" 2>&1
	r=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk.out")
	errs=$(sed -n -e 's/.*Socket errors: \(.*\)/\1/p' \
	    -e 's/.*Non-2xx or 3xx responses: \(.*\)/non-2xx: \1/p' "$tmp/wrk.out")
	lat=$(awk '/Latency/ { print $2; exit }' "$tmp/wrk.out")
	printf '%-44s %10s req/s  (avg latency %s%s)\n' "$1" "$r" "$lat" \
	    "${errs:+; socket errors: $errs}"
	eval "$4=$r"
}

p1=$(port 1)
"$bin" --db "$db" serve --listen "127.0.0.1:$p1" 2>"$tmp/serve.err" &
server=$!
pids="$pids $server"
wait_up "http://127.0.0.1:$p1/healthz"

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
sleep 1

echo "== live signing, POST, one CertID, no nonce; wrk -t2 -c$conns -d${secs}s"
echo "   $(nproc) cores; $(date -u +%FT%TZ)"
rate "ocspbox, RSA-2048 responder" "http://127.0.0.1:$p1/" "$tmp/rsa.req" a
rate "openssl ocsp -multi 2, RSA-2048 responder" "http://127.0.0.1:$p2/" "$tmp/rsa.req" b
rate "ocspbox, P-256 responder" "http://127.0.0.1:$p1/" "$tmp/ec.req" c
rate "openssl ocsp -multi 2, P-256 responder" "http://127.0.0.1:$p3/" "$tmp/ec.req" d
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" 'BEGIN {
	printf "ratio ocspbox / openssl ocsp: RSA-2048 %.2f, P-256 %.2f\n",
	    (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
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
