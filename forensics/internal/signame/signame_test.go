package signame

import (
	"os"
	"os/exec"
	"regexp"
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
		{32, "SIG32", "SIGRTMIN"}, {33, "SIG33", "SIGRT_1"}, {34, "SIGRTMIN", "SIGRT_2"},
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

// TestStraceMatchesStrace holds Strace to strace's own names: a python3 process sends every
// real-time signal to a pid that cannot exist (kill fails with ESRCH, nothing is delivered) and
// strace prints each kill(2) with the signal's name.
func TestStraceMatchesStrace(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("KF_NO_SKIP") == "1" {
			t.Fatalf("strace: %v (.ci/deps installs it)", err)
		}
		t.Skipf("strace: %v (.ci/deps installs it)", err)
	}
	script := "import os\n" +
		"for n in range(32, 65):\n" +
		"    try: os.kill(1 << 30, n)\n" +
		"    except ProcessLookupError: pass\n"
	out, err := exec.Command(strace, "-e", "trace=kill", "-o", "/dev/stdout", "/usr/bin/python3", "-c", script).Output()
	if err != nil {
		t.Fatalf("strace python3: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`(?m)^kill\(\d+, (\w+)\)`)
	m := re.FindAllStringSubmatch(string(out), -1)
	if len(m) != 33 {
		t.Fatalf("strace printed %d kill lines, want 33:\n%s", len(m), out)
	}
	for i, mm := range m {
		if got := Strace(32 + i); got != mm[1] {
			t.Errorf("Strace(%d) = %q, strace says %q", 32+i, got, mm[1])
		}
	}
}
