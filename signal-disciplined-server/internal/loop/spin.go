package loop

import "time"

// spinner decides when a loop busy-polls (-spin) instead of sleeping in epoll_pwait, and for how
// long. It spins only across an idle gap: once a wait found nothing ready after the loop had work,
// and only until a poll finds work again (the loop then serves it without having slept, and the
// next gap starts a new spin). A loop that is never idle never spins.
//
// It spins only while the loop serves a few connections (at most spinConns in the last
// activeWindow): then a gap is a client's round trip, and the wakeup a spin saves is most of the
// latency. With many, the loop serves a batch per wakeup anyway, and a spin only adds CPU:
// spinning up to 100 us across every gap at 1000 connections cost 30% more server CPU per
// message (the table), and capped at 10 us it still made 0.88 sched_yield and 1.07
// epoll_pwait calls per message against 0.08 epoll_pwait without it (syscalls.sh, README.md
// "Benchmarks").
//
// The window follows the gaps it measures: a spin that runs out (the gap was longer) halves it,
// down to nothing; a spin that covers its gap doubles it, and a sleep that a short gap ended (one
// a spin of twice its length would have covered) widens it to twice that gap, both up to -spin.
// So a client that pauses between requests, longer than the window, stops costing the server a
// spin per request, and one that answers within microseconds keeps the loop awake.
type spinner struct {
	max time.Duration // -spin; 0: never spin
	win time.Duration // the current window, 0..max

	idle     bool          // a wait found nothing ready since the loop last had work
	since    time.Time     // when the idle gap began
	cur      time.Duration // the window of this gap: win, or none with many connections
	spinning bool          // in the gap and within the window: poll, do not sleep
}

const (
	// minSpin: a window that halves below this is closed; shorter spins cost more polls than
	// the wakeup they could save.
	minSpin = 2 * time.Microsecond
	// spinConns and activeWindow: a loop that served more connections than this in the last
	// window does not spin.
	spinConns    = 8
	activeWindow = 10 * time.Millisecond
)

// newSpinner starts idle: no spin before the first event.
func newSpinner(max time.Duration) spinner { return spinner{max: max, win: max, idle: true} }

// window is the spin a gap gets now. few: the loop serves at most spinConns connections.
func (s *spinner) window(few bool) time.Duration {
	if few {
		return s.win
	}
	return 0
}

// poll says whether the next wait must not sleep: the loop has just had work (the wait tells
// whether a gap begins) or is spinning across one.
func (s *spinner) poll(few bool) bool {
	return s.spinning || !s.idle && s.window(few) >= minSpin
}

// found records a wait that returned work at now.
func (s *spinner) found(now time.Time) {
	if !s.idle {
		return
	}
	gap := now.Sub(s.since)
	switch {
	case s.spinning:
		// The spin covered the gap: double the window back towards -spin, so that one
		// outlier (the peer preempted on its CPU) does not close it for good.
		s.win = min(s.max, 2*s.win)
	case s.max > 0 && gap < s.max:
		// Slept through a gap a spin could have covered: widen the window to twice the gap.
		s.win = min(s.max, max(s.win, 2*gap))
	}
	s.idle, s.spinning = false, false
}

// empty records a wait that found nothing ready at now. It says whether the loop should yield
// the CPU and poll again (it is spinning). few: as for poll.
func (s *spinner) empty(now time.Time, few bool) bool {
	if !s.idle {
		// The gap begins: spin across it if the window is open.
		s.idle, s.since, s.cur = true, now, s.window(few)
		s.spinning = s.cur >= minSpin
		return s.spinning
	}
	if s.spinning && now.Sub(s.since) >= s.cur {
		// The gap outlasted the window: sleep, and try half as long next time.
		s.spinning = false
		if s.win = min(s.win, 2*s.cur) / 2; s.win < minSpin {
			s.win = 0
		}
	}
	return s.spinning
}
