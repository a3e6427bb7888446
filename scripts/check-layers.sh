#!/bin/sh
# Checks that src/ keeps its layers (STYLE.md "Layout"): each file
# includes its own layer's header and those below, never above; and the
# libraries stay behind the one layer that owns them. Prints one line per
# breach and exits 1 if there is any; silent and 0 otherwise.
#   sh scripts/check-layers.sh [SRCDIR]
set -u
src=${1:-src}
bad=0

# The layers, bottom up: rank, header, the files that make the layer.
layers='
0 ob.h      util.c log.c file.c buf.c
1 codec.h   der.c ocsp_req.c ocsp_resp.c ocsp_get.c crl.c respcert.c index.c schema.c schema_lex.c http_head.c
2 store.h   store.c store_issuer.c store_cert.c store_cache.c store_crl.c store_stats.c store_backup.c
3 signer.h  signer.c signer_check.c signer_issue.c
4 server.h  issuers.c flight.c cache.c responder.c refresh.c crlgen.c follow.c
5 http.h    http.c http_ocsp.c http_admin.c http_api.c api_json.c metrics.c
6 cli.h     main.c cli.c cli_issuer.c cli_cache.c cli_crl.c cli_cert.c cli_backup.c serve.c serve_admin.c
'

breach() {
	printf 'layers: %s\n' "$*"
	bad=1
}

# rank_of_file F: the layer of a .c file, or nothing.
rank_of_file() {
	printf '%s\n' "$layers" |
	    awk -v f="$1" '{ for (i = 3; i <= NF; i++) if ($i == f) print $1 }'
}

# rank_of_header H: the layer a header of ours belongs to, or nothing
# (store_int.h, signer_int.h and schema_int.h are the store's, the
# signer's and the schema translator's private headers).
rank_of_header() {
	[ "$1" = store_int.h ] && echo 2 && return
	[ "$1" = signer_int.h ] && echo 3 && return
	[ "$1" = schema_int.h ] && echo 1 && return
	printf '%s\n' "$layers" | awk -v h="$1" '$2 == h { print $1 }'
}

# includes F: the headers of ours that F includes ("name.h").
includes() {
	sed -n 's/^#include "\([^"/]*\.h\)".*/\1/p' "$1"
}

for f in "$src"/*.c "$src"/*.h; do
	[ -e "$f" ] || continue
	name=${f##*/}
	case $name in
	*.c) mine=$(rank_of_file "$name") ;;
	*.h) mine=$(rank_of_header "$name") ;;
	esac
	if [ -z "$mine" ]; then
		breach "$name belongs to no layer (add it to scripts/check-layers.sh)"
		continue
	fi
	for h in $(includes "$f"); do
		r=$(rank_of_header "$h")
		case $h in civetweb.h | cJSON.h) continue ;; esac
		if [ -z "$r" ]; then
			breach "$name includes $h, which is no layer's header"
		elif [ "$r" -gt "$mine" ]; then
			breach "$name (layer $mine) includes $h (layer $r), above it"
		fi
	done
	# The libraries, each behind its one layer.
	case $name in store.c | store_*.c | store_int.h) ;; *)
		grep -q '^#include <sqlite3\.h>' "$f" &&
		    breach "$name includes sqlite3.h (only the store's files may)" ;;
	esac
	case $name in http.c | http_*.c) ;; *)
		grep -q '^#include "civetweb\.h"' "$f" &&
		    breach "$name includes civetweb.h (only the http files may)" ;;
	esac
	case $name in signer.c | signer_*.c | signer_int.h) ;; *)
		grep -q '^#include <mbedtls/pk\.h>' "$f" &&
		    breach "$name includes mbedtls/pk.h (only the signer's files may)" ;;
	esac
	# The private headers, each included by its own module's files only.
	for m in store signer schema; do
		case $name in "${m}_int.h" | "$m.c" | "${m}"_*.c) continue ;; esac
		includes "$f" | grep -qx "${m}_int\\.h" &&
		    breach "$name includes ${m}_int.h (private to $m*.c)"
	done
done
exit $bad
