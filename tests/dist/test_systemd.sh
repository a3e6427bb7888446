#!/bin/sh
# The Debian package under a real systemd (issue 16). No systemd runs as
# PID 1 on the test machine, so this boots one in a container
# (tests/dist/container.sh). Inside, tests/dist/systemd_inner.sh
# installs the package, sets up an issuer as README says, and drives
# the unit with systemctl: it must start hardened (no new privileges, a
# seccomp filter, no capabilities), answer good and revoked, reload on
# `systemctl reload`, restart on an upgrade, stop cleanly, stop and be
# masked on remove, and on purge leave no enable link and move its
# state to /var/backups. Needs root and systemd-container
# (scripts/deps.sh test). Usage: sh tests/dist/test_systemd.sh (after
# make dist)
. tests/integration/lib.sh
. tests/dist/container.sh

version=$(sh scripts/version.sh)
container_ready "build/dist/ocspbox_${version}_$(dpkg --print-architecture).deb" ||
    { finish; exit 1; }
root=$TMP/root
container_root "$root"
# At boot: the inner suite, then power off whatever its outcome.
cat >"$root/etc/systemd/system/ocspbox-test.service" <<'UNIT'
[Unit]
Description=ocspbox package test
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
WorkingDirectory=/src
ExecStart=/bin/sh tests/dist/systemd_inner.sh /dist
StandardOutput=file:/out/result
StandardError=file:/out/result
UNIT
# Only what the test needs starts: none of this machine's services, and
# no wait for a network the container does not have.
rm -rf "$root/etc/systemd/system/multi-user.target.wants" \
    "$root/etc/systemd/system/network-online.target.wants"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -s /dev/null "$root/etc/systemd/system/systemd-networkd-wait-online.service"
ln -s ../ocspbox-test.service "$root/etc/systemd/system/multi-user.target.wants/"
if container "$root" -b >"$TMP/boot.log" 2>&1; then
	pass "systemd boots in a container and powers off"
else
	fail "systemd boots in a container and powers off" "$(tail -n 20 "$TMP/boot.log")"
fi
inner_counts "$root/out/result"
finish
