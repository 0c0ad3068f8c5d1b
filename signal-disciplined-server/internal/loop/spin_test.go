package loop

import (
	"testing"
	"time"
)

// TestSpinnerWindow drives the spin decision through the gaps a loop sees: the window halves when
// a gap outlasts it, closes below minSpin, reopens at twice a short gap slept through, and a
// loop that always finds work never spins.
func TestSpinnerWindow(t *testing.T) {
	us := time.Microsecond
	t0 := time.Unix(0, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	s := newSpinner(100 * us)
	if s.poll(true) || s.empty(at(0), true) {
		t.Fatal("spinning before the first event")
	}
	s.found(at(us))
	if !s.poll(true) {
		t.Fatal("a loop that just had work does not poll first")
	}
	// Work at every poll: no gap, no spin.
	for i := range 5 {
		s.found(at(time.Duration(i) * us))
		if s.spinning {
			t.Fatal("spinning while every poll finds work")
		}
	}
	// A gap of 30 us: spin across it, keep the window.
	if !s.empty(at(10*us), true) || !s.poll(true) {
		t.Fatal("no spin at the start of a gap")
	}
	if !s.empty(at(30*us), true) {
		t.Fatal("spin stopped inside the window")
	}
	s.found(at(40 * us))
	if s.spinning || s.win != 100*us {
		t.Fatalf("after a 30 us gap: spinning %v, window %v, want false, 100us", s.spinning, s.win)
	}
	// One gap outlasts the window: halved; the next spin that covers its gap doubles it back.
	s.empty(at(50*us), true)
	s.empty(at(150*us), true)
	if s.win != 50*us {
		t.Fatalf("window %v after a gap outlasted it, want 50us", s.win)
	}
	s.found(at(400 * us))
	s.found(at(401 * us))
	s.empty(at(402*us), true)
	s.found(at(420 * us))
	if s.win != 100*us {
		t.Fatalf("window %v after a spin covered its gap, want 100us", s.win)
	}
	// Gaps longer than the window: it halves each time, then closes.
	now := 100 * us
	for want := 50 * us; want >= minSpin; want /= 2 {
		s.empty(at(now), true)
		if s.empty(at(now+s.win), true) {
			t.Fatalf("still spinning after the window (%v)", s.win)
		}
		if s.win != want {
			t.Fatalf("window %v after a gap outlasted it, want %v", s.win, want)
		}
		s.found(at(now + 10*time.Millisecond)) // a long sleep: no reason to widen
		now += 20 * time.Millisecond
	}
	for s.win != 0 {
		s.empty(at(now), true)
		s.empty(at(now+s.win), true)
		s.found(at(now + 10*time.Millisecond))
		now += 20 * time.Millisecond
	}
	if s.poll(true) {
		t.Fatal("closed window, yet the loop polls")
	}
	// A short gap slept through: the window reopens at twice it.
	s.empty(at(now), true)
	if s.spinning {
		t.Fatal("spinning with a closed window")
	}
	s.found(at(now + 20*us))
	if s.win != 40*us {
		t.Fatalf("window %v after a 20 us gap slept through, want 40us", s.win)
	}
	// Many connections: no spin, whatever the window, and the window is kept for later.
	s.win = 100 * us
	s.found(at(now))
	if s.poll(false) || s.empty(at(now+us), false) {
		t.Fatal("spinning for a loop with many connections")
	}
	s.empty(at(now+time.Millisecond), false)
	if s.win != 100*us {
		t.Fatalf("window %v after a gap with many connections, want 100us kept", s.win)
	}
	// -spin 0: never.
	off := newSpinner(0)
	off.found(at(0))
	if off.poll(true) || off.empty(at(us), true) {
		t.Fatal("-spin 0 spins")
	}
	off.found(at(5 * us))
	if off.win != 0 {
		t.Fatalf("-spin 0 opened a %v window", off.win)
	}
}
