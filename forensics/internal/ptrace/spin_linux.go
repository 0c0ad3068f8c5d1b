package ptrace

import (
	"time"

	"golang.org/x/sys/unix"
)

// spinner decides how long the tracer polls for the next stop before it sleeps in wait4.
//
// A tracee that makes system calls back to back stops again a few microseconds after the tracer
// resumes it. If the tracer sleeps meanwhile, every stop costs a wakeup of the tracer thread, and
// on a virtual machine whose other vCPU is idle that wakeup (an interrupt to a halted vCPU, the
// hypervisor's exit and entry) takes longer than the tracee's call: on this project's 2-vCPU VM,
// quiet, `strace -f` of `dd bs=1` spends about 45 us of wall time per stop, most of it waking up.
// Polling with WNOHANG across the gap takes the stop without that, and costs no more CPU than the
// sleep and wakeup it replaces (README.md, "Overhead against strace").
//
// The window follows the gaps: a poll that runs out (the tracee computes, or waits for input)
// halves it, down to nothing; a poll that catches its stop doubles it back towards maxSpin; and a
// sleep ended by a stop that came sooner than maxSpin (so a poll would have caught it) reopens
// it to twice that gap. A tracee that stops seldom (--seccomp-bpf with a narrow filter, a program
// that mostly computes) thus costs a few short polls, then none. With one allowed CPU there is no
// polling at all: the tracee needs the CPU the tracer would spin on.
type spinner struct {
	max time.Duration // 0: never poll
	win time.Duration // the current window, 0..max
}

const (
	// maxSpin: the longest poll, about the wakeup it saves on the quiet VM (measured: fixed
	// windows of 20 us and 50 us cut the traced dd's wall time to 0.64x and 0.55x of none).
	maxSpin = 50 * time.Microsecond
	// minSpin: a window halved below this closes; shorter polls catch almost nothing.
	minSpin = 2 * time.Microsecond
)

func newSpinner(max time.Duration, cpus int) spinner {
	if cpus < 2 {
		max = 0
	}
	return spinner{max: max, win: max}
}

// window is the poll the next wait gets.
func (s *spinner) window() time.Duration { return s.win }

// done records how a wait went: it polled for window, and the stop came after gap, caught by
// the poll (polled) or after a sleep.
func (s *spinner) done(window, gap time.Duration, polled bool) {
	switch {
	case polled && window > 0:
		s.win = min(s.max, 2*s.win)
	case !polled && window > 0:
		// The poll ran out: try half as long next time.
		if s.win = window / 2; s.win < minSpin {
			s.win = 0
		}
	}
	if !polled && gap < s.max {
		// Slept through a gap a poll would have covered (the gap includes the wakeup).
		s.win = min(s.max, max(s.win, 2*gap))
	}
}

// cpusAllowed is the number of CPUs the tracer may run on (its affinity mask), 1 on error.
func cpusAllowed() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 1
	}
	return set.Count()
}
