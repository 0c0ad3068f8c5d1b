package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds every wait for a readiness line. It is a safety net against a hung test,
// never a timing assumption: every wait ends on a line the program prints.
const readyTimeout = 2 * time.Minute

// output collects the lines a process (and its children, which share the pipe) writes.
type output struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced at every new line and at EOF
	eof     bool
}

// startLab starts cmd with stdout and stderr on one pipe and collects its lines. The pipe's
// write end is inherited by the workers too, so EOF means every one of them has exited.
func startLab(t *testing.T, cmd *exec.Cmd) *output {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		t.Fatal(err)
	}
	w.Close()
	o := &output{changed: make(chan struct{})}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", strings.Join(cmd.Args, " "), strings.Join(o.all(), "\n"))
		}
	})
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			o.mu.Lock()
			o.lines = append(o.lines, sc.Text())
			close(o.changed)
			o.changed = make(chan struct{})
			o.mu.Unlock()
		}
		o.mu.Lock()
		o.eof = true
		close(o.changed)
		o.mu.Unlock()
	}()
	return o
}

func (o *output) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.lines...)
}

// waitFor blocks until a line matches pattern and returns its submatches.
func (o *output) waitFor(t *testing.T, pattern string) []string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(readyTimeout)
	for seen := 0; ; {
		o.mu.Lock()
		for ; seen < len(o.lines); seen++ {
			if m := re.FindStringSubmatch(o.lines[seen]); m != nil {
				o.mu.Unlock()
				return m
			}
		}
		eof, changed := o.eof, o.changed
		o.mu.Unlock()
		if eof {
			t.Fatalf("output ended without a line matching %q", pattern)
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no line matching %q after %v", pattern, readyTimeout)
		}
	}
}

// waitEOF blocks until every writer of the pipe has closed it.
func (o *output) waitEOF(t *testing.T) []string {
	t.Helper()
	deadline := time.After(readyTimeout)
	for {
		o.mu.Lock()
		eof, changed := o.eof, o.changed
		o.mu.Unlock()
		if eof {
			return o.all()
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("output still open after %v", readyTimeout)
		}
	}
}

// matching returns the submatches of every line that matches pattern.
func matching(lines []string, pattern string) [][]string {
	re := regexp.MustCompile(pattern)
	var out [][]string
	for _, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertGone checks that none of pids exists any more, not even as a zombie, and that no live
// process runs the test's forensics binary.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			t.Errorf("pid %d still exists: %s", pid, b)
		}
	}
	for _, pid := range processesRunning(binPath) {
		t.Errorf("pid %d still runs %s", pid, binPath)
	}
}

// processesRunning scans /proc for processes whose executable is exe.
func processesRunning(exe string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && link == exe {
			pids = append(pids, pid)
		}
	}
	return pids
}

// mustExit waits for cmd and fails unless it exited with status 0.
func mustExit(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
}

func kill(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("kill(%d, %v): %v", pid, sig, err)
	}
}

// procStatusField reads one field of /proc/<path>/status.
func procStatusField(t *testing.T, path, key string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + path + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("/proc/%s/status has no %s", path, key)
	return ""
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"spawn zero workers", []string{"spawn", "-workers", "0"}, "-workers 0"},
		{"spawn bad duration", []string{"spawn", "-duration", "-1s"}, "must be positive"},
		{"spawn extra argument", []string{"spawn", "x"}, `unexpected argument "x"`},
		{"zombies bad flag", []string{"zombies", "-nope"}, "flag provided but not defined"},
		{"supervise zero workers", []string{"supervise", "-workers", "0"}, "-workers 0"},
		{"inspect no pid", []string{"inspect"}, "want exactly one PID"},
		{"inspect not a pid", []string{"inspect", "abc"}, `"abc" is not a pid`},
		{"inspect no such process", []string{"inspect", "2147483647"}, "no process 2147483647"},
		{"limits tiny stack", []string{"limits", "-stack", "1"}, "at least 65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(binPath, tt.args...).CombinedOutput()
			if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != 125 {
				t.Fatalf("forensics %q: %v, want exit status 125 (forensics itself failed)\n%s", tt.args, err, out)
			}
			if n := strings.Count(string(out), "forensics: "); n != 1 {
				t.Errorf("forensics %q printed %d error lines, want 1:\n%s", tt.args, n, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("forensics %q printed %q, want it to contain %q", tt.args, out, tt.want)
			}
		})
	}
}
