#!/bin/sh
# The Debian package make dist builds (issue 16), as a new operator
# meets it: lintian finds nothing (pedantic included, overrides aside);
# its contents; the amd64 binary at most 2 MB. Then, in a container
# (tests/dist/container.sh, so that this machine is left as it was),
# tests/dist/deb_inner.sh: dpkg -i; the unit's own ExecStart line, run
# as the service user with the configuration file's environment and the
# unit's umask (no systemd runs there, as on the test machine), serves
# a demo issuer that openssl ocsp reads good and revoked from, and
# reloads on SIGHUP (the unit's ExecReload); `dpkg -r` keeps
# /var/lib/ocspbox and the configuration; `dpkg -P` moves the state to
# /var/backups and leaves what the operator put in /etc/ocspbox. Needs
# root and systemd-container (scripts/deps.sh test). Usage: sh
# tests/dist/test_deb.sh (after make dist)
. tests/integration/lib.sh
. tests/dist/container.sh

version=$(sh scripts/version.sh)
arch=$(dpkg --print-architecture)
deb=build/dist/ocspbox_${version}_$arch.deb
container_ready "$deb" || { finish; exit 1; }

# lintian: every tag at pedantic level, overrides aside.
for d in build/dist/ocspbox_"${version}"_*.deb; do
	lint=$(lintian --pedantic "$d" 2>&1 | grep -v '^N:\|root privileges')
	same "lintian $(basename "$d"): nothing (overrides aside)" "$lint" ""
done

# What is in it.
contents=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $2, $6 }')
same "contents: the files, their modes, owned by root" "$contents" \
"-rw-r--r-- root/root ./etc/ocspbox/ocspbox.conf
-rw-r--r-- root/root ./lib/systemd/system/ocspbox.service
-rwxr-xr-x root/root ./usr/bin/ocspbox
-rw-r--r-- root/root ./usr/share/doc/ocspbox/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/ocspbox/copyright
-rw-r--r-- root/root ./usr/share/doc/ocspbox/examples/ocspbox.rules.yml
-rw-r--r-- root/root ./usr/share/lintian/overrides/ocspbox
-rw-r--r-- root/root ./usr/share/man/man8/ocspbox.8.gz"
# A guard against losing the size work (issue 16: gc-sections took
# 216 KB off, SQLite's -Os and omissions 350 KB), with room for the
# features since: 1,977,064 bytes at issue 16, 2,001,640 with the
# follower and the registration API.
size=$(stat -c %s "build/dist/ocspbox-$version-linux-$arch")
if [ "$size" -le 2100000 ]; then
	pass "the $arch binary: $size bytes, at most 2.1 MB"
else
	fail "the $arch binary at most 2.1 MB" "$size bytes"
fi
same "the binary in it is make dist's $arch one" \
    "$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/ocspbox | sha256sum | cut -d' ' -f1)" \
    "$(sha256sum <"build/dist/ocspbox-$version-linux-$arch" | cut -d' ' -f1)"

# The rest in a container (tests/dist/container.sh): nothing here is
# installed, no user made.
root=$TMP/root
container_root "$root"
container "$root" --as-pid2 --chdir=/src sh tests/dist/deb_inner.sh "/dist/$(basename "$deb")" \
    >"$root/out/result" 2>&1
inner_counts "$root/out/result"
finish
