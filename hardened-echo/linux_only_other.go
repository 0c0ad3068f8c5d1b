//go:build !linux

// hardened-echo is a systemd service: socket activation, sd_notify and the sandbox are Linux's.
// On any other GOOS the build stops here, on the undefined name below, which is the message.
package main

var _ = hardened_echo_builds_on_Linux_only
