package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	testHelpers["masked"] = maskedHelper
	testHelpers["hostile"] = hostileHelper
}

// TestInspectGolden runs inspect in-process on the /proc trees copied from live processes
// (internal/proc/testdata, whose README has the copy command) and compares its output with
// their golden files; bad input on the same trees gets its one error and no output.
func TestInspectGolden(t *testing.T) {
	const fixtures = "internal/proc/testdata"
	for _, name := range []string{"bash", "go-supervise"} {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(fixtures, name)
			pid, err := os.ReadFile(filepath.Join(root, "PID"))
			if err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			args := []string{"inspect", "-proc", root, strings.TrimSpace(string(pid))}
			if err := run(context.Background(), args, nil, &out, &errb); err != nil {
				t.Fatalf("run(%q): %v\n%s", args, err, errb.Bytes())
			}
			want, err := os.ReadFile(filepath.Join(fixtures, name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("run(%q) differs from %s.golden (regenerate with go test -update in internal/proc):\n%s", args, name, out.Bytes())
			}
		})
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"pid not in the tree", []string{"inspect", "-proc", fixtures + "/bash", "4242"}, "inspect: no process 4242 in " + fixtures + "/bash"},
		{"not a pid", []string{"inspect", "-proc", fixtures + "/bash", "0"}, `inspect: "0" is not a pid`},
		{"two pids", []string{"inspect", "1", "2"}, "inspect: want exactly one PID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, nil, &out, &errb)
			if err == nil || err.Error() != tt.want {
				t.Errorf("run(%q) = %v, want %q", tt.args, err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("run(%q) wrote %q to stdout, want nothing", tt.args, out.Bytes())
			}
		})
	}
}

// sigRTMin2 is SIGRTMIN+2 as the C libraries count (SIGRTMIN = 34).
const sigRTMin2 = unix.Signal(36)

// TestInspect decodes a helper process whose signal state the test set: SIGHUP and SIGUSR2
// ignored (process-wide), SIGUSR1 and SIGRTMIN+2 blocked on one thread only, and SIGUSR1
// pending on that thread.
func TestInspect(t *testing.T) {
	cmd := helperCommand("masked")
	cmd.Stderr = os.Stderr
	stdin, stdout := startPiped(t, cmd)
	defer func() {
		stdin.Close() // EOF ends the helper
		cmd.Wait()
	}()
	line, err := stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var pid, tid int
	if _, err := fmt.Sscanf(line, "ready pid %d tid %d", &pid, &tid); err != nil {
		t.Fatalf("helper said %q: %v", line, err)
	}

	// inspect only reads /proc: run it in-process, the binary adds nothing here.
	var b, errb bytes.Buffer
	if err := run(context.Background(), []string{"inspect", strconv.Itoa(pid)}, nil, &b, &errb); err != nil {
		t.Fatalf("forensics inspect %d: %v\n%s", pid, err, errb.Bytes())
	}
	out := b.String()
	defer func() {
		if t.Failed() {
			t.Logf("inspect output:\n%s", out)
		}
	}()
	threads := threadSections(out)
	if len(threads) < 2 {
		t.Fatalf("%d thread sections, want the helper's threads", len(threads))
	}
	if !strings.Contains(out, fmt.Sprintf("\n  %-8d %-8d ", pid, pid)) || !strings.Contains(out, "leader (TID == TGID)") {
		t.Errorf("no leader row with TID == TGID == %d", pid)
	}
	if !strings.Contains(out, fmt.Sprintf("\n  %-8d %-8d ", tid, pid)) {
		t.Errorf("no row for thread %d with TGID %d", tid, pid)
	}
	rawBlk := procStatusField(t, fmt.Sprintf("%d/task/%d", pid, tid), "SigBlk")
	for _, c := range []struct{ key, want string }{
		{"SigBlk " + rawBlk, "SIGUSR1"},
		{"SigBlk", "SIGRTMIN+2"},
		{"SigPnd", "SIGUSR1"},
	} {
		if l := field(threads[tid], c.key); !strings.Contains(l, c.want) {
			t.Errorf("thread %d: %q line %q lacks %s", tid, c.key, l, c.want)
		}
	}
	others := 0
	for id, sec := range threads {
		if l := field(sec, "SigIgn"); !strings.Contains(l, "SIGHUP SIGUSR2") {
			t.Errorf("thread %d SigIgn %q: want SIGHUP SIGUSR2 (the disposition is process-wide)", id, l)
		}
		if id != tid && !strings.Contains(field(sec, "SigBlk"), "SIGUSR1") {
			others++
		}
	}
	if others == 0 {
		t.Errorf("every thread blocks SIGUSR1: the mask was meant to be on thread %d only", tid)
	}
	if !strings.Contains(out, fmt.Sprintf(" <- %d ", os.Getpid())) {
		t.Errorf("parent chain does not include the test process %d", os.Getpid())
	}
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^  uid +%d +%d +\d+ +\d+$`, os.Getuid(), os.Geteuid())).MatchString(out) {
		t.Errorf("no uid line for real uid %d, effective %d", os.Getuid(), os.Geteuid())
	}
}

// threadSections splits inspect's per-thread signal blocks by TID.
func threadSections(out string) map[int][]string {
	m := map[int][]string{}
	cur := -1
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "  thread "); ok {
			n, err := strconv.Atoi(rest)
			if err == nil {
				cur = n
				continue
			}
		}
		if cur >= 0 && strings.HasPrefix(l, "    ") {
			m[cur] = append(m[cur], strings.TrimSpace(l))
		} else {
			cur = -1
		}
	}
	return m
}

// field returns the line of a thread section that starts with key.
func field(section []string, key string) string {
	for _, l := range section {
		if strings.HasPrefix(l, key) {
			return l
		}
	}
	return ""
}

// maskedHelper sets known signal state and waits for stdin to close. Ignoring is process-wide
// (SIG_IGN in the shared handler table); blocking is per thread, so the blocking goroutine locks
// its thread and never unlocks it: that thread's mask is no longer the runtime's.
func maskedHelper() int {
	signal.Ignore(syscall.SIGHUP, syscall.SIGUSR2)
	ready := make(chan int)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread is poisoned
		var set unix.Sigset_t
		for _, s := range []unix.Signal{unix.SIGUSR1, sigRTMin2} {
			set.Val[(s-1)/64] |= 1 << (uint(s-1) % 64)
		}
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
			fmt.Fprintln(os.Stderr, "masked:", err)
			os.Exit(1)
		}
		tid := unix.Gettid()
		// Thread-directed, and blocked there: it stays pending in this thread's SigPnd.
		if err := unix.Tgkill(os.Getpid(), tid, unix.SIGUSR1); err != nil {
			fmt.Fprintln(os.Stderr, "masked:", err)
			os.Exit(1)
		}
		ready <- tid
		select {} // keep the thread, locked, for the life of the helper
	}()
	fmt.Printf("ready pid %d tid %d\n", os.Getpid(), <-ready)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// TestInspectHostileNames: a process may name itself anything (here a newline, an escape
// sequence and a backslash, written to its own /proc/self/comm and given in its argv); inspect's
// report keeps one line per item and sends no control character to the terminal.
func TestInspectHostileNames(t *testing.T) {
	cmd := helperCommand("hostile", hostileName)
	cmd.Stderr = os.Stderr
	stdin, stdout := startPiped(t, cmd)
	defer func() {
		stdin.Close() // EOF ends the helper
		cmd.Wait()
	}()
	if line, err := stdout.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"inspect", strconv.Itoa(cmd.Process.Pid)}, nil, &out, &errb); err != nil {
		t.Fatalf("inspect: %v\n%s", err, errb.Bytes())
	}
	report := out.String()
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "INJECTED") {
			t.Errorf("a name broke a line of the report: %q", l)
		}
	}
	if strings.ContainsAny(report, "\x1b\x7f") {
		t.Errorf("the report holds a control character:\n%q", report)
	}
	// The name is 15 bytes, what comm holds: the process line, the thread table and argv.
	for _, want := range []string{`(x\nINJECTED\x1b[2J\\)`, `x\nINJECTED\x1b[2J\\ leader`, `^$ x\nINJECTED\x1b[2J\\`} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

const hostileName = "x\nINJECTED\x1b[2J\\"

// hostileHelper names its thread-group leader hostileName through /proc/self/comm (only a
// process's own threads may write it), says ready, and waits for EOF on stdin.
func hostileHelper() int {
	if err := os.WriteFile("/proc/self/comm", []byte(hostileName), 0); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}
