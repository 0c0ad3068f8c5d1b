// Package eintr holds forensics' one EINTR retry (outside internal/ptrace, whose tracer loop
// handles EINTR where it waits). A small helper each module copies, never shares (STYLE.md).
package eintr

import (
	"errors"
	"syscall"
)

// Retry calls f until it returns something other than EINTR, and returns that. Why a retry is
// needed at all in a Go program: the runtime installs its handlers with SA_RESTART, but some
// calls are never restarted after a handler, whatever the flag (signal(7), "Interruption of
// system calls and library functions by signal handlers": poll, epoll_wait, nanosleep, and
// waitid when the handler runs during the wait), and the runtime signals its own threads all the
// time (SIGURG to preempt goroutines, runtime/preempt.go; SIGPROF when profiling).
func Retry(f func() error) error {
	for {
		if err := f(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
