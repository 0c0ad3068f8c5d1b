//go:build !linux

// echo-load reads /proc (MemAvailable, the server's CPU and RSS). On any other GOOS the build
// stops here, on the undefined name below, which is the message.
package main

var _ = echo_load_builds_on_Linux_only
