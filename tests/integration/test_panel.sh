#!/bin/sh
# The admin panel in a real headless Chromium: loaded with the token in
# the URL fragment, its JavaScript fetches the stats and the issuer row and
# its numbers land in the DOM; a wrong token gets the refusal message and
# the form; no token gets the form. Driven through puppeteer-core
# (tests/panel/axe.js): the search, the refresh button, the history, the
# live region, the chart's axis, and axe-core's accessibility rules.
# The browser runs in another time zone than UTC, so that a time shown in
# the browser's zone shows. Screenshots for people to look at:
# build/panel.png (desktop), build/panel-wide.png (1920x1080) and
# build/panel-phone.png (phone).
# CHROMIUM names the browser (default: chromium on the PATH).
. tests/integration/lib.sh

# 0. A browser that runs. Not having one is a failure, not a skip: the
# panel is only tested here.
CHROMIUM=${CHROMIUM:-}
if [ -z "$CHROMIUM" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$(command -v "$c")
			break
		fi
	done
fi
if [ -z "$CHROMIUM" ]; then
	fail "chromium is installed" \
	    "no chromium, chromium-browser or google-chrome on the PATH:" \
	    "install it with 'apt-get install chromium' (scripts/deps.sh test)"
	finish
	exit 1
fi

# The browser's time zone: UTC+5:30, where no time of the day is the
# same as in UTC.
BROWSER_TZ=Asia/Kolkata
# chrome ARGS...: one headless Chromium run with a fresh profile; stdout
# in $TMP/chrome.out, stderr (with the page's console) in $TMP/chrome.err,
# and every console line kept in $TMP/console.
NCHROME=0
chrome() {
	NCHROME=$((NCHROME + 1))
	TZ=$BROWSER_TZ timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
	    --no-first-run --no-default-browser-check --hide-scrollbars \
	    --enable-logging=stderr --v=0 \
	    --user-data-dir="$TMP/chrome$NCHROME" "$@" \
	    >"$TMP/chrome.out" 2>"$TMP/chrome.err"
	CHROME_RC=$?
	grep 'CONSOLE' "$TMP/chrome.err" >>"$TMP/console"
	rm -rf "$TMP/chrome$NCHROME"
	return $CHROME_RC
}
: >"$TMP/console"
if chrome --dump-dom 'data:text/html,<p id="x">headless-ok</p>' &&
    grep -q 'headless-ok' "$TMP/chrome.out"; then
	pass "headless chromium runs ($("$CHROMIUM" --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -n 1))"
else
	fail "headless chromium runs" "$CHROMIUM exited $CHROME_RC" \
	    "$(grep -v -e dbus -e 'unexpected operator' "$TMP/chrome.err" | tail -n 8)"
	finish
	exit 1
fi

# 0b. axe-core and puppeteer-core from npm, at the versions of
# tests/panel/package-lock.json, in build/panel-npm (never committed):
# installed again only when package.json or the lock changed. Not having
# them is a failure, as a missing browser is.
NPMDIR=$PWD/build/panel-npm
AXE=
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	fail "node and npm are installed" \
	    "install them with 'apt-get install nodejs npm' (scripts/deps.sh test)"
else
	want=$(cat tests/panel/package.json tests/panel/package-lock.json | sha256sum | cut -d' ' -f1)
	if [ "$(cat "$NPMDIR/installed" 2>/dev/null)" = "$want" ] &&
	    [ -d "$NPMDIR/node_modules/puppeteer-core" ]; then
		pass "axe-core and puppeteer-core: installed already ($NPMDIR)"
		AXE=yes
	else
		rm -rf "$NPMDIR"
		mkdir -p "$NPMDIR"
		cp tests/panel/package.json tests/panel/package-lock.json "$NPMDIR/"
		# --ignore-scripts: none of them needs an install script.
		if (cd "$NPMDIR" && npm ci --no-audit --no-fund --ignore-scripts) \
		    >"$TMP/npm.out" 2>&1; then
			echo "$want" >"$NPMDIR/installed"
			pass "axe-core and puppeteer-core installed with npm ci ($NPMDIR)"
			AXE=yes
		else
			fail "axe-core and puppeteer-core installed with npm ci" \
			    "$(tail -n 8 "$TMP/npm.out")"
		fi
	fi
fi

# drive NAME URL [ARGS...]: tests/panel/axe.js on URL, doing the steps
# of ARGS (and axe's check unless --no-axe is among them); its output in
# $TMP/NAME.out, its exit code returned. Without node or the npm
# packages, exits 2 having said why.
drive() {
	d_out=$TMP/$1.out
	shift
	if [ -z "$AXE" ]; then
		echo "axe-core and puppeteer-core are not installed (above)" >"$d_out"
		return 2
	fi
	NODE_PATH=$NPMDIR/node_modules CHROMIUM=$CHROMIUM TZ=$BROWSER_TZ timeout 120 \
	    node tests/panel/axe.js "$@" >"$d_out" 2>&1
}
# said NAME PREFIX: the line of $TMP/NAME.out that starts with PREFIX,
# without it (the first such line; the Nth with said NAME PREFIX N).
said() {
	grep -F -- "$2: " "$TMP/$1.out" | sed -n "${3:-1}p" | cut -c$((${#2} + 3))-
}
# axe NAME FILE URL [ARGS...]: axe's check on URL after the steps of
# ARGS: passes with no serious or critical violation; its report in FILE.
axe() {
	name=$1 out=$2
	shift 2
	drive axe "$@"
	rc=$?
	cp "$TMP/axe.out" "$out"
	summary=$(grep '^axe [0-9.]*: ' "$out")
	if [ "$rc" -eq 0 ] && printf '%s' "$summary" | grep -q ', 0 serious or critical$' &&
	    ! grep -q '^page error' "$out"; then
		pass "axe: $name: ${summary#axe }"
	else
		fail "axe: $name: no serious or critical violation" "exit $rc" \
		    "$(head -n 30 "$out")"
	fi
}

# 1. A database with issuer rsa and five certificates, one revoked
# (keyCompromise).
make_pki
admin_token
SERIALS="A01 A02 A03 A04 A05"
NCERTS=5
if ! addissuer "$DB" rsa rsa --crl-key "$PKI/ca-rsa.key"; then
	fail "register issuer rsa"
	finish
	exit 1
fi
bad=
for s in $SERIALS; do
	"$OCSPBOX" --db "$DB" cert add rsa --serial "$s" >/dev/null || bad="$bad $s"
done
"$OCSPBOX" --db "$DB" revoke rsa A03 --reason keyCompromise >/dev/null || bad="$bad revoke"
same "5 certificates registered on rsa, A03 revoked" "${bad:-none}" none

# An openssl ca index followed (serve --follow-index), empty for now.
: >"$TMP/index.txt"
if ! start_server "$DB" --refresh-interval 1h --validity 2h \
    --follow-index "rsa=$TMP/index.txt"; then
	fail "server starts"
	finish
	exit 1
fi
pass "server starts with OCSPBOX_ADMIN_TOKEN set"

n=0
while [ $n -lt 150 ]; do
	[ "$(stats '[.refresh.last_started_at != null, .refresh.running, .cache.entries, .issuers[0].crl.present] | join(" ")')" = \
	    "true false $NCERTS true" ] && break
	sleep 0.1
	n=$((n + 1))
done
same "start refresh done: $NCERTS entries, a CRL" \
    "$(stats '[.refresh.last_started_at != null, .refresh.running, .cache.entries, .issuers[0].crl.present] | join(" ")')" \
    "true false $NCERTS true"

# 2. A few OCSP requests, so that hits and requests are not zero.
bad=
for s in $SERIALS; do
	want=good
	[ "$s" = A03 ] && want=revoked
	out=$(openssl ocsp -url "$URL/" -issuer "$PKI/ca-rsa.pem" -serial "0x$s" -no_nonce \
	    -CAfile "$PKI/ca-rsa.pem" 2>&1)
	printf '%s\n' "$out" | grep -q "^0x$s: $want" || bad="$bad $s"
done
same "5 OCSP requests answered (4 good, A03 revoked)" "${bad:-none}" none

# The pages themselves: embedded, under the CSP, nothing inline.
# Stored gzip-compressed (scripts/embed-web.sh), they are the files in
# web/ once decoded.
for f in / /index.html /panel.css /panel.js; do
	code=$(curl -s -m 30 --compressed -D "$TMP/h" -o "$TMP/f" -w '%{http_code}' "$ADMIN_URL$f")
	src=web${f%/}
	[ "$f" = / ] && src=web/index.html
	if [ "$code" = 200 ] && grep -qi "^Content-Security-Policy: default-src 'self'" "$TMP/h" &&
	    grep -qi '^Content-Encoding: gzip' "$TMP/h" && grep -qi '^Vary: Accept-Encoding' "$TMP/h" &&
	    cmp -s "$TMP/f" "$src"; then
		pass "GET $f: 200 with the CSP, gzip-coded, $src once decoded"
	else
		fail "GET $f: 200 with the CSP, gzip-coded, $src once decoded" "$code" "$(cat "$TMP/h")"
	fi
done
# A client that refuses gzip is told so (RFC 9110 15.5.7); one that
# names no preference takes it (12.5.3).
for ae in identity 'gzip;q=0' 'br, *;q=0' ''; do
	h="Accept-Encoding: $ae"
	[ -n "$ae" ] || h='Accept-Encoding;' # curl's way to send it empty
	code=$(curl -s -m 30 -H "$h" -o "$TMP/f" -w '%{http_code}' "$ADMIN_URL/panel.js")
	same "GET /panel.js with Accept-Encoding: '$ae': 406 saying why" \
	    "$code $(grep -c 'gzip-compressed only.*wget --compression=auto' "$TMP/f")" "406 1"
done
# Two Accept-Encoding lines are one list (RFC 9110 5.3).
code=$(curl -s -m 30 -H 'Accept-Encoding: identity' -H 'Accept-Encoding: gzip' \
    -o /dev/null -w '%{http_code}' "$ADMIN_URL/panel.js")
same "GET /panel.js with Accept-Encoding lines 'identity' and 'gzip': 200" "$code" 200
code=$(curl -s -m 30 -H 'Accept-Encoding: br' -H 'Accept-Encoding: gzip;q=0' \
    -o /dev/null -w '%{http_code}' "$ADMIN_URL/panel.js")
same "GET /panel.js with Accept-Encoding lines 'br' and 'gzip;q=0': 406" "$code" 406
# However long the lines (four of 300 bytes before the one that counts).
x=$(printf '%0300d' 0 | tr 0 x)
code=$(curl -s -m 30 -H "Accept-Encoding: $x" -H "Accept-Encoding: $x" -H "Accept-Encoding: $x" \
    -H "Accept-Encoding: $x" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{http_code}' "$ADMIN_URL/panel.js")
same "GET /panel.js with four long Accept-Encoding lines, then 'gzip': 200" "$code" 200
code=$(curl -s -m 30 -H 'Accept-Encoding: gzip' -H "Accept-Encoding: $x" -H "Accept-Encoding: $x" \
    -H "Accept-Encoding: $x" -H "Accept-Encoding: $x" -H 'Accept-Encoding: gzip;q=0' \
    -o /dev/null -w '%{http_code}' "$ADMIN_URL/panel.js")
same "GET /panel.js with 'gzip', four long lines, then 'gzip;q=0': 200 (one listing that takes it is enough)" "$code" 200
code=$(curl -s -m 30 -o "$TMP/f" -w '%{http_code}' "$ADMIN_URL/panel.css")
same "GET /panel.css with no Accept-Encoding: gzip bytes" \
    "$code $(gzip -dc <"$TMP/f" | cmp -s - web/panel.css && echo same)" "200 same"
curl -s -m 30 --compressed -o "$TMP/index.html" "$ADMIN_URL/"
if ! grep -Eiq '<script( [^>]*)?>[^<]|<script>|<style|style=| on[a-z]+=' "$TMP/index.html"; then
	pass "index.html has no inline script, style or event handler"
else
	fail "index.html has no inline script, style or event handler" \
	    "$(grep -Ein '<script( [^>]*)?>[^<]|<script>|<style|style=| on[a-z]+=' "$TMP/index.html")"
fi

# dom NAME URL PATTERN: loads URL and dumps the DOM once its JavaScript
# has run (virtual time: timers fire at once, fetches are waited for)
# into $TMP/NAME.html, on one line. Tries thrice until PATTERN is there.
dom() {
	try=1
	while [ $try -le 3 ]; do
		chrome --virtual-time-budget=$((try * 10000)) --dump-dom "$2"
		tr '\n' ' ' <"$TMP/chrome.out" >"$TMP/$1.html"
		grep -Eq -- "$3" "$TMP/$1.html" && return 0
		try=$((try + 1))
	done
	return 1
}
# cell CLASS: the text of the cell of that class in $ROW.
cell() {
	printf '%s\n' "$ROW" | sed -n "s/.*<t[dh] [^>]*class=\"$1[ \"][^>]*>\([^<]*\)<.*/\1/p"
}
# part CLASS: the main text of a two-part cell (nextUpdate, CRL) in $ROW.
part() {
	printf '%s\n' "$ROW" |
	    sed -n "s/.*<td [^>]*class=\"$1[ \"][^>]*><div class=\"val\"><span class=\"main[^\"]*\">\([^<]*\)<.*/\1/p"
}
# byid ID FILE: the text of the element with that id (no child elements).
byid() {
	sed -n "s/.*id=\"$1\"[^>]*>\([^<]*\)<.*/\1/p" "$2"
}

# 3. With the token in the fragment.
if dom ok "$ADMIN_URL/#token=$TOKEN" 'data-state="ok".*data-issuer="rsa"'; then
	pass "panel with the token: JavaScript ran and filled the page"
else
	fail "panel with the token: JavaScript ran and filled the page" \
	    "$(head -c 3000 "$TMP/ok.html")" "$(grep CONSOLE "$TMP/chrome.err")"
fi
ROW=$(sed -n 's#.*\(<tr data-issuer="rsa">.*\)#\1#p' "$TMP/ok.html" | sed 's#</tr>.*##')
if [ -n "$ROW" ]; then
	pass "issuer row tr[data-issuer=rsa] is in the DOM"
else
	fail "issuer row tr[data-issuer=rsa] is in the DOM" "$(head -c 3000 "$TMP/ok.html")"
fi
same "row: id" "$(cell id)" rsa
same "row: cached answers: entries good revoked unknown stale" \
    "$(cell entries) $(cell good) $(cell revoked) $(cell unknown) $(cell stale)" \
    "5 4 1 0 0"
nu=$(part next-update)
if printf '%s' "$nu" | grep -Eq '^in [0-9]+ (h|min)'; then
	pass "row: oldest nextUpdate is in the future ($nu)"
else
	fail "row: oldest nextUpdate is in the future" "got: $nu" "$ROW"
fi
rsp=$(part responder)
if printf '%s' "$rsp" | grep -Eq '^in [0-9]+ (year|month|d)'; then
	pass "row: the responder certificate's notAfter ($rsp)"
else
	fail "row: the responder certificate's notAfter" "got: $rsp" "$ROW"
fi
crl_no=$(stats '.issuers[] | select(.id == "rsa") | .crl.crl_number')
same "row: CRL state is the API's crlNumber, fresh" "$(part crl)" "#$crl_no · fresh"
same "row: certificates total good revoked expired (from the certificates)" \
    "$(cell cert-total) $(cell cert-good) $(cell cert-revoked) $(cell cert-expired)" \
    "$(stats '.issuers[0].certificates | [.total, .good, .revoked, .expired] | join(" ")')"

# The overall numbers as the API has them now (no traffic since the load).
api=$(stats '[.cache.hits, .cache.misses, .cache.live_signs, .cache.invalidations, .refresh.last_signed, .refresh.last_errors] | join(" ")')
hr=$(stats '.cache.hit_ratio')
want_hr=$(awk -v r="$hr" 'BEGIN { printf "%.1f%%", r * 100 }')
got_hr=$(byid hit-ratio "$TMP/ok.html")
if printf '%s' "$got_hr" | grep -Eq '^[0-9][0-9.,]*%$' && [ "$got_hr" = "$want_hr" ]; then
	pass "hit ratio shown as a percentage ($got_hr)"
else
	fail "hit ratio shown as a percentage" "got:  $got_hr" "want: $want_hr"
fi
same "hits misses live-signs invalidations refresh-signed refresh-errors as in the API" \
    "$(byid hits "$TMP/ok.html") $(byid misses "$TMP/ok.html") $(byid live-signs "$TMP/ok.html") $(byid invalidations "$TMP/ok.html") $(byid refresh-signed "$TMP/ok.html") $(byid refresh-errors "$TMP/ok.html")" \
    "$api"
[ "$(stats '.cache.hits')" -ge 5 ] 2>/dev/null &&
    pass "hits are not zero ($(stats '.cache.hits'))" ||
    fail "hits are not zero" "$(cat "$TMP/stats.json")"
rate=$(byid req-rate "$TMP/ok.html")
if printf '%s' "$rate" | grep -Eq '^[0-9][0-9.,]*$'; then
	pass "request rate computed from two polls ($rate/s)"
else
	fail "request rate computed from two polls" "got: $rate"
fi
same "entries fresh stale tiles" \
    "$(byid entries "$TMP/ok.html") $(byid fresh "$TMP/ok.html") $(byid stale "$TMP/ok.html")" "5 5 0"
health=$(sed -n 's#.*\(<p id="health"[^>]*>.*\)#\1#p' "$TMP/ok.html" | sed 's#</p>.*##')
if printf '%s' "$health" | grep -q 'data-state="ok"' &&
    [ "$(byid health-label "$TMP/ok.html")" = OK ] &&
    byid health-text "$TMP/ok.html" | grep -q "^5 cached responses, all fresh, for 1 issuer"; then
	pass "health line: OK ($(byid health-text "$TMP/ok.html"))"
else
	fail "health line: OK" "$health"
fi
when=$(byid refresh-when "$TMP/ok.html")
next=$(byid refresh-next "$TMP/ok.html")
if printf '%s' "$when" | grep -Eq 'ago$|^just now$' &&
    printf '%s' "$next" | grep -Eq '^in [0-9]+ min'; then
	pass "last refresh: started $when, next $next"
else
	fail "last refresh: started ... ago, next in ... min" "started: $when" "next: $next"
fi
# utc RFC3339: the time as the panel shows it, "2026-11-30 18:36:07 UTC".
utc() { printf '%s\n' "$1" | sed 's/^\(....-..-..\)T\(..:..:..\).*Z$/\1 \2 UTC/'; }
same "times in UTC with the zone said, not the browser's ($BROWSER_TZ): last pass, next pass" \
    "$(byid refresh-when-abs "$TMP/ok.html") / $(byid refresh-next-abs "$TMP/ok.html")" \
    "$(utc "$(stats '.refresh.last_started_at')") / $(utc "$(stats '.refresh.next_due_at')")"
# Every time of day in the page's text is followed by UTC; no AM/PM, no
# month names (the browser's own formats).
text=$(sed -e 's/<script.*//' -e 's/<[^>]*>/ /g' "$TMP/ok.html")
bad=$(printf '%s\n' "$text" | grep -Eo '[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [A-Za-z]+)?' | grep -v ' UTC$')
bad="$bad$(printf '%s\n' "$text" | grep -Eo '[0-9] ?[AP]M\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]')"
if [ -z "$bad" ] && printf '%s\n' "$text" | grep -q '[0-9]:[0-9][0-9]:[0-9][0-9] UTC'; then
	pass "every time of day on the page says UTC ($(printf '%s\n' "$text" | grep -o '[0-9]:[0-9][0-9]:[0-9][0-9] UTC' | wc -l) of them)"
else
	fail "every time of day on the page says UTC" "not: $bad"
fi
# The header: the server's host, version and database; the title names
# the host; the brand is the page's h1.
host=$(stats '.server.host')
title=$(sed -n 's#.*<title>\([^<]*\)</title>.*#\1#p' "$TMP/ok.html")
same "header: host, version, database as the stats say" \
    "$(byid server-host "$TMP/ok.html") | $(byid server-version "$TMP/ok.html") | $(byid server-database "$TMP/ok.html")" \
    "$host | $(stats '.server.version') | $DB"
same "title: ocspbox · HOST" "$title" "ocspbox · $host"
if grep -q '<h1 class="brand-name">ocspbox<' "$TMP/ok.html"; then
	pass "the brand is the page's h1"
else
	fail "the brand is the page's h1" "$(grep -o '<h1[^>]*>[^<]*' "$TMP/ok.html")"
fi
# The tiles: each says its time base; the operator's words, not ours.
tiles=$(sed -n 's#.*<section class="tiles"[^>]*>\(.*\)</section>.*#\1#p' "$TMP/ok.html" | sed 's#</section>.*##' | sed 's/<[^>]*>/ /g')
bad=
for w in 'Cache hit ratio' 'lifetime of the database, all servers' 'since this server started' \
    'Answers signed on request' 'Cached answers dropped by revocations'; do
	printf '%s' "$tiles" | grep -q "$w" || bad="$bad; missing '$w'"
done
for w in 'Live signs' 'Invalidations' 'Oldest nextUpdate'; do
	grep -q "$w" "$TMP/ok.html" && bad="$bad; still '$w'"
done
n=$(grep -o 'class="tile-base"' "$TMP/ok.html" | wc -l)
[ "$n" -eq 5 ] || bad="$bad; $n time bases for 5 tiles"
same "tiles: time bases said, operator's words" "${bad:-ok}" ok
if grep -q '<canvas id="chart"' "$TMP/ok.html"; then
	pass "the chart's canvas is there"
else
	fail "the chart's canvas is there"
fi
if grep -q '<section id="auth"[^>]*hidden' "$TMP/ok.html" &&
    ! grep -q '<div id="dashboard"[^>]*hidden' "$TMP/ok.html"; then
	pass "with a good token: dashboard shown, no token form"
else
	fail "with a good token: dashboard shown, no token form"
fi
if ! grep -q "$TOKEN" "$TMP/ok.html"; then
	pass "the token is nowhere in the page"
else
	fail "the token is nowhere in the page"
fi

# 3b. The followed index: a row that says it is applied; then a broken
# version: the row and the health line say which line, and once fixed,
# applied again.
FROW=$(sed -n 's#.*<tbody id="follow-rows">\(.*\)</tbody>.*#\1#p' "$TMP/ok.html" | sed 's#</tbody>.*##')
if ! grep -q '<section id="follows"[^>]*hidden' "$TMP/ok.html" &&
    printf '%s' "$FROW" | grep -q "<th scope=\"row\" class=\"id\">rsa</th><td class=\"path\">$TMP/index.txt</td>" &&
    printf '%s' "$FROW" | grep -q '<td class="">applied</td>'; then
	pass "followed index: its row, applied"
else
	fail "followed index: its row, applied" "$FROW"
fi
printf 'V\tnot a date\t\t0F01\tunknown\t/CN=x\n' >"$TMP/index.txt"
n=0
while [ $n -lt 50 ] && [ "$(stats '.follow[0].error // empty')" = "" ]; do
	sleep 0.1
	n=$((n + 1))
done
if dom follow "$ADMIN_URL/#token=$TOKEN" 'index followed for rsa: .*index.txt:1: .*; skipped, the other lines are applied' &&
    grep -q '<p id="health"[^>]*data-state="attention"' "$TMP/follow.html" &&
    sed -n 's#.*<tbody id="follow-rows">\(.*\)</tbody>.*#\1#p' "$TMP/follow.html" |
    grep -q "<td class=\"is-warn\">$TMP/index.txt:1: "; then
	pass "a broken followed index: health attention, the row says its line"
else
	fail "a broken followed index: health attention, the row says its line" \
	    "$(byid health-text "$TMP/follow.html")" "$(grep CONSOLE "$TMP/chrome.err")"
fi
# Its error is read whole: wrapped, neither cut nor past its table's
# box, on a desktop and on a phone.
for size in 1200x900 390x844; do
	drive clip "$ADMIN_URL/#token=$TOKEN" --no-axe --size $size --wait '#follow-rows td.is-warn' \
	    --clipped '#follow-rows td' --clipped '#health-text' --clipped '.issuers td .sub'
	if [ $? -eq 0 ] && ! grep -q '^clipped' "$TMP/clip.out"; then
		pass "$size: the index's error and the health line are shown whole"
	else
		fail "$size: the index's error and the health line are shown whole" "$(cat "$TMP/clip.out")"
	fi
done
: >"$TMP/index.txt"
n=0
while [ $n -lt 50 ] && [ "$(stats '.follow[0].error // empty')" != "" ]; do
	sleep 0.1
	n=$((n + 1))
done
same "the followed index fixed: no error in the stats" "$(stats '.follow[0].error')" null

# 3c. Driven as a person would (tests/panel/axe.js in chromium).
# The live region: in 5 s of a state that does not change, while the
# page's "updated ... ago" moves, it is not changed once; it says the
# state.
drive live "$ADMIN_URL/#token=$TOKEN" --no-axe --wait 'tr[data-issuer="rsa"]' \
    --wait-text '#health-live' '^OK: ' --wait-text '#updated' 'ago' --text '#updated' \
    --live 5 --text '#updated' --text '#health-live'
u1=$(said live 'text #updated' 1)
u2=$(said live 'text #updated' 2)
if grep -q '^live: 0 changes in 5 s (#health-live' "$TMP/live.out" && [ -n "$u1" ] && [ "$u1" != "$u2" ] &&
    [ "$(said live 'text #health-live')" = "OK: Every cached answer is fresh and the last refresh had no errors." ]; then
	pass "live region: the state said once, not again in 5 s (while '$u1' became '$u2')"
else
	fail "live region: the state said once, not again in 5 s" "$(cat "$TMP/live.out")"
fi

# The search: revoked (with its reason and time, in UTC), good, not
# registered (404), not a serial (400).
drive search "$ADMIN_URL/#token=$TOKEN" --no-axe --search rsa A03 --text '#search-result' \
    --search rsa a01 --text '#search-result' --search rsa 0xA9:9 --text '#search-result' \
    --search rsa 'xyz' --text '#search-result'
at=$(utc "$(api GET /api/v1/certificates/rsa/A03 >/dev/null; printf '%s' "$BODY_OUT" | jq -r .revoked_at)")
same "search rsa A03: revoked, its reason and time" \
    "$(said search 'text #search-result' 1 | grep -o '^Revoked: serial A03 of rsa\|Reason keyCompromise\|Revoked at [0-9: -]* UTC' | tr '\n' '|')" \
    "Revoked: serial A03 of rsa|Reason keyCompromise|Revoked at $at|"
same "search rsa a01: good" "$(said search 'text #search-result' 2 | cut -c1-23)" "Good: serial A01 of rsa"
same "search rsa 0xA9:9 (A99, never registered, the 404): says so" \
    "$(said search 'text #search-result' 3 | sed 's/ The server said: .*//')" \
    "Not registered: serial A99 of issuer rsa is not in the database."
same "search rsa xyz (the 400): not a serial, says so" \
    "$(said search 'text #search-result' 4)" \
    "Not a serial number: it is hexadecimal digits (0-9, A-F), as openssl prints it. The server said: bad serial_hex."

# The chart at 120,000 requests/s: its axis grows to fit its labels.
drive chart "$ADMIN_URL/#token=$TOKEN" --no-axe --wait 'tr[data-issuer="rsa"]' --seed-rate 120000 --chart
ch=$(said chart 'chart')
lleft=$(printf '%s' "$ch" | sed -n 's/.*labelLeft=\(-*[0-9]*\).*/\1/p')
lright=$(printf '%s' "$ch" | sed -n 's/.*labelRight=\([0-9]*\).*/\1/p')
cw=$(printf '%s' "$ch" | sed -n 's/.*width=\([0-9]*\).*/\1/p')
ymax=$(printf '%s' "$ch" | sed -n 's/.*yMax=\([0-9]*\).*/\1/p')
if [ -n "$lleft" ] && [ "$lleft" -ge 0 ] && [ "$lright" -le "$cw" ] && [ "$ymax" -ge 120000 ]; then
	pass "chart at 120,000/s: axis labels inside the canvas ($ch)"
else
	fail "chart at 120,000/s: axis labels inside the canvas" "$ch" "$(cat "$TMP/chart.out")"
fi

# A wide screen is used: the page grows past 1,600 px at 1920.
drive wide "$ADMIN_URL/#token=$TOKEN" --no-axe --size 1920x1080 --wait 'tr[data-issuer="rsa"]' \
    --box '#ocspbox-panel'
w=$(said wide 'box #ocspbox-panel' | cut -d' ' -f1)
if [ "${w:-0}" -ge 1600 ]; then
	pass "1920 px wide: the page uses $w px"
else
	fail "1920 px wide: the page uses 1,600 px or more" "$(cat "$TMP/wide.out")"
fi

# 3d. Two revocations while the CRL key cannot be read (moved away, and
# the server told to read the keys again): the CRL is "behind"; the
# certificates say 3 revoked where the cache has 1 (the answers of the
# other two dropped); then a pass of the CLI (its CRL build fails the
# same way) and the history lists the revocations with their reason and
# source, the two failed builds once, counted, and the passes.
mv "$PKI/ca-rsa.key" "$PKI/ca-rsa.key.away"
kill -HUP "$SERVER_PID"
n=0
while [ $n -lt 50 ] && ! grep -q 'reload: issuers and keys read again' "$TMP/server.err"; do
	sleep 0.1
	n=$((n + 1))
done
ob revoke rsa A04 --reason superseded >/dev/null
ob revoke rsa A05 --reason cessationOfOperation >/dev/null
n=0
while [ $n -lt 100 ] && [ "$(stats '[.issuers[0].crl.behind, .issuers[0].certificates.revoked, .issuers[0].crl.last_error != null] | join(" ")')" != "true 3 true" ]; do
	sleep 0.1
	n=$((n + 1))
done
drive behind "$ADMIN_URL/#token=$TOKEN" --no-axe \
    --wait 'tr[data-issuer="rsa"] td.crl[data-crl~="behind"]' --wait-text '#health-live' 'behind' \
    --dump "$TMP/behind.html" --text '#health-live'
ROW=$(sed -n 's#.*\(<tr data-issuer="rsa">.*\)#\1#p' "$TMP/behind.html" | sed 's#</tr>.*##')
same "after two revocations: certificates 5 total, 2 good, 3 revoked; cached answers 3, 1 revoked" \
    "$(cell cert-total) $(cell cert-good) $(cell cert-revoked) / $(cell entries) $(cell revoked)" \
    "5 2 3 / 3 1"
if printf '%s' "$ROW" | grep -q '<span class="main is-warn">#[0-9]* · behind</span>' &&
    printf '%s' "$ROW" | grep -q 'lacks a change made since it was built'; then
	pass "the CRL cell says behind, in the warning colour ($(part crl))"
else
	fail "the CRL cell says behind, in the warning colour" "$ROW" "$(cat "$TMP/behind.out")"
fi
if grep -q '<p id="health"[^>]*data-state="attention"' "$TMP/behind.html" &&
    byid health-text "$TMP/behind.html" | grep -q 'CRL of rsa is behind' &&
    said behind 'text #health-live' | grep -q '^Attention: .*CRL of rsa is behind'; then
	pass "health line and live region: the CRL of rsa is behind"
else
	fail "health line and live region: the CRL of rsa is behind" \
	    "$(byid health-text "$TMP/behind.html")" "$(said behind 'text #health-live')"
fi
run ob cache refresh --validity 2h --refresh-interval 1h
api GET '/api/v1/history?limit=25'
printf '%s' "$BODY_OUT" >"$TMP/history.json"
drive hist "$ADMIN_URL/#token=$TOKEN" --no-axe --wait 'tr[data-issuer="rsa"]' --history \
    --wait-text '#hist-crl tr:nth-child(1)' '×2' \
    --text '#hist-revocations tr:nth-child(1)' --text '#hist-revocations tr:nth-child(2)' \
    --text '#hist-revocations tr:nth-child(3)' --text '#hist-crl tr:nth-child(1)' \
    --text '#hist-refresh tr:nth-child(1)' --text '#hist-refresh tr:nth-child(2)'
# jrev N: the API's Nth revocation as the panel's row reads: "time
# issuer serial reason source".
jrev() {
	jq -r ".revocations[$1] | [.revoked_at, .issuer_id, (.serial_hex | ascii_upcase), .reason, .source] | @tsv" \
	    "$TMP/history.json" | awk -F'\t' '{ t = $1; sub("T", " ", t); sub("Z", " UTC", t); print t, $2, $3, $4, $5 }'
}
same "history: revocations newest first, with reason and source, times in UTC" \
    "$(said hist 'text #hist-revocations tr:nth-child(1)') / $(said hist 'text #hist-revocations tr:nth-child(2)') / $(said hist 'text #hist-revocations tr:nth-child(3)')" \
    "$(jrev 0) / $(jrev 1) / $(jrev 2)"
same "... the API's: A05, A04, A03 by the CLI" \
    "$(jq -r '[.revocations[0:3][] | .serial_hex + " " + .reason + " " + .source] | join(", ")' "$TMP/history.json")" \
    "a05 cessationOfOperation cli, a04 superseded cli, a03 keyCompromise cli"
crl1=$(said hist 'text #hist-crl tr:nth-child(1)')
if printf '%s' "$crl1" | grep -Eq '^[0-9-]{10} [0-9:]{8} UTC first [0-9-]{10} [0-9:]{8} UTC rsa failed ×2 .*ca-rsa\.key.*No such file' &&
    [ "$RC" -eq 1 ] && [ "$(jq -r '.crl_builds[0].repeated' "$TMP/history.json")" = 2 ]; then
	pass "history: the two failed builds are one row, ×2, last and first time, the error"
else
	fail "history: the two failed builds are one row, ×2, last and first time, the error" \
	    "$crl1" "$(jq -c '.crl_builds[0]' "$TMP/history.json")" "cache refresh: exit $RC, $ERR"
fi
same "history: refresh passes, newest first (the CLI's, then the server's)" \
    "$(said hist 'text #hist-refresh tr:nth-child(1)' | sed 's/^.* UTC [0-9.,]* m*s //') / $(said hist 'text #hist-refresh tr:nth-child(2)' | sed 's/^.* UTC [0-9.,]* m*s //')" \
    "2 0 0 cli / 5 0 0 serve"
# The key back, read again (and the pass that follows a reload over);
# a pass of the CLI builds the CRL.
mv "$PKI/ca-rsa.key.away" "$PKI/ca-rsa.key"
kill -HUP "$SERVER_PID"
n=0
while [ $n -lt 50 ] && [ "$(grep -c 'reload: issuers and keys read again' "$TMP/server.err")" -lt 2 ]; do
	sleep 0.1
	n=$((n + 1))
done
sleep 1
n=0
while [ $n -lt 50 ] && [ "$(stats '.refresh.running')" = true ]; do sleep 0.1; n=$((n + 1)); done
run ob cache refresh --validity 2h --refresh-interval 1h
same "key back: a CLI pass builds the CRL, no longer behind" \
    "$RC $(stats '.issuers[0].crl.behind')" "0 false"

# The refresh button, with 1,000 certificates more that no pass has
# signed yet (a pass long enough to be seen running): a pass starts (the
# API's last pass moves), the button is off while it runs, and the line
# beside it says how it went.
i=0
while [ $i -lt 1000 ]; do
	printf 'V\t301231235959Z\t\t%X\tunknown\t/CN=c%d\n' $((0x10000 + i)) $i
	i=$((i + 1))
done >"$TMP/many.txt"
ob cert import rsa --openssl-index "$TMP/many.txt" >/dev/null
before=$(stats '.refresh.last_started_at')
drive kick "$ADMIN_URL/#token=$TOKEN" --no-axe --wait 'tr[data-issuer="rsa"]' \
    --click '#refresh-now' --wait-text '#refresh-now-msg' 'Refresh started at|running|finished' \
    --wait '#refresh-now[disabled]' --wait-text '#refresh-now' '^Refresh running' \
    --wait-text '#refresh-now-msg' 'finished' --wait '#refresh-now:not([disabled])' \
    --text '#refresh-now-msg'
msg=$(said kick 'text #refresh-now-msg')
after=$(stats '.refresh.last_started_at')
if printf '%s' "$msg" | grep -Eq '^The refresh asked for at [0-9:]{8} UTC finished: 1,000 answers signed, 0 errors, in [0-9.,]+ (ms|s)\.$' &&
    [ "$after" != "$before" ] && [ "$(stats '[.refresh.last_source, .refresh.last_signed] | join(" ")')" = "serve 1000" ]; then
	pass "refresh now: started ($before -> $after), button off while it ran, '$msg'"
else
	fail "refresh now: a pass started and finished, said so" "before $before, after $after" \
	    "$(cat "$TMP/kick.out")"
fi

# 4. A wrong token: the refusal and the form, no numbers.
if dom bad "$ADMIN_URL/#token=${TOKEN}x" 'admin token was refused'; then
	pass "wrong token: 'The admin token was refused' ($(byid auth-message "$TMP/bad.html" | cut -c1-60)…)"
else
	fail "wrong token: 'The admin token was refused'" "$(head -c 3000 "$TMP/bad.html")"
fi
if grep -q '<section id="auth" class="card auth"[ >]' "$TMP/bad.html" &&
    grep -q '<form id="token-form"' "$TMP/bad.html" &&
    grep -q '<div id="dashboard"[^>]*hidden' "$TMP/bad.html" &&
    grep -q '<p id="health"[^>]*data-state="error"' "$TMP/bad.html" &&
    ! grep -q 'data-issuer=' "$TMP/bad.html"; then
	pass "wrong token: the form again, health line in error, no issuer data"
else
	fail "wrong token: the form again, health line in error, no issuer data" \
	    "$(head -c 3000 "$TMP/bad.html")"
fi

# 5. No token at all: the form.
if dom none "$ADMIN_URL/" 'Not signed in' &&
    grep -q '<section id="auth" class="card auth"[ >]' "$TMP/none.html" &&
    grep -q '<input id="token-input"' "$TMP/none.html"; then
	pass "no token: the page asks for it with a form"
else
	fail "no token: the page asks for it with a form" "$(head -c 3000 "$TMP/none.html")"
fi

# 5b. A responder that expires in two hours: the health line warns and
# the row's cell is marked. (It stays for the screenshots.)
openssl req -new -key "$PKI/resp-rsa.key" -subj "/O=ocspbox test/CN=short" \
    -out "$TMP/short.csr" 2>/dev/null &&
    faketime -f -22h openssl x509 -req -in "$TMP/short.csr" -CA "$PKI/ca-rsa.pem" \
	-CAkey "$PKI/ca-rsa.key" -set_serial 0x1777 -days 1 -sha256 \
	-extfile "$PKI/ext.cnf" -extensions responder -out "$PKI/short.pem" 2>/dev/null &&
    "$OCSPBOX" --db "$DB" issuer update rsa --responder-cert "$PKI/short.pem" \
	--responder-key "$PKI/resp-rsa.key" >/dev/null ||
    fail "issuer update to a responder expiring in 2 h"
n=0
while [ $n -lt 50 ] && [ "$(stats '.issuers[0].responder.status')" != expiring ]; do
	sleep 0.2
	n=$((n + 1))
done
if dom exp "$ADMIN_URL/#token=$TOKEN" 'data-issuer="rsa"' &&
    grep -q '<p id="health"[^>]*data-state="attention"' "$TMP/exp.html" &&
    byid health-text "$TMP/exp.html" | grep -q 'responder certificate of rsa expires in [0-9]'; then
	pass "an expiring responder: health line attention ($(byid health-text "$TMP/exp.html" | cut -c1-90)…)"
else
	fail "an expiring responder: health line attention" \
	    "$(byid health-text "$TMP/exp.html")" "$(grep CONSOLE "$TMP/chrome.err")"
fi
ROW=$(sed -n 's#.*\(<tr data-issuer="rsa">.*\)#\1#p' "$TMP/exp.html" | sed 's#</tr>.*##')
if printf '%s\n' "$ROW" | grep -q 'data-status="expiring"' &&
    printf '%s\n' "$ROW" | grep -q 'class="main is-warn">in [0-9]* \(h\|min\)'; then
	pass "an expiring responder: its cell is marked ($(part responder))"
else
	fail "an expiring responder: its cell is marked" "$ROW"
fi

# 5c. Accessibility: axe-core finds no serious or critical violation
# (the rules of WCAG 2 A and AA and axe's best practices) on the
# dashboard with data (in the light and the dark theme; 900 px wide,
# where the issuer table scrolls; a phone), on the token form, and on the
# dashboard with the history card filled and a search answered. Its
# report, one line per violation, is kept in build/panel-axe-*.txt.
axe "dashboard with data" build/panel-axe-dashboard.txt "$ADMIN_URL/#token=$TOKEN" \
    --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
axe "dashboard with data, dark theme" build/panel-axe-dark.txt "$ADMIN_URL/#token=$TOKEN" \
    --dark --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
axe "dashboard with data, 900 px wide" build/panel-axe-narrow.txt "$ADMIN_URL/#token=$TOKEN" \
    --size 900x800 --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
axe "dashboard with data, a phone" build/panel-axe-phone.txt "$ADMIN_URL/#token=$TOKEN" \
    --size 390x844 --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
axe "the token form" build/panel-axe-token.txt "$ADMIN_URL/" \
    --wait '#auth:not([hidden]) #token-input'
axe "dashboard with the history and a search answered (rsa A03)" \
    build/panel-axe-history.txt "$ADMIN_URL/#token=$TOKEN" \
    --wait 'tr[data-issuer="rsa"]' --history --search rsa A03

# 6. Screenshots, with load running so that the chart has a shape: wrk on
# a cached GET (or a curl loop without wrk). Under --virtual-time-budget the
# page's clock runs faster than the real one, so the rate it shows is lower
# than the real rate: the screenshot is for the layout, not the numbers.
for s in $SERIALS; do
	openssl ocsp -issuer "$PKI/ca-rsa.pem" -serial "0x$s" -no_nonce -reqout "$TMP/req$s.der" >/dev/null 2>&1
done
if command -v wrk >/dev/null 2>&1; then
	path=/ocsp/$(enc "$TMP/reqA01.der")
	wrk -t1 -c2 -d60s "$URL$path" >/dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
else
	(
		while :; do
			for s in $SERIALS; do
				curl -s -m 10 -o /dev/null --data-binary @"$TMP/req$s.der" \
				    -H 'Content-Type: application/ocsp-request' "$URL/"
			done
		done
	) &
	BG_PIDS="$BG_PIDS $!"
fi
sleep 1
mkdir -p build
# shot FILE W H: a screenshot of the panel at that window size.
shot() {
	rm -f "$1"
	chrome --virtual-time-budget=30000 --window-size="$2,$3" --screenshot="$PWD/$1" \
	    "$ADMIN_URL/#token=$TOKEN"
	size=$(wc -c <"$1" 2>/dev/null || echo 0)
	if [ "$size" -gt 10240 ] && file "$1" | grep -q "PNG image data, $2 x $3"; then
		pass "screenshot $1: ${2}x$3 PNG, $size bytes"
	else
		fail "screenshot $1: ${2}x$3 PNG over 10 KB" "size $size" \
		    "$(file "$1" 2>&1)" "$(grep -v dbus "$TMP/chrome.err" | tail -n 5)"
	fi
}
shot build/panel.png 1200 900
shot build/panel-wide.png 1920 1080
shot build/panel-phone.png 390 844
for p in $BG_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
BG_PIDS=

# 7. The page's console, over every load: no script error, nothing
# blocked by the CSP.
errs=$(grep -Ei 'Uncaught|Content Security Policy|Refused to|SyntaxError|TypeError' "$TMP/console")
if [ -z "$errs" ]; then
	pass "no JavaScript error or CSP violation in the console ($(grep -c . "$TMP/console") console lines)"
else
	fail "no JavaScript error or CSP violation in the console" "$errs"
fi

stop_checked "server"

finish
