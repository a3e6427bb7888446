# The containers the package suites install into, so that no test
# changes this machine: systemd-nspawn on a root made from this
# machine's own system (no download). Source after lib.sh.

# container_root DIR: a root in DIR: this machine's /usr comes in at
# run time under a throw-away overlay (the package writes /usr/bin),
# /etc and the dpkg database are copies, without any ocspbox user,
# configuration or enable link.
container_root() {
	mkdir -p "$1/usr" "$1/var/lib" "$1/var/backups" "$1/out" "$1/src" "$1/dist"
	mkdir -m 1777 "$1/tmp"
	for l in bin sbin lib lib64; do
		if [ -e "/$l" ]; then ln -s "usr/$l" "$1/$l"; fi
	done
	cp -a /etc "$1/"
	rm -f "$1/etc/machine-id" "$1/etc/os-release"
	# nspawn looks for it before /usr is mounted.
	cp -L /etc/os-release "$1/etc/os-release"
	rm -rf "$1/etc/ocspbox" "$1"/etc/systemd/system/*/ocspbox.service
	for f in passwd group shadow gshadow; do
		if [ -f "$1/etc/$f" ]; then sed -i '/^ocspbox:/d' "$1/etc/$f"; fi
	done
	cp -a /var/lib/dpkg "$1/var/lib/"
}

# container ROOT ARGS...: systemd-nspawn in ROOT, with this tree
# read-only at /src, build/dist at /dist, ROOT/out at /out, and a
# network of its own (loopback only: its ports are nobody else's).
# ARGS: -b to boot, or a command. Ten minutes at most.
container() {
	croot=$1
	shift
	timeout 600 systemd-nspawn -q --register=no --keep-unit --private-network --console=pipe \
	    -M "ocspbox-test-$$" -D "$croot" --overlay=/usr::/usr \
	    --bind-ro="$PWD:/src" --bind-ro="$PWD/build/dist:/dist" \
	    --bind="$croot/out:/out" "$@"
}

# inner_counts FILE: the checks an inner suite printed to FILE, counted
# as this suite's; a fail when it did not run to its last line.
inner_counts() {
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" 2>/dev/null | tail -n 1)
	if [ -z "$last" ]; then
		fail "the suite inside the container ran to its end" \
		    "$(tail -n 30 "$1" 2>/dev/null)"
		return
	fi
	grep -E '^(ok  |FAIL|  )' "$1"
	T_PASS=$((T_PASS + ${last%% passed*}))
	f=${last#*passed, }
	T_FAIL=$((T_FAIL + ${f%% failed*}))
}

# container_ready: whether this machine can run the containers (root,
# systemd-nspawn, the .deb); a failed check saying what is missing.
container_ready() {
	if [ ! -f "$1" ]; then
		fail "$1 is there" "run make dist first"
		return 1
	fi
	if [ "$(id -u)" != 0 ] || ! command -v systemd-nspawn >/dev/null; then
		fail "root and systemd-nspawn" \
		    "the package suites run containers: as root, with systemd-container (scripts/deps.sh test)"
		return 1
	fi
}
