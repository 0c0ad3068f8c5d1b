#!/bin/bash
# Runs inside the booted container as root (forensics-drill-probe.service): the week-4 hardening
# drill on the unit as shipped. Writes key=value lines to /srv/evidence/evidence.txt and whole
# command outputs next to it; TestDrillUnderSystemd asserts on them. Ends with poweroff whatever
# happened, so the test waits on the container's exit.
set -u
out=/srv/evidence
ev=$out/evidence.txt
trap 'echo "done=1" >>"$ev"; systemctl poweroff --no-block' EXIT
rec() { printf '%s=%s\n' "$1" "$2" >>"$ev"; }

rec system_state "$(systemctl is-system-running --wait 2>&1)"

# The RUNBOOK's command, typed as written from the repository root (bound at /srv/kf), with the
# binary installed where ExecStart= expects it.
cd /srv/kf || exit 1
systemd-analyze verify forensics/systemd/forensics.service >"$out/verify.txt" 2>&1
rec verify_rc "$?"

systemctl start forensics
pid=$(systemctl show -P MainPID forensics)
rec main_pid "$pid"
# The workers are children of the thread that forked them (spawn's locked thread, not always
# the leader): task/*/children, over every thread. Ready when there are 4 (bounded: 10 s).
children() { cat /proc/"$pid"/task/*/children 2>/dev/null; }
for _ in $(seq 100); do
	[ "$(children | wc -w)" = 4 ] && break
	sleep 0.1
done
rec active_state "$(systemctl show -P ActiveState forensics)"
workers=$(children | tr -s " \n" " ")
rec workers "$workers"
uid=$(awk '/^Uid:/ { print $2 }' /proc/"$pid"/status)
rec main_uid "$uid"
rec unit_nproc "$(systemctl show -P LimitNPROC forensics)"
rec unit_stack "$(systemctl show -P LimitSTACK forensics)"

# The course's check: prlimit -p on the service's main PID. As root it is refused here (this
# machine's root has no CAP_SYS_RESOURCE, and prlimit(2) on another uid's process needs it or
# the same uid), so it is asked again as the service's own dynamic uid.
prlimit -p "$pid" >"$out/prlimit-root.txt" 2>&1
rec prlimit_root_rc "$?"
setpriv --reuid="$uid" --regid="$uid" --clear-groups prlimit -p "$pid" >"$out/prlimit.txt" 2>&1
rec prlimit_rc "$?"
cat /proc/"$pid"/limits >"$out/limits-main.txt"
n=0
for w in $workers; do
	n=$((n + 1))
	cat /proc/"$w"/limits >"$out/limits-worker-$n.txt"
done

systemctl stop forensics
rec stop_result "$(systemctl show -P Result forensics)"
journalctl -u forensics -o cat --no-pager >"$out/journal.txt" 2>&1
