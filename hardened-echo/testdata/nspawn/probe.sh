#!/bin/bash
# Runs inside the booted container as root (hardened-echo-probe.service). Writes key=value lines
# to /srv/evidence/evidence.txt and whole command outputs next to it; the Go test asserts on them.
# Ends with poweroff whatever happened, so the test waits on the container's exit.
set -u
out=/srv/evidence
ev=$out/evidence.txt
trap 'echo "done=1" >>"$ev"; systemctl poweroff --no-block' EXIT
rec() { printf '%s=%s\n' "$1" "$2" >>"$ev"; }

rec system_state "$(systemctl is-system-running --wait 2>&1)"

# Echo through the passed sockets. The first connection starts hardened-echo.service.
if exec 3<>/dev/tcp/127.0.0.1/7; then
	printf 'hello over tcp\n' >&3
	IFS= read -r -t 10 line <&3 && rec tcp_echo "$line"
	exec 3>&-
fi
# bash reads a socket one byte at a time, and the first 1-byte recv(2) would drop the rest of the
# datagram: dd reads it whole, with a buffer larger than the datagram.
if exec 4<>/dev/udp/127.0.0.1/7; then
	printf 'hello over udp\n' >&4
	rec udp_echo "$(timeout 10 dd bs=65536 count=1 status=none <&4)"
	exec 4>&-
fi

unit=hardened-echo.service
pid=$(systemctl show -P MainPID "$unit")
rec active_state "$(systemctl show -P ActiveState "$unit")"
rec main_pid "$pid"
rec status_text "$(systemctl show -P StatusText "$unit")"
rec watchdog_usec "$(systemctl show -P WatchdogUSec "$unit")"

# Credentials, capabilities, no_new_privs and seccomp mode of the live process.
for f in Uid Gid CapEff CapPrm CapBnd CapAmb NoNewPrivs Seccomp Seccomp_filters; do
	rec "status_$f" "$(awk -v k="$f:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$pid/status")"
done
uid=$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")
gid=$(awk '$1 == "Gid:" { print $2 }' "/proc/$pid/status")
# The dynamic user's name: PID 1 keeps the allocation under /run/systemd/dynamic-uid (the image
# has no libnss-systemd, so getent cannot resolve it).
rec dynamic_user "$(ls /run/systemd/dynamic-uid | grep -v '^direct:' | while read -r f; do
	[ "$(readlink "/run/systemd/dynamic-uid/$f")" = "$uid" ] && echo "$f"; done)"
rec dynamic_uid_file "$(ls /run/systemd/dynamic-uid | tr '\n' ' ')"

# Its mount namespace, reached through /proc/PID/root (nsenter cannot run anything in there:
# NoExecPaths=/ makes every file non-executable, so exec fails with EACCES, shown below).
rec proc_mount "$(awk '$5 == "/proc" { print $6, $NF }' "/proc/$pid/mountinfo" | tail -n 1)"
rec root_mount "$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo" | tail -n 1)"
rec etc_write "$(touch "/proc/$pid/root/etc/hardened-echo-probe" 2>&1)"
rec exec_in_ns "$(nsenter -t "$pid" -m -- /usr/bin/true 2>&1)"
# What the service's user sees in its /proc (hidepid=invisible): only processes it may ptrace.
rec proc_visible "$(setpriv --reuid="$uid" --regid="$gid" --clear-groups \
	ls "/proc/$pid/root/proc" | grep -E '^[0-9]+$' | tr '\n' ' ')"
rec proc_visible_root "$(ls "/proc/$pid/root/proc" | grep -cE '^[0-9]+$')"

# Its network namespace: interfaces, and that it is not the container's.
rec netns_ifaces "$(nsenter -t "$pid" -n -- awk -F: 'NR > 2 { gsub(/ /, "", $1); printf "%s ", $1 }' /proc/net/dev)"
rec netns_private "$([ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/1/ns/net)" ] && echo yes || echo no)"

# The online score, from the running manager.
systemd-analyze security --no-pager "$unit" >"$out/security-online.txt" 2>&1
rec security_online "$(grep -o 'Overall exposure level.*' "$out/security-online.txt")"

# IPAddressDeny= needs the cgroup/skb BPF firewall: does this manager have it? A transient unit
# with IPAddressDeny=any tries to reach the echo socket; it connects only if nothing is enforced.
if systemd-run --quiet --wait --pipe -p IPAddressDeny=any \
	bash -c 'exec 5<>/dev/tcp/127.0.0.1/7' >"$out/ipdeny.txt" 2>&1; then
	rec ipaddressdeny_enforced no
else
	rec ipaddressdeny_enforced yes
fi
rec bpf_firewall_log "$(journalctl -b --no-pager -o cat | grep -m1 -i 'bpf firewall' || true)"

journalctl -b --no-pager -u "$unit" -o short-monotonic >"$out/journal.txt" 2>&1
# The service's own lines carry the priority of their <N> prefix (JOURNAL_STREAM is set).
rec journal_ready_priority "$(journalctl -b --no-pager _PID="$pid" MESSAGE=ready -o verbose | awk -F= '/PRIORITY=/ { print $2 }')"

# The boot trace for the RUNBOOK.
systemd-analyze time >"$out/boot-time.txt" 2>&1
systemd-analyze blame --no-pager >"$out/boot-blame.txt" 2>&1
systemd-analyze critical-chain --no-pager >"$out/boot-critical-chain.txt" 2>&1
systemd-analyze plot >"$out/boot.svg" 2>/dev/null
