#!/usr/bin/env bash
# bench.sh BIN: echo-load against four echo servers in one run, interleaved:
#   this     signal-disciplined-server with its defaults
#   spin     the same with -spin 100us (the busy-poll; the default is -spin 0)
#   stdlib   testdata/stdecho: goroutine per connection, io.Copy (built here with go)
#   c        testdata/cecho/cecho.c: one thread, level-triggered epoll, non-blocking sockets,
#            a 64 KiB buffer per read (built here with gcc; left out, with a note, without gcc)
# Each row: msgs/s, p50/p99, the server's CPU (cores, from /proc/PID/stat over the measured
# window, read by echo-load -server-pid), messages per server CPU-second and RSS at the end of the
# window; ratios against the C server, each the median of the per-round ratios. The results also
# go to bench.svg (testdata/benchplot, standard library only).
# PIN=1 (default): every server on CPU 0, the load generator on CPU 1 (taskset): each side has one
# core and every wakeup crosses CPUs; PIN=0: the kernel places them. SECS (default 2), WARMUP
# (default 500ms), ROUNDS (default 5): a round runs every server once, rotating their order.
# EXTRA='label=ARGS;label2=ARGS': more rows; ARGS starting with '-' are flags of this server.
# SVG: where the plot goes (default bench.svg here; empty: none).
set -euo pipefail
BIN=${1:?usage: bench.sh BIN}
SECS=${SECS:-2}
WARMUP=${WARMUP:-500ms}
ROUNDS=${ROUNDS:-5}
PIN=${PIN:-1}
cd "$(dirname "$0")"
SVG=${SVG-bench.svg}
srvcpu=() loadcpu=()
if [ "$PIN" = 1 ]; then
	srvcpu=(taskset -c 0)
	loadcpu=(taskset -c 1)
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

declare -A cmd label
servers=(this spin stdlib)
cmd[this]="$BIN/signal-disciplined-server" label[this]="this server, defaults"
cmd[spin]="$BIN/signal-disciplined-server -spin 100us" label[spin]="this server, -spin 100us"
CGO_ENABLED=0 go build -trimpath -o "$tmp/stdecho" ./testdata/stdecho
cmd[stdlib]="$tmp/stdecho" label[stdlib]="stdlib (io.Copy)"
ref=""
if command -v gcc >/dev/null; then
	gcc -O2 -Wall -o "$tmp/cecho" testdata/cecho/cecho.c
	servers+=(c)
	cmd[c]="$tmp/cecho" label[c]="C epoll (cecho.c)"
	ref=c refname=C
else
	echo "bench: no gcc: the C reference (testdata/cecho/cecho.c) is left out; ratios are against stdlib"
	ref=stdlib refname=stdlib
fi
IFS=';' read -ra extras <<<"${EXTRA:-}"
for i in "${!extras[@]}"; do
	[ -n "${extras[$i]}" ] || continue
	name=x$i args=${extras[$i]#*=}
	[ "${args:0:1}" = - ] && args="$BIN/signal-disciplined-server $args"
	servers+=("$name")
	cmd[$name]=$args label[$name]=${extras[$i]%%=*}
done

declare -A addr pid
for s in "${servers[@]}"; do
	# shellcheck disable=SC2086 # the command line is split on purpose
	"${srvcpu[@]}" ${cmd[$s]} -listen 127.0.0.1:0 2>"$tmp/$s.log" &
	pid[$s]=$!
	pids+=($!)
	for _ in $(seq 200); do
		addr[$s]=$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$tmp/$s.log" | head -1)
		[ -n "${addr[$s]}" ] && break
		sleep 0.05
	done
	if [ -z "${addr[$s]}" ]; then
		echo "bench: ${label[$s]} did not start:" >&2
		cat "$tmp/$s.log" >&2
		exit 1
	fi
done

scenarios=(
	"1 conn rr 64 B|-conns 1 -size 64 -mode reqresp"
	"100 conns rr 64 B|-conns 100 -size 64 -mode reqresp"
	"1000 conns pipelined 4 KiB|-conns 1000 -size 4096 -mode pipeline -depth 4"
	"100 conns 64 KiB|-conns 100 -size 65536 -mode pipeline -depth 4"
)
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# ratios A B: the median of A[i]/B[i] over two space-separated lists of the same rounds.
ratio() {
	paste <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) | awk '{print $1 / $2}' | sort -g |
		awk '{v[NR] = $1} END {printf "%.2fx\n", v[int((NR + 1) / 2)]}'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at start; PIN=$PIN; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "each cell: median of $ROUNDS interleaved rounds of ${SECS}s (after ${WARMUP} warm-up); x C: median of the per-round ratios to the C server"
hdr='%-27s %-24s %9s %6s %9s %7s %9s %6s %10s %6s %8s\n'
printf "$hdr" load server msgs/s "x $refname" p50_us "x $refname" p99_us cores msgs/CPU-s "x $refname" RSS_MiB
results=$tmp/results.tsv
: >"$results"
for sc in "${scenarios[@]}"; do
	name=${sc%%|*}
	args=${sc#*|}
	declare -A rate p50 p99 cores mpc rss
	for round in $(seq "$ROUNDS"); do
		for i in "${!servers[@]}"; do
			s=${servers[$(((i + round) % ${#servers[@]}))]}
			# shellcheck disable=SC2086
			line=$("${loadcpu[@]}" "$BIN/echo-load" -addr "${addr[$s]}" $args -duration "${SECS}s" -warmup "$WARMUP" -server-pid "${pid[$s]}" | grep '^result ')
			msgs=$(field msgs <<<"$line") secs=$(field secs <<<"$line") cpu=$(field srv_cpu_s <<<"$line")
			rate[$s]+=" $(field msgs_per_s <<<"$line")"
			p50[$s]+=" $(field p50_us <<<"$line")"
			p99[$s]+=" $(field p99_us <<<"$line")"
			rss[$s]+=" $(awk -v k="$(field srv_rss_kib <<<"$line")" 'BEGIN {printf "%.1f", k / 1024}')"
			cores[$s]+=" $(awk -v c="$cpu" -v s="$secs" 'BEGIN {printf "%.2f", c / s}')"
			# A window with no CPU tick on the server's account (0.01 s resolution) counts as one tick.
			mpc[$s]+=" $(awk -v m="$msgs" -v c="$cpu" 'BEGIN {if (c < 0.01) c = 0.01; printf "%.0f", m / c}')"
		done
	done
	for s in "${servers[@]}"; do
		row=("$name" "${label[$s]}" "$(median <<<"${rate[$s]}")" "$(ratio "${rate[$s]}" "${rate[$ref]}")"
			"$(median <<<"${p50[$s]}")" "$(ratio "${p50[$s]}" "${p50[$ref]}")" "$(median <<<"${p99[$s]}")"
			"$(median <<<"${cores[$s]}")" "$(median <<<"${mpc[$s]}")" "$(ratio "${mpc[$s]}" "${mpc[$ref]}")"
			"$(median <<<"${rss[$s]}")")
		# shellcheck disable=SC2059
		printf "$hdr" "${row[@]}"
		(IFS=$'\t' && echo "${row[*]}") >>"$results"
	done
	unset rate p50 p99 cores mpc rss
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "the same as a Markdown table (x: the median of the per-round ratios to the $refname server's figure):"
echo
echo "| load | server | msgs/s | x $refname | p50 us | x $refname | p99 us | server cores | msgs per CPU-s | x $refname | RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' 'function g(n,  s) {s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s}
	{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, g($3), $4, $5, $6, $7, $8, g($9), $10, $11}' "$results"
if [ -n "$SVG" ]; then
	go run ./testdata/benchplot -title "make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), PIN=$PIN, $ROUNDS rounds of ${SECS}s, load average $(cut -d' ' -f1 /proc/loadavg)" <"$results" >"$SVG.tmp"
	mv "$SVG.tmp" "$SVG"
	echo
	echo "plot: $SVG"
fi
echo
echo "GC stop-the-world wait for the P of a loop waiting raw between 2 ms pings (runtime/metrics /sched/pauses/stopping/gc:seconds, max bucket):"
go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
echo "same with GODEBUG=asyncpreemptoff=1 (no SIGURG: only -raw-timeout ends a raw wait):"
GODEBUG=asyncpreemptoff=1 go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
