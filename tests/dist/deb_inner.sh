#!/bin/sh
# Run by tests/dist/test_deb.sh inside a container (no systemd in it,
# as on the test machine): the package installed with dpkg, the unit's
# own ExecStart line run as the service user, removed, purged. Usage:
# sh tests/dist/deb_inner.sh DEB (from the top of the tree)
. tests/integration/lib.sh

deb=${1:?usage: deb_inner.sh DEB}
version=$(sh scripts/version.sh)
run dpkg -i "$deb"
if [ "$RC" = 0 ]; then pass "dpkg -i"; else fail "dpkg -i" "$OUT" "$ERR"; fi
run dpkg --verify ocspbox
same "dpkg --verify: every file as packaged (md5sums)" "$RC $OUT" "0 "
same "installed: ocspbox --version" "$(/usr/bin/ocspbox --version | cut -d' ' -f1-2)" "ocspbox $version"
same "conffile: /etc/ocspbox/ocspbox.conf" \
    "$(dpkg-query -W -f='${Conffiles}' ocspbox | awk '{ print $1 }')" /etc/ocspbox/ocspbox.conf
uid=$(id -u ocspbox 2>/dev/null)
if [ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$(id -gn ocspbox)" = ocspbox ] &&
    [ "$(getent passwd ocspbox | cut -d: -f6,7)" = /var/lib/ocspbox:/usr/sbin/nologin ]; then
	pass "system user and group ocspbox, home /var/lib/ocspbox, no login"
else
	fail "system user and group ocspbox, home /var/lib/ocspbox, no login" "$(getent passwd ocspbox)"
fi
same "/var/lib/ocspbox: owner ocspbox, mode 700" "$(stat -c '%U:%G %a' /var/lib/ocspbox)" "ocspbox:ocspbox 700"
same "the alert rules shipped as an example" \
    "$(cmp /usr/share/doc/ocspbox/examples/ocspbox.rules.yml packaging/prometheus/ocspbox.rules.yml && echo same)" same
lint=$(zcat /usr/share/man/man8/ocspbox.8.gz | mandoc -Tlint -W warning 2>&1)
same "man page installed, mandoc -Tlint clean" "$lint" ""
if man -w ocspbox 2>/dev/null | grep -q '/usr/share/man/man8/ocspbox.8.gz'; then
	pass "man finds ocspbox(8)"
else
	fail "man finds ocspbox(8)" "$(man -w ocspbox 2>&1)"
fi
run systemd-analyze verify /lib/systemd/system/ocspbox.service
if [ "$RC" = 0 ] && [ -z "$ERR" ]; then
	pass "systemd-analyze verify: the installed unit"
else
	fail "systemd-analyze verify: the installed unit" "$ERR"
fi

# The operator's set-up, as README says: keys in /etc/ocspbox/keys for
# the ocspbox user only, the database made as that user.
make_pki
install -d -m 0700 -o ocspbox -g ocspbox /etc/ocspbox/keys
install -m 0600 -o ocspbox -g ocspbox "$PKI/resp-rsa.key" /etc/ocspbox/keys/
install -m 0644 "$PKI/ca-rsa.pem" "$PKI/resp-rsa.pem" /etc/ocspbox/keys/
as() { runuser -u ocspbox -- "$@"; }
ob_pkg() { as /usr/bin/ocspbox --db /var/lib/ocspbox/ocspbox.db "$@"; }
ok "as ocspbox: migrate" "" ob_pkg migrate
ok "as ocspbox: issuer add" "" ob_pkg issuer add demo --cert /etc/ocspbox/keys/ca-rsa.pem \
    --responder-cert /etc/ocspbox/keys/resp-rsa.pem --responder-key /etc/ocspbox/keys/resp-rsa.key
ok "as ocspbox: cert add, revoke" "" sh -c \
    "runuser -u ocspbox -- /usr/bin/ocspbox --db /var/lib/ocspbox/ocspbox.db cert add demo --serial 1001 &&
     runuser -u ocspbox -- /usr/bin/ocspbox --db /var/lib/ocspbox/ocspbox.db cert add demo --serial 1002 &&
     runuser -u ocspbox -- /usr/bin/ocspbox --db /var/lib/ocspbox/ocspbox.db revoke demo 1002 --reason keyCompromise"

# The unit's ExecStart, with what ocspbox.conf sets, on test ports.
PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
URL=http://127.0.0.1:$PORT
ADMIN_URL=http://127.0.0.1:$((PORT + 1))
admin_token
printf '%s\n' "$TOKEN" >/etc/ocspbox/admin-token
chown ocspbox:ocspbox /etc/ocspbox/admin-token
chmod 0600 /etc/ocspbox/admin-token
unset OCSPBOX_ADMIN_TOKEN
printf 'OCSPBOX_SERVE_OPTS=--listen 127.0.0.1:%s --admin-listen 127.0.0.1:%s --admin-token-file /etc/ocspbox/admin-token\n' \
    "$PORT" "$((PORT + 1))" >>/etc/ocspbox/ocspbox.conf
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/ocspbox.service)
umask_unit=$(sed -n 's/^UMask=//p' /lib/systemd/system/ocspbox.service)
same "the unit's ExecStart" "$exec_start" \
    '/usr/bin/ocspbox --db /var/lib/ocspbox/ocspbox.db serve $OCSPBOX_SERVE_OPTS'
# start_unit: ExecStart as systemd would run it here: as User=ocspbox
# (setpriv execs it, so SERVER_PID is the server's, $MAINPID), the
# environment only what EnvironmentFile= gives (NAME=value lines, the
# value as written), UMask=; an unquoted $VAR splits at whitespace, as
# in sh.
start_unit() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
	    while IFS= read -r line; do
		case $line in "#"* | "") continue ;; esac
		export "${line%%=*}=${line#*=}"
	    done </etc/ocspbox/ocspbox.conf
	    umask "$1"
	    exec setpriv --reuid=ocspbox --regid=ocspbox --init-groups '"$exec_start" \
	    sh "$umask_unit" >"$TMP/server.out" 2>"$TMP/server.err" &
	SERVER_PID=$!
}
start_unit
up=no
for i in $(seq 300); do
	if curl -fs "$URL/healthz" >/dev/null 2>&1; then up=yes; break; fi
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
same "ExecStart as ocspbox: serving" "$up" yes
ocsp_q() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1
}
ocsp_st() { ocsp_q "$1" | grep -q 'Response verify OK' && ocsp_q "$1" | sed -n 's/^0x[0-9A-F]*: *//p'; }
same "openssl ocsp: 1001 good" "$(ocsp_st 1001)" good
same "openssl ocsp: 1002 revoked" "$(ocsp_st 1002)" revoked
metrics
same "/metrics with the token file's token" \
    "$(grep -c "^ocspbox_build_info{version=\"$version\"" "$TMP/metrics")" 1
same "what it wrote in /var/lib/ocspbox: its own, no one else's" \
    "$(find /var/lib/ocspbox -mindepth 1 ! -user ocspbox | head -n 3)" ""
# (SQLite gives its -wal and -shm the database's own mode, whatever the
# umask: the directory is what keeps others out.)
same "/var/lib/ocspbox still ocspbox's alone (StateDirectoryMode=0700)" \
    "$(stat -c '%U %a' /var/lib/ocspbox)" "ocspbox 700"
# ExecReload: kill -HUP $MAINPID; the server reads its issuers again.
kill -HUP "$SERVER_PID"
sleep 1
if kill -0 "$SERVER_PID" 2>/dev/null && [ "$(ocsp_st 1001)" = good ]; then
	pass "SIGHUP (ExecReload): still serving"
else
	fail "SIGHUP (ExecReload): still serving" "$(tail -n 5 "$TMP/server.err")"
fi
stop_checked "ExecStart as ocspbox"

run dpkg -r ocspbox
if [ "$RC" = 0 ] && [ ! -e /usr/bin/ocspbox ] && [ -f /var/lib/ocspbox/ocspbox.db ] &&
    [ -f /etc/ocspbox/ocspbox.conf ]; then
	pass "dpkg -r: the binary gone; the database and the configuration kept"
else
	fail "dpkg -r: the binary gone; the database and the configuration kept" "$OUT" "$ERR" \
	    "$(ls -la /usr/bin/ocspbox /var/lib/ocspbox /etc/ocspbox 2>&1)"
fi
run dpkg -P ocspbox
kept=$(ls -d /var/backups/ocspbox.purged-* 2>/dev/null)
if [ "$RC" = 0 ] && [ ! -e /var/lib/ocspbox ] && [ ! -e /etc/ocspbox/ocspbox.conf ] &&
    [ -f /etc/ocspbox/keys/resp-rsa.key ] && [ -f "$kept/ocspbox.db" ] &&
    [ "$(stat -c '%U %a' "$kept")" = "root 700" ] &&
    printf '%s\n' "$ERR" | grep -q "database was moved to $kept"; then
	pass "dpkg -P: the state moved to $kept (root's, 0700, said so), ocspbox.conf gone, the operator's keys kept"
else
	fail "dpkg -P: the state moved to /var/backups, ocspbox.conf gone, the operator's keys kept" \
	    "$OUT" "$ERR" "$(ls -la /var/lib/ocspbox /etc/ocspbox /var/backups 2>&1)"
fi
same "the revocation survives in it" \
    "$(sqlite3 "$kept/ocspbox.db" "SELECT status FROM certificates WHERE serial_hex = '1002'")" revoked
# Installed again over a purge: the user is there already.
run dpkg -i "$deb"
if [ "$RC" = 0 ] && [ "$(stat -c '%U %a' /var/lib/ocspbox)" = "ocspbox 700" ]; then
	pass "dpkg -i again after a purge"
else
	fail "dpkg -i again after a purge" "$OUT" "$ERR"
fi
run dpkg -i "$deb"
same "dpkg -i over itself (an upgrade's path)" "$RC" 0
run dpkg -P ocspbox
same "dpkg -P with nothing in /var/lib/ocspbox: nothing kept in /var/backups" \
    "$RC $(test -e /var/lib/ocspbox || echo gone) $(ls -d /var/backups/ocspbox.purged-* | wc -l)" "0 gone 1"
finish
