package loop

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The range the kernel clamps a requested slice to (EEVDF, Linux 6.12+): 0.1 ms to 100 ms.
const (
	minSlice = 100 * time.Microsecond
	maxSlice = 100 * time.Millisecond
)

// setSlice asks the EEVDF scheduler for a slice of d for the calling thread. A loop thread runs
// for a few microseconds per wakeup. When a task wakes with a shorter slice than the task running
// on its CPU, the scheduler may cancel the running task's slice protection (RUN_TO_PARITY) and
// switch at once (the PREEMPT_SHORT feature, kernel/sched/fair.c, Linux 6.12); otherwise the
// woken loop waits in the run queue for the default slice (1.4 ms here) to run out. On 2 CPUs
// shared with the load generator, that wait was the tail of the 100-connection latency with two
// loops (README.md, Performance, "Busy-polling and the loop's slice"). For SCHED_OTHER the request is
// sched_attr.sched_runtime, and it needs no privilege. sched_setattr also sets the policy and the
// nice value, so they are read first and written back unchanged: a server started under nice(1)
// or chrt(1) keeps them. A kernel older than 6.12 accepts the call and ignores the runtime, which
// the read-back reports.
func setSlice(d time.Duration) error {
	a, err := unix.SchedGetAttr(0, 0)
	if err != nil {
		return fmt.Errorf("sched_getattr: %w", err)
	}
	if a.Policy == unix.SCHED_DEADLINE {
		return fmt.Errorf("slice %v: the thread runs SCHED_DEADLINE, whose runtime is its budget", d)
	}
	a.Size = uint32(unsafe.Sizeof(*a))
	a.Flags &= unix.SCHED_FLAG_RESET_ON_FORK // without the UTIL_CLAMP flags the clamps stay as they are
	a.Runtime = uint64(d)
	if err := unix.SchedSetAttr(0, a, 0); err != nil {
		return fmt.Errorf("sched_setattr slice %v: %w", d, err)
	}
	if a, err = unix.SchedGetAttr(0, 0); err != nil {
		return fmt.Errorf("sched_getattr: %w", err)
	}
	if a.Runtime != uint64(d) {
		return fmt.Errorf("sched_setattr slice %v: the kernel reports %v (custom slices need Linux 6.12)", d, time.Duration(a.Runtime))
	}
	return nil
}
