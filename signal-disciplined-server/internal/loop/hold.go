package loop

import "time"

// holder is interrupt coalescing in user space: when a loop serving many connections runs out
// of work, it sleeps a moment (-coalesce at most) before it polls again, so one wakeup serves the
// events that arrived meanwhile instead of each arrival waking it.
//
// Why it pays on this machine: with 1000 connections each epoll_pwait found about one socket
// ready, two in five of them slept, and the context switches were a fifth of the server's CPU per
// message (perf record of both servers; the C server pays the same). A thread that sleeps in
// nanosleep rather than epoll_pwait is also not on the epoll wait queue, so the clients' sends
// need not wake it, and the client, whose CPU bounds the throughput of the many-connection loads,
// no longer pays for those wakeups either.
//
// Not for streams: where a read fills all the room it was given or a send finds the socket
// buffer full (in this 10 ms window or the last), the socket buffers are what limits the flow,
// and a hold would leave them full or empty for its length (100 connections of 64 KiB messages
// lost a fifth of their throughput to a 200 us hold).
//
// The price is latency, so it is bounded twice. A hold lasts as long as the measured event rate
// needs to gather a quarter of the active connections' events, so at least three quarters of
// the requests in flight are on their way to or from the clients (a client left with nothing to
// do would lose throughput), and at most max. With at most spinConns connections (where a
// round trip is the latency, and where the spin belongs) it never holds, nor when the rate is
// too low for a hold of max to gather two events: then it would cost a wakeup and save none.
//
// The rate counts epoll events, not messages: an edge-triggered socket is reported once per wait
// however much arrived, so a hold that gathers several messages on one socket lowers the rate it
// measures and lengthens the next hold. For pipelined loads the hold therefore settles at max,
// which is why max is the bound that matters there.
type holder struct {
	max      time.Duration // -coalesce; 0: never
	events   int           // connection events served in the current activeWindow
	rate     float64       // connection events per second over the last window
	bulk     bool          // in the current window, a read filled the room it had or a send its socket's
	lastBulk bool          // the same in the last window
}

const (
	// holdSlack is the loop thread's timer slack with -coalesce: the kernel may end a sleep up
	// to the thread's slack late, by default 50 us (prctl(2) PR_SET_TIMERSLACK), which is longer
	// than the holds themselves at a few dozen connections. With the default, 32 connections of
	// request and response lost a fifth of their throughput (the clients waited on a hold twice
	// as long as the rule asked for); with 1 us they did not.
	holdSlack = time.Microsecond
	// minHold: a shorter hold is not worth its timer.
	minHold = 5 * time.Microsecond
	// maxCoalesce bounds -coalesce: a hold is a raw nanosleep, which must stay far below the
	// 10 ms after which sysmon preempts a goroutine that has not been rescheduled.
	maxCoalesce = time.Millisecond
)

// window closes the rate window that began at start: events per second over it.
func (h *holder) window(now, start time.Time) {
	if d := now.Sub(start); d > 0 {
		h.rate = float64(h.events) / d.Seconds()
	}
	h.events = 0
	h.lastBulk, h.bulk = h.bulk, false
}

// hold is the sleep before the next poll of a loop that has just had work and found none left,
// serving active connections: 0 for none.
func (h *holder) hold(active int) time.Duration {
	if h.max <= 0 || active <= spinConns || h.rate <= 0 || h.bulk || h.lastBulk {
		return 0
	}
	want := float64(max(2, active/4))
	d := time.Duration(want / h.rate * float64(time.Second))
	if d > h.max {
		d = h.max
		if h.rate*d.Seconds() < 2 {
			return 0
		}
	}
	if d < minHold {
		return 0
	}
	return d
}
