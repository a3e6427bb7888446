#!/bin/sh
# Run by tests/dist/test_systemd.sh inside a container booted with
# systemd: the package's unit driven with systemctl. Usage:
# sh tests/dist/systemd_inner.sh DIST_DIR (from the top of the tree)
. tests/integration/lib.sh

dist=${1:?usage: systemd_inner.sh DIST_DIR}
deb=$(ls "$dist"/ocspbox_*_"$(dpkg --print-architecture)".deb)
state=/var/lib/ocspbox
same "systemd is PID 1" "$(cat /proc/1/comm)" systemd
# Images built for containers forbid starting services (policy-rc.d),
# which deb-systemd-invoke obeys: not what a server is.
rm -f /usr/sbin/policy-rc.d

run dpkg -i "$deb"
same "dpkg -i" "$RC" 0
same "postinst: the system user ocspbox" "$(getent passwd ocspbox | cut -d: -f6,7)" \
    "$state:/usr/sbin/nologin"
same "installed disabled" "$(systemctl is-enabled ocspbox)" disabled

# The operator's part, as README's Install says.
make_pki
install -d -o ocspbox -g ocspbox -m 0700 /etc/ocspbox/keys
install -o ocspbox -g ocspbox -m 0600 "$PKI/ca-rsa.key" /etc/ocspbox/keys/
install -o ocspbox -g ocspbox -m 0644 "$PKI/ca-rsa.pem" /etc/ocspbox/keys/
obu() { runuser -u ocspbox -- ocspbox --db $state/ocspbox.db "$@"; }
ok "as ocspbox: migrate" "" obu migrate
ok "as ocspbox: issuer add --auto-responder" "automatic responder" obu issuer add corp \
    --cert /etc/ocspbox/keys/ca-rsa.pem --ca-key /etc/ocspbox/keys/ca-rsa.key --auto-responder
ok "as ocspbox: cert add" "" obu cert add corp --serial 1001
ok "as ocspbox: cert add 1002" "" obu cert add corp --serial 1002
ok "as ocspbox: revoke" "" obu revoke corp 1002 --reason keyCompromise
URL=http://127.0.0.1:18080
ADMIN_URL=http://127.0.0.1:18081
echo 'OCSPBOX_SERVE_OPTS=--listen 127.0.0.1:18080 --admin-listen 127.0.0.1:18081' \
    >>/etc/ocspbox/ocspbox.conf
# An openssl ca database followed, as operations.md says: readable by
# the ocspbox user through the sandbox.
mkdir -p /srv/ca
printf 'V\t301231235959Z\t\t0F0F\tunknown\t/CN=followed\n' >/srv/ca/index.txt
chmod 0644 /srv/ca/index.txt
echo 'OCSPBOX_FOLLOW_INDEX=corp=/srv/ca/index.txt' >>/etc/ocspbox/ocspbox.conf

run systemctl enable --now ocspbox
same "systemctl enable --now ocspbox" "$RC" 0
up=no
for i in $(seq 150); do
	curl -fs "$URL/healthz" >/dev/null 2>&1 && up=yes && break
	sleep 0.2
done
same "active, /healthz answers" "$(systemctl is-active ocspbox) $up" "active yes"
pid=$(systemctl show -p MainPID --value ocspbox)
st() {
	openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$1" \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1 | grep -A1 '^Response verify OK' |
	    sed -n 's/^0x[0-9A-F]*: *//p'
}
same "openssl ocsp: 1001 good" "$(st 1001)" good
same "openssl ocsp: 1002 revoked" "$(st 1002)" revoked
same "the followed index: 0F0F good" "$(st 0F0F)" good
printf 'R\t301231235959Z\t261101000000Z,keyCompromise\t0F0F\tunknown\t/CN=followed\n' \
    >/srv/ca/index.txt.new
mv /srv/ca/index.txt.new /srv/ca/index.txt
for i in $(seq 30); do [ "$(st 0F0F)" = revoked ] && break; sleep 0.1; done
same "the followed index revokes 0F0F, under the unit's sandbox" "$(st 0F0F)" revoked
openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial 0x1001 -no_nonce -reqout "$TMP/req.der" >/dev/null 2>&1
curl -s -o "$TMP/g.der" "$URL/$(enc "$TMP/req.der")"
same "GET: 1001 good" "$(openssl ocsp -respin "$TMP/g.der" -issuer "$PKI/ca-rsa.pem" \
    -serial 0x1001 -CAfile "$PKI/ca-rsa.pem" -no_nonce 2>&1 | sed -n 's/^0x1001: *//p')" good
same "the CRL served" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/crl/corp.crl")" 200

# The sandbox is in force on the running server.
status=$(cat "/proc/$pid/status" 2>/dev/null)
same "as user ocspbox" "$(ps -o user= -p "$pid")" ocspbox
same "NoNewPrivs, a seccomp filter, no capabilities" \
    "$(printf '%s\n' "$status" | awk '$1 == "NoNewPrivs:" || $1 == "Seccomp:" || $1 == "CapEff:" || $1 == "CapBnd:" { printf "%s %s ", $1, $2 }')" \
    "CapEff: 0000000000000000 CapBnd: 0000000000000000 NoNewPrivs: 1 Seccomp: 2 "
same "nothing refused it at start (no 'not permitted' in the journal)" \
    "$(journalctl -u ocspbox --no-pager -o cat | grep -ci 'not permitted')" 0

run systemctl reload ocspbox
sleep 1
if [ "$RC" = 0 ] && [ "$(systemctl show -p MainPID --value ocspbox)" = "$pid" ] &&
    journalctl -u ocspbox --no-pager -o cat | grep -q 'SIGHUP: reading the issuers' &&
    [ "$(st 1001)" = good ]; then
	pass "systemctl reload: SIGHUP, the same process, still answering"
else
	fail "systemctl reload: SIGHUP, the same process, still answering" "$ERR" \
	    "$(journalctl -u ocspbox --no-pager -o cat | tail -n 5)"
fi

# An upgrade (the same package again) restarts it on the new binary.
run dpkg -i "$deb"
for i in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
npid=$(systemctl show -p MainPID --value ocspbox)
if [ "$RC" = 0 ] && [ "$npid" != "$pid" ] && [ "$npid" != 0 ] && [ "$(st 1001)" = good ]; then
	pass "dpkg -i over it: restarted, answering"
else
	fail "dpkg -i over it: restarted, answering" "exit $RC, pid $pid then $npid" "$ERR"
fi

run systemctl stop ocspbox
same "systemctl stop: exit 0, status 0, result success" \
    "$RC $(systemctl show -p ExecMainStatus --value ocspbox) $(systemctl show -p Result --value ocspbox)" \
    "0 0 success"
systemctl start ocspbox
run dpkg -r ocspbox
same "dpkg -r: stopped, masked, the state kept" \
    "$RC $(systemctl is-active ocspbox) $(systemctl is-enabled ocspbox 2>/dev/null) $(test -f $state/ocspbox.db && echo kept)" \
    "0 inactive masked kept"
# Installed again: the operator's enable stands, so it starts.
run dpkg -i "$deb"
for i in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
same "dpkg -i after a remove: unmasked, enabled as it was, started, answering" \
    "$RC $(systemctl is-enabled ocspbox) $(systemctl is-active ocspbox) $(st 1001)" "0 enabled active good"
run dpkg -P ocspbox
kept=$(ls -d /var/backups/ocspbox.purged-* 2>/dev/null)
same "dpkg -P of a running server: stopped, /var/lib/ocspbox moved to /var/backups, root's, 0700" \
    "$RC $(systemctl is-active ocspbox) $(test -e $state || echo gone) $(stat -c '%U %a' "$kept" 2>/dev/null) $(test -f "$kept/ocspbox.db" && echo db)" \
    "0 inactive gone root 700 db"
same "dpkg -P: no enable link, not masked; the operator's keys kept" \
    "$(ls /etc/systemd/system/multi-user.target.wants/ocspbox.service /etc/systemd/system/ocspbox.service 2>&1 | grep -vc 'No such file') $(test -f /etc/ocspbox/keys/ca-rsa.key && echo kept)" \
    "0 kept"
finish
