//go:build !linux

// On any GOOS but Linux the build stops here, on the undefined name below, which is the message:
// package sigloop wraps Linux system calls.
package sigloop

var _ = forensics_builds_on_Linux_only
