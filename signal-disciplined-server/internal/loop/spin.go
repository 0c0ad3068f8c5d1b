package loop

import "time"

// spinner decides when a loop busy-polls (-spin) instead of sleeping in epoll_pwait, and for how
// long. It spins only across an idle gap: once a wait found nothing ready after the loop had work,
// and only until a poll finds work again (the loop then serves it without having slept, and the
// next gap starts a new spin). A loop that is never idle never spins. The window follows the gaps
// it measures: a spin that runs out (the gap was longer) halves it, down to nothing; a spin that
// covers its gap doubles it, and a sleep that a short gap ended (one a spin of twice its length
// would have covered) widens it to twice that gap, both up to -spin. So a client that pauses between requests, longer than the window, stops costing the
// server a spin per request, and one that answers within microseconds keeps the loop awake.
type spinner struct {
	max time.Duration // -spin; 0: never spin
	win time.Duration // the current window, 0..max

	idle     bool      // a wait found nothing ready since the loop last had work
	since    time.Time // when the idle gap began
	spinning bool      // in the gap and within the window: poll, do not sleep
}

// minSpin: a window that halves below this is closed; shorter spins cost more polls than the
// wakeup they could save.
const minSpin = 2 * time.Microsecond

// newSpinner starts idle: no spin before the first event.
func newSpinner(max time.Duration) spinner { return spinner{max: max, win: max, idle: true} }

// spinConns: a loop spins only while it served at most this many connections in the last
// activeWindow. A spin saves one wakeup per gap and costs the gap in CPU: with one or a few
// clients a gap is a round trip, and the wakeup it saves is most of the latency; with many, the
// loop serves a batch per wakeup anyway, and spinning across every gap between batches cost 30%
// more server CPU per message at 1000 connections (the table, README.md "Benchmarks").
const (
	spinConns    = 8
	activeWindow = 10 * time.Millisecond
)

// poll says whether the next wait must not sleep: the loop has just had work (the wait tells
// whether a gap begins) or is spinning across one. few: the loop serves at most spinConns
// connections.
func (s *spinner) poll(few bool) bool {
	if !few {
		s.spinning = false
		return false
	}
	return s.spinning || !s.idle && s.win >= minSpin
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
// the CPU before it polls again (it is spinning). few: as for poll.
func (s *spinner) empty(now time.Time, few bool) bool {
	if !s.idle {
		// The gap begins: spin across it if the window is open.
		s.idle, s.since = true, now
		s.spinning = few && s.win >= minSpin
		return s.spinning
	}
	if s.spinning && now.Sub(s.since) >= s.win {
		// The gap outlasted the window: sleep, and try half as long next time.
		s.spinning = false
		if s.win /= 2; s.win < minSpin {
			s.win = 0
		}
	}
	return s.spinning
}
