//go:build linux && amd64

package syscalls

import "testing"

func TestName(t *testing.T) {
	for _, tc := range []struct {
		nr   uint64
		want string
	}{
		{0, "read"},
		{59, "execve"},
		{231, "exit_group"},
		{262, "newfstatat"},
		{435, "clone3"},
		{100000, "syscall_0x186a0"},
	} {
		if got := Name(tc.nr); got != tc.want {
			t.Errorf("Name(%d) = %q, want %q", tc.nr, got, tc.want)
		}
	}
	if nr, ok := Number("wait4"); !ok || nr != 61 {
		t.Errorf("Number(wait4) = %d, %v, want 61, true", nr, ok)
	}
}
