#!/usr/bin/env bash
# demo.sh FORENSICS: the week-4 lab in order, with short durations (make demo-forensics).
# Each step waits for the program's own readiness line before it signals it.
set -euo pipefail
bin=${1:?usage: demo.sh path/to/forensics}
out=$(mktemp -d /tmp/forensics-demo.XXXXXX)
trap 'rm -rf "$out"' EXIT

# wait_for FILE PATTERN: until the program has printed PATTERN (it prints it once it is ready).
wait_for() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.05
	done
	echo "demo: timed out waiting for '$2' in $1" >&2
	cat "$1" >&2
	return 1
}

# Headings in bold on a terminal only: escapes in a log or a pipe are noise.
bold='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() { printf '\n%s=== forensics %s%s\n' "$bold" "$*" "$plain"; }

step "spawn -workers 4 -duration 2s (runs to the end)"
"$bin" spawn -workers 4 -duration 2s -interval 1s

step "spawn -workers 4 -duration 60s, then kill -TERM (forwarded to every worker)"
"$bin" spawn -workers 4 -duration 60s >"$out/spawn" 2>&1 &
pid=$!
wait_for "$out/spawn" "workers ready"
kill -TERM "$pid"
wait "$pid"
cat "$out/spawn"

step "zombies -children 3 -hold 1s"
"$bin" zombies -children 3 -hold 1s

step "supervise -workers 4 -duration 60s, then SIGUSR1 (signalfd), SIGUSR2, SIGTERM (bridge)"
"$bin" supervise -workers 4 -duration 60s >"$out/supervise" 2>&1 &
pid=$!
wait_for "$out/supervise" "supervise: ready"
kill -USR1 "$pid"
wait_for "$out/supervise" "SIGUSR1 from pid"
kill -USR2 "$pid"
wait_for "$out/supervise" "SIGUSR2 from pid"
kill -TERM "$pid"
wait "$pid"
cat "$out/supervise"

step "limits"
"$bin" limits

step "inspect: a supervise process (its mask was set before its runtime started)"
"$bin" supervise -workers 1 -duration 60s >"$out/inspect-target" 2>&1 &
pid=$!
wait_for "$out/inspect-target" "supervise: ready"
"$bin" inspect "$pid"
kill -TERM "$pid"
wait "$pid"

step "perf/sched-latency.sh -s 2"
if command -v perf >/dev/null; then
	"$(dirname "$0")/perf/sched-latency.sh" -s 2 -b "$bin" -o "$out/perf"
	echo "(the demo removes $out when it ends: perf/sched-latency.sh -o DIR keeps perf.data)"
else
	echo "perf not installed (Debian: linux-perf): skipped"
fi
