//go:build !linux

// signal-disciplined-server is built on epoll, signalfd, eventfd and sched_setattr: Linux's.
// On any other GOOS the build stops here, on the undefined name below, which is the message.
package main

var _ = signal_disciplined_server_builds_on_Linux_only
