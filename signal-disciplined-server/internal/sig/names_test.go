package sig

import "testing"

func TestName(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{10, "SIGUSR1"}, {13, "SIGPIPE"}, {15, "SIGTERM"}, {34, "SIGRTMIN+0"}, {35, "SIGRTMIN+1"}, {64, "SIGRTMIN+30"}, {33, "signal 33"}, {99, "signal 99"},
	} {
		if got := Name(tc.n); got != tc.want {
			t.Errorf("Name(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestBlockedMask pins the set against the SigBlk value /proc shows for the running server.
func TestBlockedMask(t *testing.T) {
	if got, want := MaskBits(Blocked()), uint64(0xfffffffc00000a00); got != want {
		t.Errorf("MaskBits(Blocked()) = %016x, want %016x", got, want)
	}
	s := Set(Blocked())
	if s.Val[0] != 0xfffffffc00000a00 {
		t.Errorf("Set(Blocked()).Val[0] = %016x", s.Val[0])
	}
	for _, n := range Blocked() {
		if n == SIGTERM || n == SIGINT || n == SIGHUP || n == SIGQUIT || (n >= 32 && n <= 34) {
			t.Errorf("Blocked() holds %s, which the runtime unblocks on every thread", Name(n))
		}
	}
}
