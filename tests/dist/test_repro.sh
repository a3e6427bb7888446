#!/bin/sh
# make dist is reproducible (issue 16): the same tree, copied to another
# path and built again there, gives byte for byte the files of
# build/dist/ (SHA256SUMS equal), and every file in the packages is
# dated HEAD's commit time (SOURCE_DATE_EPOCH). Takes the three builds'
# time again (about two minutes on 2 cores). Usage: sh
# tests/dist/test_repro.sh (after make dist)
. tests/integration/lib.sh

version=$(sh scripts/version.sh)
if [ ! -f build/dist/SHA256SUMS ]; then
	fail "build/dist/SHA256SUMS is there" "run make dist first"
	finish
	exit 1
fi
# The tree as it is (uncommitted changes too: the version says +dirty
# in both), with the fetched sources, so that nothing is downloaded.
copy=$TMP/elsewhere/ocspbox
mkdir -p "$copy/build"
tar -cf - --exclude=./build --exclude=./demo . | tar -xf - -C "$copy"
cp -a build/third_party "$copy/build/"
if (cd "$copy" && sh scripts/dist.sh >"$TMP/dist.log" 2>&1); then
	pass "make dist's script again, in $copy"
else
	fail "make dist's script again, in $copy" "$(tail -n 20 "$TMP/dist.log")"
fi
same "the same version there" "$(sh "$copy/scripts/version.sh" "$copy")" "$version"
if cmp -s build/dist/SHA256SUMS "$copy/build/dist/SHA256SUMS"; then
	pass "the same bytes: $(wc -l <build/dist/SHA256SUMS) files, SHA256SUMS equal"
else
	fail "the same bytes" "$(diff build/dist/SHA256SUMS "$copy/build/dist/SHA256SUMS")"
fi
(cd build/dist && sha256sum --quiet -c SHA256SUMS) >"$TMP/sums" 2>&1
same "SHA256SUMS checks against build/dist" "$(cat "$TMP/sums")" ""
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
for d in build/dist/*.deb; do
	dates=$(dpkg-deb --fsys-tarfile "$d" | TZ=UTC0 tar -tvf - --full-time |
	    awk '{ print $4 "T" $5 }' | sort -u)
	same "$(basename "$d"): every file dated the commit's time" \
	    "$dates" "$(date -u -d "@$epoch" '+%Y-%m-%dT%H:%M:%S')"
done
finish
