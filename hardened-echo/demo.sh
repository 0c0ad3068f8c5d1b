#!/usr/bin/env bash
# demo.sh: one TCP and one UDP round trip through hardened-echo on free loopback ports, then a
# graceful stop. Called by `make -C hardened-echo demo` (BIN= the directory holding the binary).
set -euo pipefail
bin=${BIN:-../bin}/hardened-echo

coproc SRV { exec "$bin" -listen 127.0.0.1:0 -udp 127.0.0.1:0 2>&1; }
trap 'kill "$SRV_PID" 2>/dev/null || true' EXIT
echo "\$ $bin -listen 127.0.0.1:0 -udp 127.0.0.1:0 &"
# Readiness: the server logs its addresses, then "ready" once it serves.
while IFS= read -r line <&"${SRV[0]}"; do
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

echo "\$ kill -TERM $SRV_PID"
kill -TERM "$SRV_PID"
while IFS= read -r line <&"${SRV[0]}"; do echo "  $line"; done
wait "$SRV_PID" && echo "  exit status 0"
trap - EXIT
