#!/bin/sh
# The public listener's HTTP against real networks: request framing,
# Expect, deadlines, keep-alive, Date, rude clients beside real ones
# (tests/integration/wire.py, raw sockets); then what clients and caches
# read: max-age against nextUpdate, "unknown" answers, thisUpdate
# backdated for slow clocks (openssl under faketime), Expect with curl.
. tests/integration/lib.sh

# The PKI is made a day back (faketime), so that its certificates are
# valid for a client whose clock runs 50 minutes slow.
if ! command -v faketime >/dev/null; then
	fail "faketime is installed (scripts/deps.sh test)"
	finish
	exit 1
fi
make_pki faketime -f -1d
addissuer "$DB" rsa rsa
"$OCSPBOX" --db "$DB" cert add rsa --cert "$PKI/leaf1.pem" >/dev/null
"$OCSPBOX" --db "$DB" cert add rsa --cert "$PKI/leaf2.pem" >/dev/null
openssl ocsp -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf1.pem" -no_nonce \
    -reqout "$TMP/req.der" >/dev/null 2>&1
admin_token
# Two workers: rude clients would hold both at once without the gate.
start_server "$DB" --threads 2 --validity 2h --refresh-interval 1h ||
    { fail "server starts"; finish; exit 1; }

# wire.py's checks count as ours.
python3 tests/integration/wire.py --port "$PORT" --admin-port $((PORT + 1)) \
    --token "$TOKEN" --req "$TMP/req.der" --threads 2 >"$TMP/wire.out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok   "*) pass "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) echo "$line" ;;
	esac
done <"$TMP/wire.out"
[ -s "$TMP/wire.out" ] || fail "wire.py ran" "no output"

# The gate's counts reach the stats and /metrics.
st=$(curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats")
if printf '%s' "$st" | jq -e '.server.requests.rejected >= 12 and
    .server.requests.timed_out >= 2 and .server.connections.idle_closed >= 1 and
    .server.connections.accepted > 100' >/dev/null; then
	pass "stats: rejected, timed out, idle closed and accepted connections counted"
else
	fail "stats: the gate's counts" "$(printf '%s' "$st" | jq -c .server)"
fi
curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/metrics" >"$TMP/metrics.txt"
if grep -q '^ocspbox_http_requests_rejected_total [1-9]' "$TMP/metrics.txt" &&
    grep -q '^ocspbox_http_connections_open [0-9]' "$TMP/metrics.txt" &&
    { ! command -v promtool >/dev/null || promtool check metrics <"$TMP/metrics.txt" >/dev/null 2>&1; }; then
	pass "/metrics: ocspbox_http_* connection metrics, promtool-clean"
else
	fail "/metrics: connection metrics" "$(grep ocspbox_http "$TMP/metrics.txt")"
fi

# Expect with curl: it waits a second for a 100 that never comes, unless
# the server sends it.
head -c 2000 /dev/urandom >"$TMP/noise"
t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Expect: 100-continue' \
    -H 'Content-Type: application/ocsp-request' --data-binary @"$TMP/req.der" "$URL/")
if awk -v t="$t" 'BEGIN { exit !(t < 0.5) }'; then
	pass "curl with Expect: 100-continue is answered in ${t}s (not its 1 s wait)"
else
	fail "curl with Expect: 100-continue is answered at once" "took ${t}s"
fi

# max-age ends before nextUpdate, as the client's clock (Date) reads it.
enc=$(enc "$TMP/req.der")
curl -s -D "$TMP/h" -o "$TMP/get.der" "$URL/$enc"
hdr=$(tr -d '\r' <"$TMP/h")
date_s=$(date -u -d "$(printf '%s\n' "$hdr" | sed -n 's/^Date: //Ip')" +%s)
exp_s=$(date -u -d "$(printf '%s\n' "$hdr" | sed -n 's/^Expires: //Ip')" +%s)
age=$(printf '%s\n' "$hdr" | sed -n 's/^Cache-Control: max-age=\([0-9]*\),.*/\1/Ip')
nu=$(date -u -d "$(openssl ocsp -respin "$TMP/get.der" -resp_text -noverify |
    sed -n 's/^ *Next Update: //p')" +%s)
same "Expires is nextUpdate" "$exp_s" "$nu"
if [ -n "$age" ] && [ $((date_s + age)) -le $((nu - 61)) ] &&
    [ $((date_s + age)) -ge $((nu - 63)) ]; then
	pass "Date + max-age ends 61 s before nextUpdate ($age s)"
else
	fail "Date + max-age ends 61 s before nextUpdate" "Date $date_s max-age $age nextUpdate $nu"
fi
if [ -n "$age" ] && [ "$age" -le 7200 ]; then pass "max-age within --validity"; else fail "max-age within --validity" "$age"; fi

# thisUpdate: an hour back for a good answer, so a client whose clock is
# 50 minutes slow takes it (openssl allows 5 min of skew).
tu=$(date -u -d "$(openssl ocsp -respin "$TMP/get.der" -resp_text -noverify |
    sed -n 's/^ *This Update: //p')" +%s)
pa=$(date -u -d "$(openssl ocsp -respin "$TMP/get.der" -resp_text -noverify |
    sed -n 's/^ *Produced At: //p')" +%s)
same "thisUpdate is an hour before producedAt (--backdate 1h)" "$((pa - tu))" 3600
same "nextUpdate - thisUpdate is validity + backdate" "$((nu - tu))" $((7200 + 3600))
run faketime -f -50m openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" \
    -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q 'leaf1.pem: good' &&
    printf '%s' "$ERR" | grep -q 'Response verify OK' &&
    ! printf '%s' "$ERR$OUT" | grep -qi 'invalid'; then
	pass "openssl ocsp with its clock 50 min slow: good, verified, times valid"
else
	fail "openssl ocsp with its clock 50 min slow" "$OUT" "$ERR"
fi

# A revoked answer's thisUpdate never precedes the revocation.
at=$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)
"$OCSPBOX" --db "$DB" revoke rsa "$(openssl x509 -in "$PKI/leaf2.pem" -noout -serial |
    cut -d= -f2)" --reason keyCompromise --at "$at" >/dev/null
openssl ocsp -issuer "$PKI/ca-rsa.pem" -cert "$PKI/leaf2.pem" -no_nonce \
    -reqout "$TMP/rev.req" >/dev/null 2>&1
curl -s -o "$TMP/rev.der" --data-binary @"$TMP/rev.req" \
    -H 'Content-Type: application/ocsp-request' "$URL/"
openssl ocsp -respin "$TMP/rev.der" -resp_text -noverify >"$TMP/rev.txt" 2>&1
rt=$(date -u -d "$(sed -n 's/^ *Revocation Time: //p' "$TMP/rev.txt")" +%s)
rtu=$(date -u -d "$(sed -n 's/^ *This Update: //p' "$TMP/rev.txt")" +%s)
if grep -q 'Cert Status: revoked' "$TMP/rev.txt" && [ "$rtu" -eq "$rt" ]; then
	pass "revoked 10 min ago: thisUpdate is the revocation time, not an hour back"
else
	fail "revoked 10 min ago: thisUpdate is the revocation time" "$(cat "$TMP/rev.txt")"
fi

# "unknown": revalidated by caches every time, and good right after
# cert add.
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial 0x5151 -no_nonce \
    -reqout "$TMP/unk.req" >/dev/null 2>&1
uenc=$(enc "$TMP/unk.req")
curl -s -D "$TMP/uh" -o "$TMP/unk.der" "$URL/$uenc"
same "an unknown serial: unknown" \
    "$(openssl ocsp -respin "$TMP/unk.der" -resp_text -noverify | sed -n 's/^ *Cert Status: //p')" unknown
same "an unknown answer: Cache-Control: no-cache, no-transform" \
    "$(tr -d '\r' <"$TMP/uh" | sed -n 's/^Cache-Control: //Ip')" "no-cache, no-transform"
utag=$(tr -d '\r' <"$TMP/uh" | sed -n 's/^ETag: //Ip')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $utag" "$URL/$uenc")
same "... revalidated with its ETag while still unknown: 304" "$code" 304
"$OCSPBOX" --db "$DB" cert add rsa --serial 5151 >/dev/null
code=$(curl -s -o "$TMP/unk2.der" -w '%{http_code}' -H "If-None-Match: $utag" "$URL/$uenc")
same "... after cert add the same revalidation gets 200 and good" \
    "$code $(openssl ocsp -respin "$TMP/unk2.der" -resp_text -noverify | sed -n 's/^ *Cert Status: //p')" "200 good"
stop_checked "first server"

# --unknown-max-age allows caches a short while; --backdate 0 none.
start_server "$DB" --unknown-max-age 30 --backdate 0 ||
    { fail "server starts with --unknown-max-age 30 --backdate 0"; finish; exit 1; }
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial 0x7777 -no_nonce \
    -reqout "$TMP/unk3.req" >/dev/null 2>&1
uenc=$(enc "$TMP/unk3.req")
same "--unknown-max-age 30: max-age=30" \
    "$(curl -s -D - -o /dev/null "$URL/$uenc" | tr -d '\r' | sed -n 's/^Cache-Control: //Ip')" \
    "max-age=30, public, no-transform, must-revalidate"
run faketime -f -50m openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" \
    -cert "$PKI/leaf1.pem" -CAfile "$PKI/ca-rsa.pem"
if printf '%s' "$ERR$OUT" | grep -q 'status not yet valid'; then
	pass "--backdate 0: a client 50 min slow finds the status not yet valid (what the default avoids)"
else
	fail "--backdate 0: a client 50 min slow finds the status not yet valid" "$OUT" "$ERR"
fi
refused "serve --backdate 8d: refused" 2 'bad --backdate' \
    "$OCSPBOX" --db "$DB" serve --backdate 8d
refused "serve --max-connections 5: refused" 2 'bad --max-connections' \
    "$OCSPBOX" --db "$DB" serve --max-connections 5
stop_checked "second server"

# The gate never waits for the disk: a cached answer whose pages are not
# in the kernel's page cache is left to a worker, which reads them and
# gives the connection straight back; the next request on it finds the
# pages there and the gate answers it.
gate_count() {
	curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/api/v1/cache/stats" |
	    jq .server.requests.answered_by_gate
}
post() {
	curl -s -o "$1" -w '%{http_code} ' --data-binary @"$TMP/req.der" \
	    -H 'Content-Type: application/ocsp-request' "$URL/"
}
# post2 A B: the request twice on one connection, sent in one write
# (pipelined: the second is in before the first is answered, however
# slow the machine), the answers' bodies into A and B; prints their
# statuses ("200 200 ").
post2() {
	python3 -c 'import socket, sys
req = open(sys.argv[2], "rb").read()
one = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/ocsp-request\r\n"
    b"Content-Length: %d\r\n\r\n" % len(req)) + req
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(one + one)
f = s.makefile("rb")
for out in sys.argv[3:5]:
    status = f.readline().split()[1].decode()
    n = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    open(out, "wb").write(f.read(n))
    sys.stdout.write(status + " ")' "$PORT" "$TMP/req.der" "$1" "$2"
}
# Drops the database's pages (and its WAL's) from the kernel's page
# cache; prints how many bytes of them are still there.
evict() {
	sync
	python3 -c 'import os, sys
for p in sys.argv[1:]:
	if os.path.exists(p):
		fd = os.open(p, os.O_RDONLY)
		os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
		os.close(fd)' "$DB" "$DB-wal"
	fincore --bytes --noheadings --output RES "$DB" "$DB-wal" 2>/dev/null |
	    awk '{ n += $1 } END { print n + 0 }'
}
start_server "$DB" || { fail "server starts for the page-cache check"; finish; exit 1; }
post "$TMP/a0.der" >/dev/null # cached now, if it was not
sleep 1.5 # the write-back committed
if grep -q 'without waiting for the disk' "$TMP/server.err"; then
	echo "note: $(sed -n 's/.*serve: //p' "$TMP/server.err" | head -1): the page-cache check is skipped"
else
	# up_to_3 PREFIX CHECK: up to 3 tries of CHECK (a function, true when
	# it saw what it wants), each after another process wrote (serial
	# PREFIX and the try: the gates' connections drop the pages they
	# hold) and the database left the page cache ($left: bytes still
	# there; $n0: the gate's count then). The server's own reads (its
	# reload every 2 s, say) may bring the pages back before the request.
	# $got: the try that passed, or empty.
	up_to_3() {
		try=0 got=
		while [ $try -lt 3 ] && [ -z "$got" ]; do
			try=$((try + 1))
			"$OCSPBOX" --db "$DB" cert add rsa --serial "$1$try" >/dev/null
			n0=$(gate_count)
			left=$(evict)
			if [ "$left" = 0 ] && $2; then
				got=$try
			fi
		done
	}
	# One request per connection: a worker answers the first, the gate
	# the second, with the same bytes.
	worker_then_gate() {
		codes=$(post "$TMP/a1.der")
		n1=$(gate_count)
		codes="$codes$(post "$TMP/a2.der")"
		n2=$(gate_count)
		[ "$codes" = "200 200 " ] &&
		    [ $((n1 - n0)) -eq 0 ] && [ $((n2 - n1)) -eq 1 ] &&
		    cmp -s "$TMP/a1.der" "$TMP/a2.der" &&
		    cmp -s "$TMP/a0.der" "$TMP/a2.der"
	}
	# Two requests on one connection: the worker that read the pages
	# for the first gives the connection back at once (it would
	# otherwise answer the second, already in), and the gate answers
	# the second.
	one_connection() {
		codes=$(post2 "$TMP/b1.der" "$TMP/b2.der")
		n1=$(gate_count)
		[ "$codes" = "200 200 " ] && [ $((n1 - n0)) -eq 1 ] &&
		    cmp -s "$TMP/a0.der" "$TMP/b1.der" &&
		    cmp -s "$TMP/a0.der" "$TMP/b2.der"
	}
	up_to_3 7e5 worker_then_gate
	if [ -n "$got" ]; then
		pass "a cached answer not in memory: a worker answers it, then the gate (the same bytes; try $got)"
	else
		fail "a cached answer not in memory: a worker, then the gate" "$codes" "bytes left in memory $left; gate answers $n0 $n1 $n2"
	fi
	up_to_3 7e6 one_connection
	if [ -n "$got" ]; then
		pass "one connection: a worker reads the pages for one answer and the gate answers the next (try $got)"
	else
		fail "one connection: a worker, then the gate" "$codes" "bytes left in memory $left; gate answers $n0 $n1"
	fi
fi
stop_checked "server for the page-cache check"
finish
