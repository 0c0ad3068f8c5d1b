package ptrace

import (
	"testing"
	"time"
)

// TestSpinnerWindow walks the poll window through the cases its comment names.
func TestSpinnerWindow(t *testing.T) {
	us := time.Microsecond
	s := newSpinner(maxSpin, 2)
	steps := []struct {
		gap    time.Duration
		polled bool
		want   time.Duration
	}{
		{3 * us, true, maxSpin},                    // caught: stays at the maximum
		{5 * time.Millisecond, false, maxSpin / 2}, // ran out: halved
		{5 * time.Millisecond, false, maxSpin / 4},
		{5 * time.Millisecond, false, maxSpin / 8},
		{5 * time.Millisecond, false, maxSpin / 16}, // 3.125 us
		{5 * time.Millisecond, false, 0},            // below minSpin: closed
		{5 * time.Millisecond, false, 0},            // closed stays closed on long gaps
		{10 * us, false, 20 * us},                   // a sleep a poll would have covered: twice the gap
		{4 * us, true, 40 * us},                     // caught: doubled
		{4 * us, true, maxSpin},                     // up to the maximum only
	}
	for i, st := range steps {
		s.done(s.window(), st.gap, st.polled)
		if got := s.window(); got != st.want {
			t.Fatalf("step %d (gap %v, polled %v): window %v, want %v", i, st.gap, st.polled, got, st.want)
		}
	}
	if one := newSpinner(maxSpin, 1); one.window() != 0 {
		t.Errorf("one CPU: window %v, want 0 (the tracee needs the CPU the tracer would poll on)", one.window())
	}
}
