package loop

import (
	"testing"
	"time"
)

// TestHolderRule walks the hold decision: none with a few connections, before a rate is known,
// with -coalesce 0, or after a window with a stream in it; a quarter of the active connections'
// events at the measured rate otherwise, capped at -coalesce, and none when even the cap would
// gather fewer than two events.
func TestHolderRule(t *testing.T) {
	us := time.Microsecond
	t0 := time.Unix(0, 0)
	// window: the holder after a 10 ms window in which the loop served events.
	window := func(max time.Duration, events int) holder {
		h := holder{max: max, events: events}
		h.window(t0.Add(activeWindow), t0)
		return h
	}
	for _, tc := range []struct {
		name   string
		h      holder
		active int
		want   time.Duration
	}{
		{"no rate yet", holder{max: 200 * us}, 100, 0},
		{"a few connections", window(200*us, 2000), spinConns, 0},
		{"-coalesce 0", window(0, 2000), 100, 0},
		// 2300 events in 10 ms: 230,000 a second; 25 of them take 108.7 us.
		{"100 connections", window(200*us, 2300), 100, 108695 * time.Nanosecond},
		{"capped", window(200*us, 500), 1000, 200 * us},
		// 50,000 events a second gather 10 in 200 us; 5,000 a second would gather 1.
		{"slow but worth it", window(200*us, 500), 100, 200 * us},
		{"too slow to gather two", window(200*us, 50), 100, 0},
		// 9 connections want 2 events; at 10,000,000 a second that is 0.2 us.
		{"shorter than minHold", window(200*us, 100000), spinConns + 1, 0},
	} {
		if got := tc.h.hold(tc.active); got != tc.want {
			t.Errorf("%s: hold(%d) = %v, want %v", tc.name, tc.active, got, tc.want)
		}
	}

	// A stream in this window or the last: no hold; two quiet windows later, holds again.
	h := window(200*us, 2300)
	h.bulk = true
	if d := h.hold(100); d != 0 {
		t.Errorf("a read filled its buffer in this window, hold %v", d)
	}
	h.events = 2300
	h.window(t0.Add(2*activeWindow), t0.Add(activeWindow))
	if d := h.hold(100); d != 0 {
		t.Errorf("a read filled its buffer in the last window, hold %v", d)
	}
	h.events = 2300
	h.window(t0.Add(3*activeWindow), t0.Add(2*activeWindow))
	if d := h.hold(100); d == 0 {
		t.Error("no hold two windows after the stream")
	}
}
