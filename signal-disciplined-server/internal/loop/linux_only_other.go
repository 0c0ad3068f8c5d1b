//go:build !linux

// The loop is raw epoll, splice and sched_setattr. On any other GOOS the build stops here, on
// the undefined name below, which is the message.
package loop

var _ = loop_builds_on_Linux_only
