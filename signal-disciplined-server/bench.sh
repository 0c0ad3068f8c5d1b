#!/usr/bin/env bash
# bench.sh BIN: echo-load against signal-disciplined-server (raw and blocking epoll waits) and
# against the stdlib reference (testdata/stdecho: goroutine per connection, io.Copy), built
# in this run. Server on CPU 0, load on CPU 1 (taskset), so each side has one core.
# Environment: SECS (measured seconds per run, default 5), WARMUP (default 1s).
set -euo pipefail
BIN=${1:?usage: bench.sh BIN}
SECS=${SECS:-5}
WARMUP=${WARMUP:-1s}
cd "$(dirname "$0")"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$tmp/stdecho" ./testdata/stdecho

# start NAME CMD...: starts a server on CPU 0 and sets ADDR from its "listening on" line.
start() {
	local name=$1
	shift
	taskset -c 0 "$@" -listen 127.0.0.1:0 2>"$tmp/$name.log" &
	pids+=($!)
	for _ in $(seq 200); do
		ADDR=$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$tmp/$name.log" | head -1)
		[ -n "$ADDR" ] && return
		sleep 0.05
	done
	echo "bench: $name did not start:" >&2
	cat "$tmp/$name.log" >&2
	exit 1
}
start raw "$BIN/signal-disciplined-server" -wait raw
ADDR_raw=$ADDR
start blocking "$BIN/signal-disciplined-server" -wait blocking
ADDR_blocking=$ADDR
start stdlib "$tmp/stdecho"
ADDR_stdlib=$ADDR

scenarios=(
	"1 conn reqresp 64 B|-conns 1 -size 64 -mode reqresp"
	"100 conns reqresp 64 B|-conns 100 -size 64 -mode reqresp"
	"1000 conns pipeline 4 KiB|-conns 1000 -size 4096 -mode pipeline -depth 4"
)
echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); ${SECS}s per run after ${WARMUP} warm-up"
printf '%-28s %-26s %10s %9s %9s %10s %9s %8s\n' scenario server msgs/s p50_us p99_us p999_us "x stdlib" "p99 x"
for sc in "${scenarios[@]}"; do
	name=${sc%%|*}
	args=${sc#*|}
	declare -A rate p50 p99 p999
	for srv in stdlib raw blocking; do
		addr_var=ADDR_$srv
		line=$(taskset -c 1 "$BIN/echo-load" -addr "${!addr_var}" $args -duration "${SECS}s" -warmup "$WARMUP" | grep '^result ')
		rate[$srv]=$(sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/' <<<"$line")
		p50[$srv]=$(sed 's/.* p50_us=\([0-9.]*\).*/\1/' <<<"$line")
		p99[$srv]=$(sed 's/.* p99_us=\([0-9.]*\).*/\1/' <<<"$line")
		p999[$srv]=$(sed 's/.* p999_us=\([0-9.]*\).*/\1/' <<<"$line")
	done
	for srv in stdlib raw blocking; do
		label=$srv
		[ "$srv" = stdlib ] && label="stdlib (io.Copy)"
		[ "$srv" = raw ] && label="this, -wait raw (default)"
		[ "$srv" = blocking ] && label="this, -wait blocking"
		ratio=$(awk -v a="${rate[$srv]}" -v b="${rate[stdlib]}" 'BEGIN{printf "%.2fx", a/b}')
		pr=$(awk -v a="${p99[$srv]}" -v b="${p99[stdlib]}" 'BEGIN{printf "%.2fx", a/b}')
		printf '%-28s %-26s %10s %9s %9s %10s %9s %8s\n' "$name" "$label" "${rate[$srv]}" "${p50[$srv]}" "${p99[$srv]}" "${p999[$srv]}" "$ratio" "$pr"
	done
	unset rate p50 p99 p999
done
echo
echo "GC stop-the-world wait for an idle loop's P (runtime/metrics /sched/pauses/stopping/gc:seconds, max bucket):"
go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
echo "same with GODEBUG=asyncpreemptoff=1 (no SIGURG: only -raw-timeout ends a raw wait):"
GODEBUG=asyncpreemptoff=1 go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
