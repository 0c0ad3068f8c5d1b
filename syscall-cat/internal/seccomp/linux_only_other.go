//go:build !linux || !amd64

// The policy's names resolve to x86-64 Linux syscall numbers. On any other GOOS or GOARCH the
// build stops here, on the undefined name below, which is the message.
package seccomp

var _ = seccomp_builds_on_linux_amd64_only
