#!/bin/sh
# Durability: a process killed mid-import leaves a sound database and
# either all or none of the import; revokes from many processes at once all
# land (the busy timeout queues writers); every revoke that returned is on
# disk after the writer is killed.
. tests/integration/lib.sh

make_pki
addissuer "$DB" rsa rsa

# A big index, imported and killed part-way: all or nothing.
awk 'BEGIN { for (i = 1; i <= 200000; i++)
	printf "V\t301231235959Z\t\t%x\tunknown\t/CN=c%d\n", i + 65536, i }' >"$TMP/big.txt"
# Run the binary itself in the background (not through a shell function,
# whose pid would be a subshell's) and kill it once it reports progress,
# so the kill lands inside the import's transaction.
"$OCSPBOX" --db "$DB" cert import rsa --openssl-index "$TMP/big.txt" \
    >"$TMP/import.out" 2>"$TMP/import.err" &
pid=$!
n=0
while ! grep -q 'cert import: [0-9]* lines' "$TMP/import.err" && [ $n -lt 600 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if grep -q 'cert import: [0-9]* lines' "$TMP/import.err" && ! grep -q imported "$TMP/import.out"; then
	pass "the import was killed mid-way"
else
	fail "the import was killed mid-way" "$(cat "$TMP/import.out" "$TMP/import.err")"
fi
same "integrity_check after SIGKILL mid-import" "$(q 'PRAGMA integrity_check')" ok
n=$(q 'SELECT count(*) FROM certificates')
if [ "$n" -eq 0 ]; then
	pass "a killed import leaves nothing half imported"
else
	fail "a killed import leaves nothing half imported" "$n rows"
fi
ok "the import runs to the end when left alone" 'imported 200000 certificates' \
    ob cert import rsa --openssl-index "$TMP/big.txt"

# Twenty revokes from twenty processes at once.
i=0
while [ $i -lt 20 ]; do
	ob revoke rsa "$(printf '%x' $((65537 + i)))" --reason superseded \
	    >"$TMP/rev.$i" 2>&1 &
	i=$((i + 1))
done
wait
bad=$(grep -L '^revoked certificate' "$TMP"/rev.* | wc -l)
same "20 concurrent revokes all succeed" "$bad" 0
same "20 concurrent revokes all stored" \
    "$(q "SELECT count(*) FROM certificates WHERE status='revoked' AND revocation_reason=4")" 20

# Revoke serially in the background; kill the loop at a random moment;
# every revoke that printed its line must be on disk.
(
	i=100
	while [ $i -lt 400 ]; do
		ob revoke rsa "$(printf '%x' $((65537 + i)))" || exit 1
		i=$((i + 1))
	done
) >"$TMP/loop.out" 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
pkill -9 -f "$DB revoke" 2>/dev/null
wait 2>/dev/null
printed=$(grep -c '^revoked certificate' "$TMP/loop.out")
missing=0
for s in $(sed -n 's/^revoked certificate \([0-9a-f]*\) .*/\1/p' "$TMP/loop.out"); do
	[ "$(q "SELECT status FROM certificates WHERE serial_hex='$s'")" = revoked ] ||
	    missing=$((missing + 1))
done
if [ "$printed" -gt 0 ] && [ "$missing" -eq 0 ]; then
	pass "every returned revoke survives the kill ($printed revokes)"
else
	fail "every returned revoke survives the kill" "printed $printed, missing $missing"
fi
same "integrity_check after the kills" "$(q 'PRAGMA integrity_check')" ok
finish
