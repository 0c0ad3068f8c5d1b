package spawn

import (
	"os"
	"testing"
)

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// start starts a "worker" that is /bin/true: it ignores the worker arguments and exits at once,
// without a ready line, which is all the error paths need.
func start(t *testing.T, exe string, id int) (*Worker, error) {
	t.Helper()
	return Start(Options{Exe: exe, ID: id, Duration: 1, Stdout: os.Stdout, Stderr: os.Stderr})
}

// TestErrorPathsCloseEveryFD counts /proc/self/fd around the error paths: a Start that fails,
// and Group.Abort with one worker reaped but not reported (its pipe's EOF not yet read, the
// case supervise's loop leaves behind when a handler fails) and one not reaped at all. Close
// stays idempotent.
func TestErrorPathsCloseEveryFD(t *testing.T) {
	// Warm up: os/exec and the runtime open their long-lived descriptors (the netpoller's
	// epoll fd and eventfd) on first use.
	w, err := start(t, "/bin/true", 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Wait(0)
	w.Close()

	before := openFDs(t)
	if _, err := start(t, "/nonexistent/forensics", 1); err == nil {
		t.Fatal("Start of a missing binary succeeded")
	}
	if got := openFDs(t); got != before {
		t.Errorf("a failed Start left %d descriptors open", got-before)
	}

	g := &Group{Print: func(string) {}, Reaped: func(*Tracked, Exit, string) string { return "" }}
	for id := 1; id <= 2; id++ {
		w, err := start(t, "/bin/true", id)
		if err != nil {
			g.Abort()
			t.Fatal(err)
		}
		g.Add(w)
	}
	reaped := g.Workers[0]
	e, _, err := reaped.Wait(0)
	if err := g.Exited(reaped, e, err); err != nil { // no EOF yet: held, not reported
		t.Fatal(err)
	}
	if openFDs(t) == before {
		t.Fatal("the workers hold no descriptors: the test proves nothing")
	}
	g.Abort()
	if got := openFDs(t); got != before {
		t.Errorf("Group.Abort left %d descriptors open", got-before)
	}
	for _, w := range g.Workers {
		if err := w.Close(); err != nil {
			t.Errorf("a second Close of worker %d: %v, want nil", w.ID, err)
		}
	}
}
