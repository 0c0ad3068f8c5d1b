package signame

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	tests := []struct {
		n            int
		kill, strace string
	}{
		{1, "SIGHUP", "SIGHUP"}, {10, "SIGUSR1", "SIGUSR1"}, {15, "SIGTERM", "SIGTERM"},
		{17, "SIGCHLD", "SIGCHLD"}, {31, "SIGSYS", "SIGSYS"},
		{32, "SIG32", "SIGRT_0"}, {33, "SIG33", "SIGRT_1"}, {34, "SIGRTMIN", "SIGRT_2"},
		{36, "SIGRTMIN+2", "SIGRT_4"}, {37, "SIGRTMIN+3", "SIGRT_5"}, {49, "SIGRTMIN+15", "SIGRT_17"},
		{50, "SIGRTMAX-14", "SIGRT_18"}, {63, "SIGRTMAX-1", "SIGRT_31"}, {64, "SIGRTMAX", "SIGRT_32"},
		{0, "SIG?0", "0"}, {65, "SIG?65", "65"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			if got := Name(tt.n); got != tt.kill {
				t.Errorf("Name(%d) = %q, want %q", tt.n, got, tt.kill)
			}
			if got := Strace(tt.n); got != tt.strace {
				t.Errorf("Strace(%d) = %q, want %q", tt.n, got, tt.strace)
			}
		})
	}
}

// TestNameMatchesKill holds Name to bash's own `kill -l N` for every signal bash names (all but
// 32 and 33, which glibc reserves and bash refuses).
func TestNameMatchesKill(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash: %v", err) // Debian's essential shell: no reason to skip
	}
	for n := 1; n <= 64; n++ {
		if n == 32 || n == 33 {
			continue
		}
		out, err := exec.Command(bash, "-c", "kill -l "+strconv.Itoa(n)).Output()
		if err != nil {
			t.Fatalf("bash -c 'kill -l %d': %v", n, err)
		}
		if got, want := Name(n), "SIG"+strings.TrimSpace(string(out)); got != want {
			t.Errorf("Name(%d) = %q, kill -l says %q", n, got, want)
		}
	}
}
