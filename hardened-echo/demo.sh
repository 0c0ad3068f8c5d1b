#!/usr/bin/env bash
# demo.sh: one TCP and one UDP round trip through hardened-echo on free loopback ports, then a
# graceful stop. Called by `make -C hardened-echo demo` (BIN= the directory holding the binary).
set -euo pipefail
bin=${BIN:-../bin}/hardened-echo

coproc SRV { exec "$bin" -listen 127.0.0.1:0 -udp 127.0.0.1:0 2>&1; }
# bash unsets SRV and SRV_PID once the process is reaped: keep our own copies.
srv_pid=$SRV_PID
exec {srv}<&"${SRV[0]}"
trap 'kill "$srv_pid" 2>/dev/null || true' EXIT
echo "\$ $bin -listen 127.0.0.1:0 -udp 127.0.0.1:0 &"
# Readiness: the server logs its addresses, then "ready" once it serves.
while IFS= read -r line <&"$srv"; do
	echo "  $line"
	case $line in
	"info: listening on tcp "*) tcp=${line##* } ;;
	"info: listening on udp "*) udp=${line##* } ;;
	"info: ready") break ;;
	esac
done

echo "\$ printf 'hello, RFC 862\n' > /dev/tcp/${tcp%:*}/${tcp##*:}   (bash), reading the echo"
exec 3<>"/dev/tcp/${tcp%:*}/${tcp##*:}"
printf 'hello, RFC 862\n' >&3
IFS= read -r reply <&3
exec 3>&-
echo "  tcp echo: $reply"

# One datagram back: dd reads it whole (bash would read byte by byte and drop the rest).
exec 4<>"/dev/udp/${udp%:*}/${udp##*:}"
printf 'a datagram' >&4
reply=$(timeout 5 dd bs=65536 count=1 status=none <&4)
exec 4>&-
echo "  udp echo: $reply"

echo "\$ kill -TERM $srv_pid"
kill -TERM "$srv_pid"
while IFS= read -r line <&"$srv"; do echo "  $line"; done
wait "$srv_pid" && echo "  exit status 0"
trap - EXIT

# The same binary socket-activated, on the TCP port the first run just released: the socket is
# bound by systemd-socket-activate, which execs the server (LISTEN_FDS=1) on the first client.
if command -v systemd-socket-activate >/dev/null; then
	port=${tcp##*:}
	echo
	echo "\$ systemd-socket-activate -l 127.0.0.1:$port --fdname=echo $bin &"
	coproc ACT { exec systemd-socket-activate -l "127.0.0.1:$port" --fdname=echo "$bin" 2>&1; }
	act_pid=$ACT_PID
	exec {act}<&"${ACT[0]}"
	trap 'kill "$act_pid" 2>/dev/null || true' EXIT
	IFS= read -r line <&"$act" && echo "  $line"
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	printf 'hello, socket activation\n' >&3
	while IFS= read -r line <&"$act"; do
		echo "  $line"
		[[ $line == "info: ready" ]] && break
	done
	IFS= read -r reply <&3
	exec 3>&-
	echo "  tcp echo: $reply"
	kill -TERM "$act_pid"
	while IFS= read -r line <&"$act"; do echo "  $line"; done
	wait "$act_pid" && echo "  exit status 0"
	trap - EXIT
fi
