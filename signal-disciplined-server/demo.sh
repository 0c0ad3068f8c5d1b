#!/usr/bin/env bash
# demo.sh BIN: the server's life in one minute: the mask on every thread, signals as epoll
# events with their senders, and a SIGTERM in the middle of a verified load that loses nothing.
set -euo pipefail
BIN=${1:?usage: demo.sh BIN}
log=$(mktemp)
trap 'kill $srv 2>/dev/null || true; rm -f "$log"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "start: re-executes itself once with SIGUSR1, SIGUSR2, SIGRTMIN+1..+30 blocked"
"$BIN/signal-disciplined-server" -listen 127.0.0.1:0 -drain-idle 2s 2>>"$log" &
srv=$!
until grep -q 'listening on' "$log"; do sleep 0.05; done
addr=$(sed -n 's/.*listening on \([0-9.:]*\).*/\1/p' "$log")
cat "$log"
step "SigBlk of every thread of pid $srv (fffffffc00000a00 = USR1, USR2, 35..64)"
grep SigBlk /proc/$srv/task/*/status
step "signals: USR1 (stats), USR2 (per loop), SIGRTMIN+3 and HUP, all handled in the epoll loop"
kill -USR1 $srv; kill -USR2 $srv; kill -RTMIN+3 $srv; kill -HUP $srv
sleep 0.3
tail -n +2 "$log"
: >"$log"
step "SIGTERM while 50 connections pipeline 200,000 verified 1 KiB messages"
"$BIN/echo-load" -addr "$addr" -conns 50 -size 1024 -mode pipeline -count 4000 &
load=$!
sleep 0.5
kill -TERM $srv
# The refusal is only certain once the loop has closed its listener: wait for its line, or a
# connect made in between would still be accepted and served.
for _ in $(seq 200); do grep -q 'stopped accepting' "$log" && break; sleep 0.05; done
echo "(SIGTERM sent and the listener closed; a new connection now gets:)"
"$BIN/echo-load" -addr "$addr" -count 1 2>&1 | sed 's/^/    /' || true
wait $load
wait $srv && echo "server exit status 0"
cat "$log"
