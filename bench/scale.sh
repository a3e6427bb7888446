#!/bin/sh
# make bench, the scale run: BENCH_SCALE_CERTS certificates (default
# 1,000,000) on one P-256 issuer, in one run:
# - `cert import` of an `openssl ca` index of them: lines/s;
# - `cache refresh` signing them: signatures/s beside the raw mbedTLS rate
#   of one thread times the cores, and the pass's peak RSS;
# - `serve` over the signed database: cached GET over all of them at
#   random beside GET over a hot 1,000, p99 latency beside nginx serving
#   one answer's bytes as a static file, and the server's peak RSS;
# - the same lookups without HTTP (bench/micro spread), per CPU second.
# Signing a million takes minutes: the signed database is kept in
# BENCH_SCALE_DIR (default build/bench/scale) and used again while the
# binary can open it; later runs measure the pass on the last
# BENCH_SCALE_RESIGN answers (default 100,000), deleted from the kept
# copy first. BENCH_SCALE_FRESH=1 signs everything again.
# Env: BENCH_SECONDS (default 10), BENCH_CONNS (default 16).
# Absolute numbers drift on a shared machine; compare the ratios.
set -eu
n=${BENCH_SCALE_CERTS:-1000000}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-16}
resign=${BENCH_SCALE_RESIGN:-100000}
bin=${OCSPBOX:-$PWD/build/ocspbox}
micro=${MICRO:-$PWD/build/bench/micro}
keep=${BENCH_SCALE_DIR:-$PWD/build/bench/scale}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocspbox-scale.XXXXXX")
chmod 755 "$tmp" # nginx's workers read the static file
pids=
. bench/lib.sh
cleanup() {
	killall_started
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
# Serials 0x100001 on: three octets each, so every request has one length.
lo=1048577
# The last, 0x100000 + n, must stay under 0x800000 (three octets, positive).
[ "$n" -le 7340031 ] || { echo "scale: at most 7340031 certificates" >&2; exit 2; }

# peak_rss CMD...: runs CMD; prints its output, then "peak_rss_kib N";
# a failure prints what CMD said and ends the run.
peak_rss() {
	if /usr/bin/env time -f 'peak_rss_kib %M' "$@" 2>"$tmp/time.err"; then
		grep '^peak_rss_kib' "$tmp/time.err"
	else
		cat "$tmp/time.err" >&2
		echo "scale: $* failed" >&2
		exit 1
	fi
}

echo "== scale: $n certificates, P-256 responder; $(nproc) cores; $(date -u +%FT%TZ)"
mkdir -p "$keep"
[ -f "$keep/pki/ca-ec.pem" ] || sh scripts/mkpki.sh "$keep/pki" >/dev/null
awk -v n="$n" -v lo="$lo" 'BEGIN { for (i = 0; i < n; i++)
	printf "V\t301231235959Z\t\t%X\tunknown\t/CN=s%d\n", lo + i, i }' \
    >"$tmp/index.txt"

# Import into a fresh database.
db=$tmp/scale.db
"$bin" --db "$db" migrate >/dev/null
"$bin" --db "$db" issuer add ec --cert "$keep/pki/ca-ec.pem" \
    --responder-cert "$keep/pki/resp-ec.pem" \
    --responder-key "$keep/pki/resp-ec.key" >/dev/null
t0=$(date +%s.%N)
peak_rss "$bin" --db "$db" cert import ec --openssl-index "$tmp/index.txt" \
    >"$tmp/import.out"
t1=$(date +%s.%N)
awk -v n="$n" -v a="$t0" -v b="$t1" '/^peak_rss_kib/ { rss = $2 }
	END { printf "import: %d lines in %.2f s: %.0f lines/s; peak RSS %d KiB\n",
	    n, b - a, n / (b - a), rss }' "$tmp/import.out"

# The refresh pass: every answer, or the last $resign of a kept database.
kept=$keep/signed-$n.db
if [ "${BENCH_SCALE_FRESH:-0}" = 1 ] || [ ! -f "$kept" ] ||
    ! "$bin" --db "$kept" migrate >/dev/null 2>&1; then
	rm -f "$kept" "$kept-wal" "$kept-shm"
	what="all $n"
else
	# Serials are stored in lower case, all of one length here.
	sqlite3 "$kept" "DELETE FROM ocsp_response_cache
	    WHERE serial_hex >= printf('%x', $lo + $n - $resign);"
	db=$kept
	what="the last $resign of $n (kept database; BENCH_SCALE_FRESH=1 for all)"
fi
peak_rss "$bin" --db "$db" cache refresh >"$tmp/refresh.out"
grep '^refreshed' "$tmp/refresh.out"
"$micro" "$db" ec "$(printf '%X' $lo)" 3 >"$tmp/micro.out"
raw=$(awk '/^signatures/ { print $2 }' "$tmp/micro.out")
# shellcheck disable=SC2046
set -- $(raw_cores "$micro" "$db" ec "$(printf '%X' $lo)" 3)
awk -v raw="$raw" -v cores="$(nproc)" -v what="$what" -v each="$1" -v sum="$2" '
	/^peak_rss_kib/ { rss = $2 }
	/^refreshed/ { for (i = 1; i <= NF; i++) {
		if ($i == "signed,") signed = $(i - 1)
		if ($i == "ms") ms = $(i - 1) } }
	END { rate = ms > 0 ? signed * 1000 / ms : 0
	printf "refresh of %s: %.0f signatures/s; raw mbedTLS %.0f/s x %d cores = %.0f/s; ratio %.2f; peak RSS %d KiB\n",
	    what, rate, raw, cores, raw * cores, (raw > 0 ? rate / (raw * cores) : 0), rss
	printf "refresh: raw mbedTLS on each core at once %s = %.0f/s; ratio %.2f\n",
	    each, sum, (sum > 0 ? rate / sum : 0) }' \
    "$tmp/refresh.out"
if [ "$db" != "$kept" ]; then
	sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	mv "$db" "$kept"
	rm -f "$db-wal" "$db-shm"
fi

# Serving: GET of a random serial among all, or among the first 1,000.
openssl ocsp -issuer "$keep/pki/ca-ec.pem" -serial "0x$(printf '%X' $lo)" \
    -no_nonce -reqout "$tmp/req.der" >/dev/null 2>&1
cat >"$tmp/get.lua" <<'LUA'
-- The request of serial 0x100001 with its last three octets (the serial)
-- replaced by a random one of SCALE_N from SCALE_LO, base64 and %-escaped.
local f = assert(io.open(os.getenv("SCALE_REQ"), "rb"))
local der = f:read("*a")
f:close()
local prefix = der:sub(1, #der - 3)
local lo = tonumber(os.getenv("SCALE_LO"))
local n = tonumber(os.getenv("SCALE_N"))
local abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%2B%2F"
local sym = {}
for i = 0, 61 do sym[i] = abc:sub(i + 1, i + 1) end
sym[62] = "%2B"
sym[63] = "%2F"
local function b64(s)
	local out = {}
	for i = 1, #s, 3 do
		local a, b, c = s:byte(i, i + 2)
		local v = a * 65536 + (b or 0) * 256 + (c or 0)
		out[#out + 1] = sym[math.floor(v / 262144) % 64]
		out[#out + 1] = sym[math.floor(v / 4096) % 64]
		out[#out + 1] = b and sym[math.floor(v / 64) % 64] or "%3D"
		out[#out + 1] = c and sym[v % 64] or "%3D"
	end
	return table.concat(out)
end
local id = 0
function setup(thread)
	id = id + 1
	thread:set("seed", id)
end
function init(args)
	math.randomseed(os.time() * 16 + (seed or 0))
end
function request()
	local v = lo + math.random(0, n - 1)
	local s = prefix .. string.char(math.floor(v / 65536) % 256,
	    math.floor(v / 256) % 256, v % 256)
	return wrk.format("GET", "/" .. b64(s))
end
LUA
ps=$(port 21)
"$bin" --db "$kept" serve --listen "127.0.0.1:$ps" \
    --admin-listen "127.0.0.1:$(port 22)" 2>"$tmp/serve.err" &
server=$!
pids="$pids $server"
wait_up "http://127.0.0.1:$ps/healthz" 300
k=0
until grep -q 'ocspbox: refresh:' "$tmp/serve.err"; do
	k=$((k + 1))
	[ $k -gt 3000 ] && { echo "scale: no refresh pass" >&2; exit 1; }
	sleep 0.1
done
idle=$(awk '/^VmRSS/ { print $2 }' "/proc/$server/status")
# rate NAME N PORT VAR: wrk's requests/s of GETs of N random serials
# into VAR, its p99 into p99.
rate() {
	if ! SCALE_REQ=$tmp/req.der SCALE_LO=$lo SCALE_N=$2 wrk -t2 -c"$conns" \
	    -d"${secs}s" --latency -s "$tmp/get.lua" "http://127.0.0.1:$3" \
	    >"$tmp/wrk.out" 2>&1; then
		cat "$tmp/wrk.out" >&2
		echo "scale: wrk failed" >&2
		exit 1
	fi
	r=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")
	errs=$(sed -n -e 's/.*Socket errors: \(.*\)/\1/p' \
	    -e 's/.*Non-2xx or 3xx responses: \(.*\)/non-2xx: \1/p' "$tmp/wrk.out")
	printf '%-48s %10s req/s  p99 %s%s\n' "$1" "$r" "$p99" \
	    "${errs:+; errors: $errs}"
	eval "$4=$r"
}
# Warm the OS's page cache over the whole file first, as a box that has
# served a while has it.
cat "$kept" >/dev/null
mkdir -p "$tmp/www"
curl -s -o "$tmp/www/one.resp" "http://127.0.0.1:$ps/$(base64 -w0 "$tmp/req.der" |
    sed 's/+/%2B/g; s#/#%2F#g; s/=/%3D/g')"
chmod -R a+rX "$tmp/www"
pn=$(port 23)
cat >"$tmp/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$pn;
		root $tmp/www;
		# Any path is the one answer: wrk's GET script costs both the same.
		location / {
			default_type application/ocsp-response;
			try_files /one.resp =404;
		}
	}
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" 2>/dev/null &
pids="$pids $!"
wait_up "http://127.0.0.1:$pn/one.resp"
echo "   wrk -t2 -c$conns -d${secs}s --latency"
rate "ocspbox, cached GET, 1,000 hot serials" 1000 "$ps" hot
hot_p99=$p99
rate "ocspbox, cached GET, all $n serials at random" "$n" "$ps" all
all_p99=$p99
rate "nginx, one answer as a static file, same GETs" 1000 "$pn" ng
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$server/status")
awk -v h="$hot" -v a="$all" -v g="$ng" 'BEGIN {
	printf "ratio cached GET, all %s / hot 1,000: %.2f; hot / nginx %.2f; all / nginx %.2f\n",
	    "'"$n"'", (h > 0 ? a / h : 0), (g > 0 ? h / g : 0), (g > 0 ? a / g : 0) }'
echo "p99: ocspbox hot $hot_p99, all $all_p99; nginx $p99"
echo "serve: RSS after start $idle KiB, peak $peak KiB"
kill -TERM "$server"
wait "$server" 2>/dev/null || true

# The same lookups without HTTP, on one thread per second of its CPU
# time, read as the gate reads: how much of the gap above is the lookup.
few=1000
[ "$n" -ge $few ] || few=$n
for m in $few "$n"; do
	if ! "$micro" "$kept" ec "$(printf '%x' $lo)" 5 spread "$m" \
	    >"$tmp/spread.$m" 2>&1; then
		cat "$tmp/spread.$m" >&2
		echo "scale: micro spread failed" >&2
		exit 1
	fi
done
awk -v n="$n" -v few="$few" '/^spread_lookups/ { r[FILENAME] = $2 }
	/^spread_not_in_memory/ { d[FILENAME] = $2 }
	END { h = r[ARGV[1]]; a = r[ARGV[2]]
	printf "lookup without HTTP (micro spread, per CPU second): hot %d %.0f/s, all %s %.0f/s (%d pages not in memory); ratio %.2f\n",
	    few, h, n, a, d[ARGV[2]], (h > 0 ? a / h : 0) }' \
    "$tmp/spread.$few" "$tmp/spread.$n"
