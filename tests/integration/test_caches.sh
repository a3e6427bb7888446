#!/bin/sh
# nginx proxy_cache and Varnish in front of ocspbox, each configured with
# the very block docs/operations.md shows ("A cache or CDN in front"):
# GETs answered from the cache, 304 on If-None-Match, base64 paths with
# "//" intact, POSTs and "unknown" answers not kept, every answer valid
# when it arrives, a revoke visible once max-age runs out, and a Varnish
# PURGE making it visible at once.
. tests/integration/lib.sh

for p in nginx varnishd faketime; do
	command -v $p >/dev/null || { fail "$p is installed (scripts/deps.sh test)"; finish; exit 1; }
done
make_pki
addissuer "$DB" rsa rsa
for s in a01 a02 a03; do "$OCSPBOX" --db "$DB" cert add rsa --serial $s >/dev/null; done
# req SERIAL FILE: a SHA-1 OCSP request without a nonce.
req() { openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x$1" -no_nonce -reqout "$2" >/dev/null 2>&1; }
for s in a01 a02 a03 5151 5152; do req $s "$TMP/$s.req"; done
# A request whose base64 holds "//", as about one in 170 do: a01's with
# other serial octets of the same length.
SLASH=$(python3 - "$TMP/a01.req" "$TMP/slash.req" <<'PY'
import base64, os, sys
der = open(sys.argv[1], "rb").read()
i = der.index(b"\x02\x02\x0a\x01") + 2  # INTEGER 0x0a01
while True:
    s = bytes([0x10 + os.urandom(1)[0] % 0x60]) + os.urandom(1)
    d = der[:i] + s + der[i + 2:]
    if b"//" in base64.b64encode(d):
        open(sys.argv[2], "wb").write(d)
        print(s.hex())
        break
PY
)
"$OCSPBOX" --db "$DB" cert add rsa --serial "$SLASH" >/dev/null

admin_token
# validity 40 s: max-age 19 s at most (20 s margin, half the validity).
start_server "$DB" --validity 40s --refresh-interval 30s ||
    { fail "server starts"; finish; exit 1; }
gets() { # the GETs ocspbox answered so far
	curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" |
	    jq -r '.server.requests.get'
}
posts() {
	curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" |
	    jq -r '.server.requests.post'
}

# nginx with the documented block, on the next free port.
NP=$((PORT + 2))
VP=$((PORT + 3))
mkdir -p "$TMP/nginx" "$TMP/nginx-cache"
awk '/^```nginx$/ { on = 1; next } /^```$/ { on = 0 } on' docs/operations.md |
    sed -e "s#/var/cache/nginx/ocspbox#$TMP/nginx-cache#" \
	-e "s#127.0.0.1:8080#127.0.0.1:$PORT#" -e "s#listen 80;#listen 127.0.0.1:$NP;#" \
    >"$TMP/nginx/ocspbox.conf"
grep -q "proxy_cache ocspbox" "$TMP/nginx/ocspbox.conf" || fail "the nginx block is in docs/operations.md"
# A negative control, not from the docs: slashes merged under a prefix.
MP=$((PORT + 4))
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 256; }
http {
	access_log $TMP/nginx/access.log;
	include $TMP/nginx/ocspbox.conf;
	server {
		listen 127.0.0.1:$MP;
		location /prefix/ { proxy_pass http://127.0.0.1:$PORT/; }
	}
}
EOF
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2>"$TMP/nginx/start.err" &
BG_PIDS="$BG_PIDS $!"
awk '/^```vcl$/ { on = 1; next } /^```$/ { on = 0 } on' docs/operations.md |
    sed -e "s#\"8080\"#\"$PORT\"#" >"$TMP/ocspbox.vcl"
grep -q "return (purge)" "$TMP/ocspbox.vcl" || fail "the VCL is in docs/operations.md"
varnishd -j none -F -n "$TMP/varnish" -a "127.0.0.1:$VP" -f "$TMP/ocspbox.vcl" \
    -s malloc,32m >"$TMP/varnish.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
n=0
until curl -fs -o /dev/null "http://127.0.0.1:$NP/healthz" &&
    curl -fs -o /dev/null "http://127.0.0.1:$VP/healthz"; do
	n=$((n + 1))
	if [ $n -gt 100 ]; then
		fail "nginx and varnishd start" "$(cat "$TMP/nginx/start.err" "$TMP/nginx/error.log" "$TMP/varnish.log" 2>/dev/null)"
		finish
		exit 1
	fi
	sleep 0.1
done
# The start pass signs everything first.
n=0
until grep -q 'ocspbox: refresh:' "$TMP/server.err" || [ $n -gt 100 ]; do n=$((n + 1)); sleep 0.1; done

# fresh: a refresh pass now (every entry is due: the horizon is longer
# than the validity), so that what follows starts from full max-ages.
fresh() {
	before=$(curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" |
	    jq -r '.refresh.last_started_at')
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/refresh"
	n=0
	while [ $n -lt 100 ]; do
		st=$(curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats")
		[ "$(printf '%s' "$st" | jq -r '.refresh.last_started_at')" != "$before" ] &&
		    [ "$(printf '%s' "$st" | jq -r '.refresh.running')" = false ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
}

# cert_status FILE: the certificate status an OCSP response says.
cert_status() { openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null | sed -n 's/^ *Cert Status: //p'; }
# valid_now FILE: its nextUpdate is still ahead.
valid_now() {
	nu=$(openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null | sed -n 's/^ *Next Update: //p')
	[ -n "$nu" ] && [ "$(date -u -d "$nu" +%s)" -gt "$(date +%s)" ]
}

fresh
for c in nginx varnish; do
	if [ $c = nginx ]; then CU=http://127.0.0.1:$NP; H=X-Cache-Status; else CU=http://127.0.0.1:$VP; H=X-Cache; fi
	path=/$(enc "$TMP/a01.req")
	g0=$(gets)
	hits=0
	i=0
	while [ $i -lt 20 ]; do
		curl -s -D "$TMP/h" -o "$TMP/r.der" "$CU$path"
		tr -d '\r' <"$TMP/h" | grep -qi "^$H: HIT" && hits=$((hits + 1))
		i=$((i + 1))
	done
	g1=$(gets)
	same "$c: 20 GETs, 19 from the cache, one reaches ocspbox" "$hits $((g1 - g0))" "19 1"
	same "$c: ... and it says good" "$(cert_status "$TMP/r.der")" good
	tag=$(tr -d '\r' <"$TMP/h" | sed -n 's/^ETag: //Ip')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $tag" "$CU$path")
	same "$c: If-None-Match with its ETag: 304" "$code" 304
	# "//" in the path, sent raw as some clients do.
	raw=$(base64 -w0 "$TMP/slash.req")
	curl -s -o "$TMP/s.der" "$CU/ocsp/$raw"
	same "$c: a base64 path with \"//\" reaches ocspbox intact: good" "$(cert_status "$TMP/s.der")" good
	p0=$(posts)
	curl -s -o /dev/null --data-binary @"$TMP/a01.req" -H 'Content-Type: application/ocsp-request' "$CU/"
	curl -s -o "$TMP/p.der" --data-binary @"$TMP/a01.req" -H 'Content-Type: application/ocsp-request' "$CU/"
	same "$c: POSTs are not cached: both reach ocspbox" "$(($(posts) - p0)) $(cert_status "$TMP/p.der")" "2 good"
	# "unknown" is not kept: good right after cert add.
	[ $c = nginx ] && us=5151 || us=5152
	upath=/$(enc "$TMP/$us.req")
	curl -s -o "$TMP/u.der" "$CU$upath"
	same "$c: an unregistered serial: unknown" "$(cert_status "$TMP/u.der")" unknown
	"$OCSPBOX" --db "$DB" cert add rsa --serial $us >/dev/null
	curl -s -o "$TMP/u.der" "$CU$upath"
	same "$c: ... good through the cache right after cert add" "$(cert_status "$TMP/u.der")" good
done
code=$(curl -s -o "$TMP/m.der" -w '%{http_code}' "http://127.0.0.1:$MP/prefix/ocsp/$raw")
same "control: the same path under a prefix with merge_slashes on is mangled (malformedRequest)" \
    "$code $(openssl asn1parse -inform DER -in "$TMP/m.der" 2>/dev/null | sed -n 's/.*ENUMERATED *:0*\([0-9]*\)$/\1/p' | head -n 1)" "200 1"

# Both caches hold a02 "good"; revoke it and watch both until they say
# revoked, checking that every answer is still valid when it arrives.
fresh
p2=/$(enc "$TMP/a02.req")
for CU in "http://127.0.0.1:$NP" "http://127.0.0.1:$VP"; do curl -s -o /dev/null "$CU$p2"; done
age=$(curl -s -D - -o /dev/null "http://127.0.0.1:$NP$p2" | tr -d '\r' |
    sed -n 's/^Cache-Control: max-age=\([0-9]*\).*/\1/Ip')
"$OCSPBOX" --db "$DB" revoke rsa a02 --reason keyCompromise >/dev/null
t0=$(date +%s)
nseen=unseen
vseen=unseen
expired=0
while [ $(($(date +%s) - t0)) -le 30 ]; do
	curl -s -o "$TMP/n.der" "http://127.0.0.1:$NP$p2"
	curl -s -o "$TMP/v.der" "http://127.0.0.1:$VP$p2"
	valid_now "$TMP/n.der" || expired=$((expired + 1))
	valid_now "$TMP/v.der" || expired=$((expired + 1))
	[ $nseen = unseen ] && [ "$(cert_status "$TMP/n.der")" = revoked ] && nseen=$(($(date +%s) - t0))
	[ $vseen = unseen ] && [ "$(cert_status "$TMP/v.der")" = revoked ] && vseen=$(($(date +%s) - t0))
	[ $nseen != unseen ] && [ $vseen != unseen ] && break
	sleep 0.5
done
# Varnish may hand out the old one once more in its 10 s grace.
if [ "$nseen" != unseen ] && [ -n "$age" ] && [ "$nseen" -le $((age + 3)) ]; then
	pass "nginx: the revoke is visible after ${nseen}s, within the max-age it had (${age}s)"
else
	fail "nginx: the revoke is visible within max-age" "seen after $nseen s, max-age $age"
fi
if [ "$vseen" != unseen ] && [ -n "$age" ] && [ "$vseen" -le $((age + 12)) ]; then
	pass "varnish: the revoke is visible after ${vseen}s (max-age ${age}s, grace 10 s)"
else
	fail "varnish: the revoke is visible within max-age and grace" "seen after $vseen s, max-age $age"
fi
same "no answer through either cache was past its nextUpdate" "$expired" 0

# Varnish: PURGE after a revoke makes it visible at once.
fresh
p3=/$(enc "$TMP/a03.req")
curl -s -o /dev/null "http://127.0.0.1:$VP$p3"
curl -s -D "$TMP/h" -o "$TMP/v3.der" "http://127.0.0.1:$VP$p3"
same "varnish: a03 cached good" "$(tr -d '\r' <"$TMP/h" | sed -n 's/^X-Cache: //Ip') $(cert_status "$TMP/v3.der")" "HIT good"
"$OCSPBOX" --db "$DB" revoke rsa a03 >/dev/null
curl -s -o /dev/null -X PURGE "http://127.0.0.1:$VP$p3"
curl -s -o "$TMP/v3.der" "http://127.0.0.1:$VP$p3"
same "varnish: after PURGE, revoked at once" "$(cert_status "$TMP/v3.der")" revoked
stop_checked "ocspbox"
finish
