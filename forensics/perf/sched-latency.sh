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
# Every row is labelled with what the thread is: "parent" or "worker N" (from spawn's own
# "parent pid"/"worker N pid" lines), then "main thread" (TID = PID), "hashing thread" (a worker
# thread with at least 10% of its process's runtime: Go moves the hashing goroutine between its
# threads, so there may be two; "main and hashing thread" when it is the main one) or "runtime
# thread" (sysmon, GC workers, idle Ms). The TID-to-PID map comes from timehist's task[tid/pid].
# A task of another run (another forensics on the machine) is "other process"; a process the
# parent forked that is not a worker, "child of parent, not a worker".
# `perf sched record` is used, not `perf record -e sched:sched_switch`: the latency report takes
# runtime from sched:sched_stat_runtime, which a sched_switch-only recording lacks (it reports
# 0.000 ms runtime for every task; RUNBOOK.md section 5 shows the command).
# Needs root (or perf_event_paranoid <= 0 and tracefs access). The perf.data stays in DIR.
set -euo pipefail

secs=10 workers=4 bin="" dir=""
while getopts "s:w:b:o:h" opt; do
	case $opt in
	s) secs=$OPTARG ;;
	w) workers=$OPTARG ;;
	b) bin=$OPTARG ;;
	o) dir=$OPTARG ;;
	h) sed -n '2,22p' "$0"; exit 0 ;;
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

perf sched latency -i "$data" --pids --sort max 2>/dev/null >"$dir/latency.txt"
perf sched timehist -i "$data" 2>/dev/null >"$dir/timehist.txt"
ours=$(grep -E "^ +$comm:[0-9]+ " "$dir/latency.txt" || true)
[[ -n $ours ]] || { echo "sched-latency.sh: no $comm task in the latency report ($dir/latency.txt)" >&2; exit 1; }

# labels.txt: "TID label" for every thread of this run, from spawn's lines, timehist's
# task[tid/pid], the fork events (who created a task) and the latency report's runtimes.
perf script -i "$data" -F trace 2>/dev/null | grep -o 'comm=[^ ]* pid=[0-9]* child_comm=[^ ]* child_pid=[0-9]*' >"$dir/forks.txt" || true
awk -v c="$comm" '
	FILENAME == ARGV[1] && /^spawn: parent pid [0-9]+ / { role[$4] = "parent" }
	FILENAME == ARGV[1] && /^spawn: worker [0-9]+ pid [0-9]+ started/ { role[$5] = "worker " $3 }
	FILENAME == ARGV[2] && NR > 3 && index($3, c "[") == 1 {
		split(substr($3, length(c) + 2), id, "[/\\]]"); if (id[2] == "") id[2] = id[1]; tgid[id[1]] = id[2] }
	FILENAME == ARGV[3] { split($2, a, "="); split($4, b, "="); forker[b[2]] = a[2] }
	FILENAME == ARGV[4] && $1 ~ ("^" c ":[0-9]+$") {
		split($1, tt, ":"); rt[tt[2]] = $3 + 0; tids[++n] = tt[2]; if (tgid[tt[2]] != "") sum[tgid[tt[2]]] += $3 }
	END {
		for (i = 1; i <= n; i++) {
			t = tids[i]; p = tgid[t]
			if (p == "" || !(p in role)) {
				f = tgid[forker[t]]
				print t, (f in role) ? "child of " role[f] ", not a worker" : "other process"
				continue
			}
			busy = role[p] != "parent" && rt[t] >= 0.1 * sum[p]
			if (t == p) kind = busy ? "main and hashing thread" : "main thread"
			else kind = busy ? "hashing thread" : "runtime thread"
			print t, role[p] ", " kind
		}
	}' "$dir/spawn.out" "$dir/timehist.txt" "$dir/forks.txt" "$dir/latency.txt" >"$dir/labels.txt"

echo
echo "== perf sched latency --pids --sort max: the $comm threads of this run, labelled, worst first"
printf '  %-21s |%14s |%9s | %-15s | %-15s | %s\n' Task "Runtime ms" Switches "Avg delay ms" "Max delay ms" "thread"
awk -F'|' 'NR == FNR { l = $0; sub(/^[0-9]+ /, "", l); label[$0 + 0] = l; next }
	{ split($1, t, ":"); printf "%s|%s|%s|%s|%s| %s\n", $1, $2, $3, $4, $5, label[t[2] + 0] }' \
	FS=' ' "$dir/labels.txt" FS='|' - <<<"$ours" >"$dir/latency-labelled.txt"
cat "$dir/latency-labelled.txt"
echo "   ($(wc -l <<<"$ours") $comm threads in all: $(awk '{ $1 = ""; sub(/,.*/, ""); print }' "$dir/labels.txt" | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, substr($0, index($0, $2)); s = "; " }'); full report: $dir/latency.txt)"

echo
echo "== top 10 wakeup latencies of the $comm threads (perf sched timehist; sch delay = runnable until running, ms)"
printf '%15s  %-6s %-28s %10s %10s %10s  %s\n' time cpu "task[tid/pid]" wait sch_delay run_time thread
awk -v c="$comm[" 'NR > 3 && NF >= 6 && index($3, c) == 1 { print }' "$dir/timehist.txt" | sort -k5,5 -g -r >"$dir/wakeups.txt"
head -10 "$dir/wakeups.txt" | awk 'NR == FNR { l = $0; sub(/^[0-9]+ /, "", l); label[$1] = l; next }
	{ split($3, id, /[][\/]/); printf "%15s  %-6s %-28s %10s %10s %10s  %s\n", $1, $2, $3, $4, $5, $6, label[id[2]] }' "$dir/labels.txt" -
echo
echo "perf.data, the spawn output and the labelled tables are in $dir"
