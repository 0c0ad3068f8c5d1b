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
# STATUS= follows the counters once a second: wait (bounded) for the probe's own traffic to show.
for _ in $(seq 50); do
	case "$(systemctl show -P StatusText "$unit")" in *"1 accepted"*"1 datagrams"*) break ;; esac
	sleep 0.1
done
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
# The dynamic user's name: PID 1 records each allocation as a symlink direct:UID -> NAME under
# /run/systemd/dynamic-uid (the image has no libnss-systemd, so getent cannot resolve it).
rec dynamic_user "$(readlink "/run/systemd/dynamic-uid/direct:$uid")"

# Its mount namespace, reached through /proc/PID/root: nsenter could enter it, but there is
# nothing in there to run.
rec proc_mount "$(awk '$5 == "/proc" { print $6, $NF }' "/proc/$pid/mountinfo" | tail -n 1)"
# The live process's /proc cannot be listed as its UID from outside (/proc/PID/root is refused),
# so show the behaviour on a twin: a transient unit with the same two settings lists /proc.
rec proc_twin_listing "$(systemd-run --quiet --wait --pipe -p DynamicUser=yes -p ProtectProc=invisible \
	-p ProcSubset=pid ls /proc | tr '\n' ' ')"
rec root_mount "$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo" | tail -n 1)"
# RootDirectory=: the service's / holds the binary and mount points, nothing else.
rec root_ls "$(ls -A "/proc/$pid/root" | tr '\n' ' ')"
rec etc_ls "$(ls -A "/proc/$pid/root/etc" 2>&1)"
rec usr_ls "$(ls -A "/proc/$pid/root/usr" 2>&1)"
# Its / is read-only even for root (the directory itself is writable in the container).
rec root_write "$(touch "/proc/$pid/root/probe-was-here" 2>&1)"
rec etc_write "$(touch "/proc/$pid/root/etc/probe-was-here" 2>&1)"
rec dir_write "$(touch /usr/local/lib/hardened-echo/root/probe-was-here 2>&1 && echo ok; rm -f /usr/local/lib/hardened-echo/root/probe-was-here)"
# /dev/shm is writable for the service but noexec; NoExecPaths=/ covers the rest.
rec exec_in_ns "$(nsenter -t "$pid" -m -- /dev/null 2>&1)"

# Its network namespace: interfaces, and that it is not the container's.
rec netns_ifaces "$(nsenter -t "$pid" -n -- awk -F: 'NR > 2 { gsub(/ /, "", $1); printf "%s ", $1 }' /proc/net/dev)"
# lo is up in there: the kernel gives it ::1 only when systemd could set IFF_UP.
rec netns_lo_addr "$(awk '$6 == "lo" { print $1 }' "/proc/$pid/net/if_inet6")"
rec netns_private "$([ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/1/ns/net)" ] && echo yes || echo no)"

# The online score, from the running manager.
systemd-analyze security --no-pager "$unit" >"$out/security-online.txt" 2>&1
rec security_online "$(grep -o 'Overall exposure level.*' "$out/security-online.txt")"

# IPAddressDeny= needs the cgroup/skb BPF firewall in this manager. Two transient units send one
# UDP datagram to the echo socket, one with IPAddressDeny=any: if the filter is attached, its
# send(2) fails with EPERM at once (a dropped TCP SYN would only time out).
send='exec 5<>/dev/udp/127.0.0.1/7 && echo probe >&5'
denied=$(systemd-run --quiet --wait --pipe -p IPAddressDeny=any bash -c "$send" 2>&1)
rec ipdeny_send "rc=$? $denied"
allowed=$(systemd-run --quiet --wait --pipe bash -c "$send" 2>&1)
rec ipallow_send "rc=$? $allowed"
# What PID 1 said about BPF, if anything (it only speaks when it cannot apply IPAddressDeny=).
rec manager_bpf_log "$(journalctl -b --no-pager -o cat _PID=1 | grep -i -m1 'bpf')"

journalctl -b --no-pager -u "$unit" -o short-monotonic >"$out/journal.txt" 2>&1
# The service's own lines carry the priority of their <N> prefix (JOURNAL_STREAM is set).
rec journal_ready_priority "$(journalctl -b --no-pager _PID="$pid" MESSAGE=ready -o verbose | awk -F= '/PRIORITY=/ { print $2 }')"

# The watchdog: PID 1 stamps every WATCHDOG=1 it receives (0 if none ever came).
rec watchdog_timestamp "$(systemctl show -P WatchdogTimestampMonotonic "$unit")"

# The boot trace for the RUNBOOK.
systemd-analyze time >"$out/boot-time.txt" 2>&1
systemd-analyze blame --no-pager >"$out/boot-blame.txt" 2>&1
systemd-analyze critical-chain --no-pager >"$out/boot-critical-chain.txt" 2>&1
systemd-analyze plot >"$out/boot.svg" 2>/dev/null

# Graceful stop: SIGTERM, STOPPING=1, drain, exit 0; systemd records the result.
systemctl stop "$unit"
rec stop_result "$(systemctl show -P Result "$unit")"
rec stop_exit_status "$(systemctl show -P ExecMainStatus "$unit")"
rec stop_log "$(journalctl -b --no-pager _PID="$pid" -o cat | tail -n 1)"

