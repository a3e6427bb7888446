#!/bin/sh
# Slow and idle clients cannot take the responder down: with as many
# clients that send nothing as there are workers, and one that sends a
# header a byte at a time, a real request is answered at once (they wait
# in the gate, not in a worker), and the server keeps serving afterwards.
# tests/integration/test_http.sh goes further.
. tests/integration/lib.sh

make_pki
addissuer "$DB" ec ec
"$OCSPBOX" --db "$DB" cert add ec --cert "$PKI/leaf-ec.pem" >/dev/null
start_server "$DB" --threads 4 || { fail "server starts"; finish; exit 1; }

# Four idle connections (one per worker) and one slowloris.
i=0
while [ $i -lt 4 ]; do
	sleep 30 | nc 127.0.0.1 "$PORT" >/dev/null 2>&1 &
	i=$((i + 1))
done
(
	printf 'POST / HTTP/1.1\r\n'
	for b in H o s t : ' ' x; do printf '%s' "$b"; sleep 2; done
) | nc 127.0.0.1 "$PORT" >/dev/null 2>&1 &
sleep 1

t0=$(date +%s%N)
run openssl ocsp -url "$URL/" -issuer "$PKI/ca-ec.pem" -cert "$PKI/leaf-ec.pem" \
    -CAfile "$PKI/ca-ec.pem" -timeout 20
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$RC" -eq 0 ] && printf '%s' "$OUT" | grep -q 'leaf-ec.pem: good'; then
	pass "answered while idle clients outnumber the workers ($ms ms)"
else
	fail "answered while idle clients outnumber the workers" "$OUT" "$ERR"
fi
# Not after a timeout freed a worker (5 s): at once.
if [ "$ms" -le 2000 ]; then
	pass "without waiting for a worker"
else
	fail "without waiting for a worker" "$ms ms"
fi
# 50 clients that connect and vanish at once.
i=0
while [ $i -lt 50 ]; do
	nc -z 127.0.0.1 "$PORT" >/dev/null 2>&1
	i=$((i + 1))
done
code=$(curl -s -m 15 -o /dev/null -w '%{http_code}' "$URL/healthz")
same "still healthy after 50 vanishing clients" "$code" 200
pkill -f "nc 127.0.0.1 $PORT" 2>/dev/null
stop_server
same "SIGTERM exits 0" "$STOP_RC" 0
finish
