# What bench/run.sh and bench/scale.sh share; sourced, with $pids (the
# processes a run started) set by the caller.

# Kills every process in $pids, then empties it: the parent first (an
# nginx master that sees its workers die starts others; openssl ocsp
# -multi workers may spin after their parent is told to stop,
# openssl#23934), then the children it had.
killall_started() {
	for p in $pids; do
		kids=$(pgrep -P "$p" || true)
		kill -9 "$p" 2>/dev/null || true
		# shellcheck disable=SC2086
		[ -z "$kids" ] || kill -9 $kids 2>/dev/null || true
	done
	pids=
}

# port N: a port for this run's Nth listener, below the ephemeral range
# (32768 up), where wrk's client ports in TIME_WAIT could hold it.
port() { echo $((20000 + ($$ + $1) % 12000)); }

# wait_up URL [TENTHS]: until URL answers, at most TENTHS tenths of a
# second (default 100); else the run ends.
wait_up() {
	# Not n: scale.sh's n is its number of certificates.
	_tries=0
	until curl -s -o /dev/null "$1" 2>/dev/null; do
		_tries=$((_tries + 1))
		[ $_tries -gt "${2:-100}" ] && { echo "bench: $1 never came up" >&2; exit 1; }
		sleep 0.1
	done
}

# raw_cores MICRO DB ISSUER SERIAL SECONDS: the raw signing rate of each
# core, measured on all at once (MICRO ... sign, one process pinned to
# each core with taskset): the rates ("a+b"), then their sum, on one
# line. Cores of a shared machine need not be equal: one may run a third
# slower than the other while the host is busy, and one thread's rate
# times the cores would then promise more than they give.
raw_cores() {
	_out=$(mktemp)
	_i=0
	while [ $_i -lt "$(nproc)" ]; do
		taskset -c "$_i" "$1" "$2" "$3" "$4" "$5" sign >"$_out.$_i" &
		_i=$((_i + 1))
	done
	wait
	cat "$_out".* | awk '/^signatures/ { s += $2; r = r (r == "" ? "" : "+") sprintf("%.0f", $2) }
		END { printf "%s %.0f\n", r, s }'
	rm -f "$_out" "$_out".*
}
