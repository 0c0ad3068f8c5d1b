//go:build !linux

// forensics is the Linux lab: pidfds, signalfd, epoll, ptrace, prlimit and /proc have no
// equivalent elsewhere. On any other GOOS the build stops here, on the undefined name below,
// which is the message.
package main

var _ = forensics_builds_on_Linux_only
