#!/bin/bash
# capture.sh PID DEST: copy what proc.Read needs into DEST/<pid>/...
set -euo pipefail
pid=$1 dest=$2
copy() { local p=$1; mkdir -p "$dest/$p"; for f in stat status cmdline oom_score oom_score_adj limits; do cat /proc/$p/$f > "$dest/$p/$f"; done; }
copy $pid
for t in /proc/$pid/task/*; do tid=${t##*/}; mkdir -p "$dest/$pid/task/$tid"; cat $t/stat > "$dest/$pid/task/$tid/stat"; cat $t/status > "$dest/$pid/task/$tid/status"; done
pp=$(awk '{print $4}' /proc/$pid/stat)
while [ "$pp" -gt 0 ]; do mkdir -p "$dest/$pp"; cat /proc/$pp/stat > "$dest/$pp/stat"; pp=$(awk '{print $4}' /proc/$pp/stat); done
