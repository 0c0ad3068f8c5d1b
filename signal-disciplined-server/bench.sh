#!/usr/bin/env bash
# bench.sh BIN: echo-load against signal-disciplined-server and against the stdlib reference
# (testdata/stdecho: goroutine per connection, io.Copy), built in this run. The server runs with
# one loop per CPU (-loops $(nproc)), as the stdlib server runs one P per CPU; its other settings
# are its defaults (-wait raw -spin 100us -slice 100us). Three more rows show what each choice
# buys: -loops 1 (the server's default loop count), -spin 0 -slice 0 (no busy-poll, the kernel's
# slice), and the same with -wait blocking.
# PIN=0 (default): the kernel places servers and load. PIN=1: server on CPU 0, load on CPU 1
# (taskset): each side has exactly one core and every wakeup crosses CPUs (the setup of the
# study DESIGN.md quotes). LOOPS: the loop count of the main rows (default: the CPU count).
# Environment: SECS (measured seconds per run, default 3), WARMUP (default 500ms), ROUNDS
# (default 5): server and load share the CPUs, so each figure is a median over interleaved rounds.
set -euo pipefail
BIN=${1:?usage: bench.sh BIN}
SECS=${SECS:-3}
WARMUP=${WARMUP:-500ms}
ROUNDS=${ROUNDS:-5}
PIN=${PIN:-0}
srvcpu=() loadcpu=()
if [ "$PIN" = 1 ]; then
	srvcpu=(taskset -c 0)
	loadcpu=(taskset -c 1)
fi
LOOPS=${LOOPS:-$(nproc)}
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

# start NAME CMD...: starts a server (on CPU 0 with PIN=1) and sets ADDR from its "listening on" line.
start() {
	local name=$1
	shift
	"${srvcpu[@]}" "$@" -listen 127.0.0.1:0 2>"$tmp/$name.log" &
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
start this "$BIN/signal-disciplined-server" -loops "$LOOPS"
ADDR_this=$ADDR PID_this=${pids[-1]}
start one "$BIN/signal-disciplined-server" -loops 1
ADDR_one=$ADDR PID_one=${pids[-1]}
start raw "$BIN/signal-disciplined-server" -wait raw -spin 0 -slice 0 -loops "$LOOPS"
ADDR_raw=$ADDR PID_raw=${pids[-1]}
start blocking "$BIN/signal-disciplined-server" -wait blocking -spin 0 -slice 0 -loops "$LOOPS"
ADDR_blocking=$ADDR PID_blocking=${pids[-1]}
start stdlib "$tmp/stdecho"
ADDR_stdlib=$ADDR PID_stdlib=${pids[-1]}

# The server's CPU time (clock ticks) and context switches (all threads), from /proc: cost per
# message is less disturbed by the other tenants of this machine than msgs/s is.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ {n += $2} END {print n}'; }
# Nanoseconds the server's threads spent runnable but waiting for the CPU (schedstat field 2):
# the share of the run that other tenants of the machine took from it.
waited() { cat /proc/"$1"/task/*/schedstat | awk '{n += $2} END {printf "%d\n", n / 1000}'; }

scenarios=(
	"1 conn reqresp 64 B|-conns 1 -size 64 -mode reqresp"
	"100 conns reqresp 64 B|-conns 100 -size 64 -mode reqresp"
	"1000 conns pipeline 4 KiB|-conns 1000 -size 4096 -mode pipeline -depth 4"
	"100 conns pipeline 64 KiB|-conns 100 -size 65536 -mode pipeline -depth 4"
)
servers=(stdlib this one raw blocking)
echo "machine: $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); PIN=$PIN LOOPS=$LOOPS"
echo "srv_cpu_us, srv_cs: the server's CPU microseconds and context switches per echoed message;"
echo "srv_wait%: time its threads were runnable but waiting for a CPU, summed over threads, in % of the run"
echo "each cell: median of $ROUNDS rounds of ${SECS}s (after ${WARMUP} warm-up); a round runs every server once, rotating their order"
echo "x stdlib, p99 x: median [min-max] of the per-round ratios (each round's figure over the stdlib server's in the same round)"
printf '%-26s %-34s %8s %8s %8s %8s %18s %18s %10s %6s %9s\n' scenario server msgs/s p50_us p99_us p999_us "x stdlib" "p99 x" "srv_cpu_us" "srv_cs" "srv_wait%"
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# ratios A B: median [min-max] of A[i]/B[i] over two space-separated lists of the same rounds.
ratios() {
	paste <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) | awk '{print $1 / $2}' | sort -g |
		awk '{v[NR] = $1} END {printf "%.2fx [%.2f-%.2f]\n", v[int((NR + 1) / 2)], v[1], v[NR]}'
}
# Hypervisor steal (/proc/stat cpu line, field 9) and total ticks: other VMs on the host.
steal() { awk '/^cpu / {t = 0; for (i = 2; i <= 11; i++) t += $i; print $9, t}' /proc/stat; }
for sc in "${scenarios[@]}"; do
	name=${sc%%|*}
	args=${sc#*|}
	declare -A rate p50 p99 p999 cpuus csw_ waitp
	read -r st0 tot0 < <(steal)
	for round in $(seq "$ROUNDS"); do
		for i in "${!servers[@]}"; do
			srv=${servers[$(((i + round) % ${#servers[@]}))]}
			addr_var=ADDR_$srv pid_var=PID_$srv
			t0=$(ticks "${!pid_var}") s0=$(switches "${!pid_var}") q0=$(waited "${!pid_var}")
			line=$("${loadcpu[@]}" "$BIN/echo-load" -addr "${!addr_var}" $args -duration "${SECS}s" -warmup "$WARMUP" | grep '^result ')
			t1=$(ticks "${!pid_var}") s1=$(switches "${!pid_var}") q1=$(waited "${!pid_var}")
			# msgs counts the measured window only; CPU and switches include the warm-up: scale.
			read -r cpu csw wait < <(awk -v m="$(sed 's/.*msgs=\([0-9]*\) .*/\1/' <<<"$line")" -v s="$SECS" -v w="${WARMUP%ms}" \
				-v dt=$((t1 - t0)) -v ds=$((s1 - s0)) -v dq=$((q1 - q0)) -v hz="$(getconf CLK_TCK)" \
				'BEGIN {f = s / (s + w / 1000); printf "%.2f %.2f %.0f\n", dt * f * 1e6 / hz / m, ds * f / m, dq / (s + w / 1000) / 10000}')
			cpuus[$srv]+=" $cpu"
			csw_[$srv]+=" $csw"
			waitp[$srv]+=" $wait"
			rate[$srv]+=" $(sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/' <<<"$line")"
			p50[$srv]+=" $(sed 's/.* p50_us=\([0-9.]*\).*/\1/' <<<"$line")"
			p99[$srv]+=" $(sed 's/.* p99_us=\([0-9.]*\).*/\1/' <<<"$line")"
			p999[$srv]+=" $(sed 's/.* p999_us=\([0-9.]*\).*/\1/' <<<"$line")"
		done
	done
	read -r st1 tot1 < <(steal)
	for srv in "${servers[@]}"; do
		case $srv in
		stdlib) label="stdlib (io.Copy)" ;;
		this) label="this, -loops $LOOPS" ;;
		one) label="this, -loops 1" ;;
		raw) label="this, -loops $LOOPS -spin 0 -slice 0" ;;
		blocking) label="same, -wait blocking" ;;
		esac
		printf '%-26s %-34s %8s %8s %8s %8s %18s %18s %10s %6s %9s\n' "$name" "$label" "$(median <<<"${rate[$srv]}")" \
			"$(median <<<"${p50[$srv]}")" "$(median <<<"${p99[$srv]}")" "$(median <<<"${p999[$srv]}")" \
			"$(ratios "${rate[$srv]}" "${rate[stdlib]}")" "$(ratios "${p99[$srv]}" "${p99[stdlib]}")" \
			"$(median <<<"${cpuus[$srv]}")" "$(median <<<"${csw_[$srv]}")" "$(median <<<"${waitp[$srv]}")"
	done
	awk -v s=$((st1 - st0)) -v t=$((tot1 - tot0)) 'BEGIN {printf "  (hypervisor steal during these rounds: %.1f%% of CPU time)\n", 100 * s / t}'
	unset rate p50 p99 p999 cpuus csw_ waitp
done
echo
echo "GC stop-the-world wait for an idle loop's P (runtime/metrics /sched/pauses/stopping/gc:seconds, max bucket):"
go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
echo "same with GODEBUG=asyncpreemptoff=1 (no SIGURG: only -raw-timeout ends a raw wait):"
GODEBUG=asyncpreemptoff=1 go test -run '^$' -bench GCStop -benchtime 100x ./internal/loop | grep -E '^BenchmarkGCStop'
