#!/usr/bin/env bash
# syscalls.sh SERVER [ARGS...]: the system calls and context switches per echoed message of one
# echo server (signal-disciplined-server, or bench.sh's C and stdlib references) under one load,
# counted with bpftrace on the raw_syscalls and sched_switch tracepoints: counts, which a loaded
# machine does not distort the way it distorts times. The server runs on CPU 0 and echo-load on
# CPU 1 (as bench.sh's PIN=1); after 1 s of warm-up, echo-load sends a fixed number of messages
# (LOAD, default 100 connections of 64 B request/response, COUNT per connection, default 200)
# while bpftrace counts. Needs root and bpftrace; echo-load comes from $BIN (default ../bin).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: syscalls.sh SERVER [ARGS...]" >&2; exit 125; }
cd "$(dirname "$0")"
BIN=${BIN:-../bin}
LOAD=${LOAD:--conns 100 -size 64 -mode reqresp}
COUNT=${COUNT:-200}
tmp=$(mktemp -d)
srv="" bt=""
trap '[ -z "$bt" ] || kill -INT "$bt" 2>/dev/null; [ -z "$srv" ] || kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
taskset -c 0 "$@" -listen 127.0.0.1:0 2>"$tmp/log" &
srv=$!
addr=""
for _ in $(seq 200); do
	addr=$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$tmp/log" | head -1)
	[ -n "$addr" ] && break
	sleep 0.05
done
[ -n "$addr" ] || { echo "syscalls.sh: $1 did not start:" >&2; cat "$tmp/log" >&2; exit 125; }
# shellcheck disable=SC2086 # LOAD is split on purpose
taskset -c 1 "$BIN/echo-load" -addr "$addr" $LOAD -duration 1s >/dev/null
bpftrace -e "tracepoint:raw_syscalls:sys_enter /pid == $srv/ { @sys[args->id] = count(); }
	tracepoint:sched:sched_switch /pid == $srv/ { @switches = count(); }" >"$tmp/bt" 2>&1 &
bt=$!
for _ in $(seq 300); do grep -qs Attaching "$tmp/bt" && break; sleep 0.1; done
sleep 0.3
# shellcheck disable=SC2086
taskset -c 1 "$BIN/echo-load" -addr "$addr" $LOAD -count "$COUNT" -server-pid "$srv" >"$tmp/load"
kill -INT "$bt"
wait "$bt" || true
bt=""
msgs=$(sed -n 's/^result msgs=\([0-9]*\) .*/\1/p' "$tmp/load")
cpu=$(sed -n 's/.* srv_cpu_s=\([0-9.]*\).*/\1/p' "$tmp/load")
echo "$* under echo-load $LOAD -count $COUNT: $msgs messages, $(grep -o 'msgs_per_s=[0-9]*' "$tmp/load"), server CPU $cpu s; load average $(cut -d' ' -f1 /proc/loadavg)"
# ids: x86_64 (0 read, 45 recvfrom, 44 sendto, 232 epoll_wait, 281 epoll_pwait, 275 splice, 24 sched_yield,
# 202 futex, 35 nanosleep, 234 tgkill, 15 rt_sigreturn).
awk -v m="$msgs" 'BEGIN {n["0"]="read"; n["45"]="recvfrom"; n["44"]="sendto"; n["232"]="epoll_wait"; n["281"]="epoll_pwait"; n["275"]="splice";
		n["24"]="sched_yield"; n["202"]="futex"; n["35"]="nanosleep"; n["234"]="tgkill"; n["15"]="rt_sigreturn"; n["1"]="write"; n["20"]="writev"; n["39"]="getpid"; n["54"]="setsockopt"; n["55"]="getsockopt"; n["233"]="epoll_ctl"; n["288"]="accept4"; n["3"]="close"}
	/^@sys\[/ {gsub(/[@\[\]:]/, " "); id = $2; c = $3; if (c / m >= 0.001) printf "  %s %.3f\n", (id in n) ? n[id] : "syscall " id, c / m; t += c}
	/^@switches/ {s = $2}
	END {printf "  all system calls %.3f, context switches %.3f per message\n", t / m, s / m}' "$tmp/bt"
