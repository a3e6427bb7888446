#!/bin/sh
# The admin panel in a real headless Chromium: loaded with the token in
# the URL fragment, its JavaScript fetches the stats and the issuer row and
# its numbers land in the DOM; a wrong token gets the refusal message and
# the form; no token gets the form. Screenshots for people to look at:
# build/panel.png (desktop) and build/panel-phone.png (phone).
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

# chrome ARGS...: one headless Chromium run with a fresh profile; stdout
# in $TMP/chrome.out, stderr (with the page's console) in $TMP/chrome.err,
# and every console line kept in $TMP/console.
NCHROME=0
chrome() {
	NCHROME=$((NCHROME + 1))
	timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
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

# 1. A database with issuer rsa and five certificates, one revoked.
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
"$OCSPBOX" --db "$DB" revoke rsa A03 >/dev/null || bad="$bad revoke"
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
same "row: entries good revoked unknown fresh stale" \
    "$(cell entries) $(cell good) $(cell revoked) $(cell unknown) $(cell fresh) $(cell stale)" \
    "5 4 1 0 5 0"
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
same "row: CRL state is the API's crlNumber" "$(part crl)" "#$crl_no"

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
: >"$TMP/index.txt"
n=0
while [ $n -lt 50 ] && [ "$(stats '.follow[0].error // empty')" != "" ]; do
	sleep 0.1
	n=$((n + 1))
done
same "the followed index fixed: no error in the stats" "$(stats '.follow[0].error')" null

# 4. A wrong token: the refusal and the form, no numbers.
if dom bad "$ADMIN_URL/#token=${TOKEN}x" 'admin token was refused'; then
	pass "wrong token: 'The admin token was refused' ($(byid auth-message "$TMP/bad.html" | cut -c1-60)…)"
else
	fail "wrong token: 'The admin token was refused'" "$(head -c 3000 "$TMP/bad.html")"
fi
if grep -q '<section id="auth" class="card auth">' "$TMP/bad.html" &&
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
    grep -q '<section id="auth" class="card auth">' "$TMP/none.html" &&
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
# dashboard with data (in the light and the dark theme), on the token
# form, and on the dashboard with the history card filled and a search
# answered. Its report, one line per violation, is kept in
# build/panel-axe-*.txt.
# axe NAME FILE URL [ARGS...]: tests/panel/axe.js on URL, its output in FILE.
axe() {
	name=$1 out=$2 url=$3
	shift 3
	if [ -z "$AXE" ]; then
		fail "axe: $name" "axe-core and puppeteer-core are not installed (above)"
		return
	fi
	NODE_PATH=$NPMDIR/node_modules CHROMIUM=$CHROMIUM timeout 120 \
	    node tests/panel/axe.js "$url" "$@" >"$out" 2>&1
	rc=$?
	summary=$(grep '^axe [0-9.]*: ' "$out")
	if [ "$rc" -eq 0 ] && printf '%s' "$summary" | grep -q ', 0 serious or critical$' &&
	    ! grep -q '^page error' "$out"; then
		pass "axe: $name: ${summary#axe }"
	else
		fail "axe: $name: no serious or critical violation" "exit $rc" \
		    "$(head -n 30 "$out")"
	fi
}
axe "dashboard with data" build/panel-axe-dashboard.txt "$ADMIN_URL/#token=$TOKEN" \
    --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
axe "dashboard with data, dark theme" build/panel-axe-dark.txt "$ADMIN_URL/#token=$TOKEN" \
    --dark --wait 'tr[data-issuer="rsa"]' --wait '#health[data-state="attention"]'
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
