#!/usr/bin/env bash
# sched-latency.sh: scheduler latency of the spawn workload, from the kernel's sched tracepoints.
#
#   perf/sched-latency.sh [-s SECONDS] [-w WORKERS] [-b FORENSICS_BINARY] [-o DIR]
#
# Records SECONDS (default 10) of `forensics spawn` system-wide with `perf sched record`, then
# prints
#   1. `perf sched latency --pids --sort max`: per task, runtime, context switches and the delay
#      between becoming runnable and running (average and max), worst first;
#   2. the top wakeup latencies from `perf sched timehist`: each switch-in whose scheduling delay
#      (wakeup to running) was largest, with the task and CPU.
# `perf sched record` is used, not `perf record -e sched:sched_switch`: the latency report takes
# runtime from sched:sched_stat_runtime, which a sched_switch-only recording lacks (it reports
# 0.000 ms runtime for every task; RUNBOOK.md, "forensics", shows the command).
# Needs root (or perf_event_paranoid <= 0 and tracefs access). The perf.data stays in DIR.
set -euo pipefail

secs=10 workers=4 bin="" dir=""
while getopts "s:w:b:o:h" opt; do
	case $opt in
	s) secs=$OPTARG ;;
	w) workers=$OPTARG ;;
	b) bin=$OPTARG ;;
	o) dir=$OPTARG ;;
	h) sed -n '2,16p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || { echo "sched-latency.sh: -s wants a positive number of seconds" >&2; exit 2; }
[[ $workers =~ ^[0-9]+$ && $workers -gt 0 ]] || { echo "sched-latency.sh: -w wants a positive count" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z $bin ]]; then
	bin=$here/../bin/forensics
fi
[[ -x $bin ]] || { echo "sched-latency.sh: $bin: not an executable (run make build, or pass -b)" >&2; exit 2; }
command -v perf >/dev/null || { echo "sched-latency.sh: perf not found (Debian: linux-perf)" >&2; exit 2; }
if [[ -z $dir ]]; then
	dir=$(mktemp -d /tmp/sched-latency.XXXXXX)
fi
mkdir -p "$dir"
data=$dir/perf.data
comm=$(basename "$bin" | cut -c1-15) # the kernel keeps 15 bytes of comm

echo "== perf sched record -o $data -- $bin spawn -workers $workers -duration ${secs}s"
perf sched record -o "$data" -- "$bin" spawn -workers "$workers" -duration "${secs}s" -interval "${secs}s" \
	>"$dir/spawn.out" 2>"$dir/perf-record.err" || { cat "$dir/perf-record.err" >&2; exit 1; }
grep -E 'reaped|left:' "$dir/spawn.out" || true
tail -1 "$dir/perf-record.err"

echo
echo "== perf sched latency --pids --sort max: the $comm threads (TIDs of parent and workers), worst 20"
perf sched latency -i "$data" --pids --sort max 2>/dev/null >"$dir/latency.txt"
ours=$(grep -E "^ +$comm:[0-9]+ " "$dir/latency.txt" || true)
[[ -n $ours ]] || { echo "sched-latency.sh: no $comm task in the latency report ($dir/latency.txt)" >&2; exit 1; }
sed -n '2,4p' "$dir/latency.txt"
sed -n '1,20p' <<<"$ours"
echo "   ($(wc -l <<<"$ours") $comm threads in all; full report: $dir/latency.txt)"

echo
echo "== top 10 wakeup latencies of the $comm threads (perf sched timehist; sch delay = runnable until running, ms)"
printf '%15s  %-6s %-34s %10s %10s %10s\n' time cpu "task[tid/pid]" wait sch_delay run_time
perf sched timehist -i "$data" 2>/dev/null >"$dir/timehist.txt"
awk -v c="$comm[" 'NR > 3 && NF >= 6 && index($3, c) == 1 { print }' "$dir/timehist.txt" | sort -k5,5 -g -r >"$dir/wakeups.txt"
head -10 "$dir/wakeups.txt" | awk '{ printf "%15s  %-6s %-34s %10s %10s %10s\n", $1, $2, $3, $4, $5, $6 }'
echo
echo "perf.data and the spawn output are in $dir"
