package seccomp

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// victimPath is testdata/victim built static (CGO_ENABLED=0), like syscall-cat itself: the
// filter is only ever installed in that child, never in this test binary.
var victimPath string

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		// go generate: only TestAssembledMatchesPolicy runs, no victim is needed.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "seccomp-victim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	victimPath = filepath.Join(dir, "victim")
	build := exec.Command("go", "build", "-o", victimPath, "./testdata/victim")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build victim: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestVictim(t *testing.T) {
	policy, err := filepath.Abs(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	created := filepath.Join(t.TempDir(), "created")
	cases := []struct {
		name, mode, call string
		sigsys           bool   // must die by SIGSYS
		out              string // else: its report line
	}{
		{"allowed open", "kill", "open-read", false, "ok "},
		{"first timer, netpoller made under the filter", "kill", "first-timer", false, "ok "},
		{"open for writing", "kill", "open-write", true, ""},
		{"open with O_CREAT", "kill", "open-create", true, ""},
		{"socket", "kill", "socket", true, ""},
		{"fork", "kill", "fork", true, ""},
		{"x32 number", "kill", "x32", true, ""},
		{"forbidden on another thread", "kill", "other-thread", true, ""},
		{"x32 in log mode still dies", "log", "x32", true, ""},
		{"socket in log mode", "log", "socket", false, "ok "},
		{"socket in errno mode", "errno", "socket", false, "error operation not permitted"},
		{"fork in errno mode", "errno", "fork", false, "error operation not permitted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(victimPath, policy, c.mode, c.call, created)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if !bytes.HasPrefix(stdout.Bytes(), []byte("installed\n")) {
				t.Fatalf("victim did not install its filter: %v\nstdout %q\nstderr %q", err, stdout.String(), stderr.String())
			}
			report := string(bytes.TrimPrefix(stdout.Bytes(), []byte("installed\n")))
			var ee *exec.ExitError
			if c.sigsys {
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGSYS {
					t.Fatalf("victim %s: %v (report %q), want death by SIGSYS", c.call, err, report)
				}
				if _, err := os.Stat(created); c.call == "open-create" && err == nil {
					t.Errorf("the forbidden openat created %s", created)
				}
				return
			}
			if err != nil {
				t.Fatalf("victim %s: %v\nstderr %q", c.call, err, stderr.String())
			}
			if !bytes.HasPrefix([]byte(report), []byte(c.out)) {
				t.Errorf("victim %s reported %q, want %q...", c.call, report, c.out)
			}
		})
	}
}
