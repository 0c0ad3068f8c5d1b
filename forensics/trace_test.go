package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// forkingWorkload is deterministic in its syscall counts: the same binaries, the same files, the
// same failures on every run (dash vforks each command and reaps it in its SIGCHLD handler).
const forkingWorkload = `for i in 1 2 3; do /bin/true; cat /etc/hostname >/dev/null; done; ls /nonexistent`

// TestTraceCountsMatchStrace is the acceptance test for -c: the per-syscall calls and errors of
// `forensics trace -f -c` equal those of `strace -f -c` on the same forking workload.
func TestTraceCountsMatchStrace(t *testing.T) {
	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace is not installed (.ci/deps installs it): %v", err)
	}
	dir := t.TempDir()
	run := func(name string, args ...string) map[string][2]int {
		t.Helper()
		out := filepath.Join(dir, name)
		cmd := exec.Command(args[0], append(append(args[1:], "-o", out, "--"), "sh", "-c", forkingWorkload)...)
		stderr, err := cmd.CombinedOutput()
		// ls /nonexistent fails with 2, and both tracers pass the status through.
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("%s: err = %v, want exit status 2\n%s", name, err, stderr)
		}
		text, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return summaryCounts(t, text)
	}
	// The whole trace, a class, and a class through the seccomp filter: the same calls counted.
	for _, opts := range [][]string{
		{"-f", "-c"},
		{"-f", "-c", "-e", "trace=%file"},
		{"-f", "-c", "--seccomp-bpf", "-e", "trace=%process,openat"},
	} {
		want := run("strace", append([]string{stracePath}, opts...)...)
		got := run("forensics", append([]string{binPath, "trace"}, opts...)...)
		for name, w := range want {
			if g := got[name]; g != w {
				t.Errorf("%q: %-16s calls/errors = %d/%d, strace says %d/%d", opts, name, g[0], g[1], w[0], w[1])
			}
		}
		for name, g := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("%q: %-16s calls/errors = %d/%d, strace does not list it", opts, name, g[0], g[1])
			}
		}
		if len(opts) > 2 {
			continue
		}
		if len(got) < 10 {
			t.Fatalf("only %d syscalls counted: %v", len(got), got)
		}
		for _, name := range []string{"execve", "vfork", "wait4", "rt_sigreturn", "openat"} {
			if got[name][0] == 0 {
				t.Errorf("%s not counted: the workload must exercise it", name)
			}
		}
	}
}

func TestTraceExitStatusPassesThrough(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		code   int
		signal syscall.Signal
		last   string
	}{
		{"exit 0", "exit 0", 0, 0, "+++ exited with 0 +++"},
		{"exit 7", "exit 7", 7, 0, "+++ exited with 7 +++"},
		{"exit 255", "exit 255", 255, 0, "+++ exited with 255 +++"},
		{"SIGTERM", "kill -TERM $$", -1, syscall.SIGTERM, "+++ killed by SIGTERM +++"},
		{"SIGKILL", "kill -KILL $$", -1, syscall.SIGKILL, "+++ killed by SIGKILL +++"},
		{"SIGSEGV", "kill -SEGV $$", -1, syscall.SIGSEGV, "+++ killed by SIGSEGV"},
	} {
		// With -o the trace goes to a file, which must be complete (flushed and closed) before
		// the tracer dies of the command's signal or exits with its code.
		for _, toFile := range []bool{false, true} {
			name := tc.name
			if toFile {
				name += " -o FILE"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir() // a core file, if any, lands here
				args := []string{"trace", "--", "sh", "-c", tc.script}
				outPath := filepath.Join(dir, "trace.out")
				if toFile {
					args = append([]string{"trace", "-o", outPath}, args[1:]...)
				}
				cmd := exec.Command(binPath, args...)
				cmd.Dir = dir
				var stderr strings.Builder
				cmd.Stderr = &stderr
				err := cmd.Run()
				ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if tc.signal != 0 {
					if !ws.Signaled() || ws.Signal() != tc.signal {
						t.Errorf("tracer wait status %#x (err %v), want killed by %v", uint32(ws), err, tc.signal)
					}
				} else if !ws.Exited() || ws.ExitStatus() != tc.code {
					t.Errorf("tracer wait status %#x (err %v), want exit %d", uint32(ws), err, tc.code)
				}
				trace := stderr.String()
				if toFile {
					if trace != "" {
						t.Errorf("stderr = %q, want nothing with -o", trace)
					}
					b, err := os.ReadFile(outPath)
					if err != nil {
						t.Fatal(err)
					}
					trace = string(b)
				}
				lines := strings.Split(strings.TrimSpace(trace), "\n")
				if last := lines[len(lines)-1]; !strings.HasPrefix(last, tc.last) {
					t.Errorf("last trace line = %q, want %q", last, tc.last)
				}
			})
		}
	}
}

// TestTraceDecodesArguments checks the strace-shaped lines: the first execve (-s 256: its argv
// strings are not cut at 32 bytes), a path
// read from tracee memory with its flags by name, an errno by name and message, a write buffer,
// and the exit.
func TestTraceDecodesArguments(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-file")
	cmd := exec.Command(binPath, "trace", "-s", "256", "--", "cat", missing)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("cat %s succeeded", missing)
	}
	out := stderr.String()
	for _, want := range []string{
		`execve("`, `", ["cat", "` + missing + `"], 0x`, ` vars */) = 0`,
		`openat(AT_FDCWD, "` + missing + `", O_RDONLY) = -1 ENOENT (No such file or directory)`,
		`openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`,
		`write(2, "cat: `,
		"+++ exited with 1 +++",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace output lacks %q", want)
		}
	}
	// Short calls have their result at column 40, as strace aligns them.
	if want := "exit_group(1)" + strings.Repeat(" ", 26) + " = ?\n"; !strings.Contains(out, want) {
		t.Errorf("trace output lacks %q", want)
	}
	if !strings.HasPrefix(out, `execve("`) {
		t.Errorf("trace does not start with the execve line:\n%.200s", out)
	}
	if t.Failed() {
		t.Logf("trace output:\n%s", out)
	}
}

// TestTraceFollowsForks: with -f every child shows up under its own [pid N]; without it only the
// first process is traced.
func TestTraceFollowsForks(t *testing.T) {
	script := "/bin/true; /bin/true"
	pidRe := regexp.MustCompile(`^\[pid +(\d+)\] `)
	for _, tc := range []struct {
		flags     []string
		pids      int
		trueExecs int
	}{
		{[]string{"-f"}, 3, 2},
		{nil, 1, 0},
	} {
		args := append(append([]string{"trace"}, tc.flags...), "--", "sh", "-c", script)
		out, err := exec.Command(binPath, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("forensics %q: %v\n%s", args, err, out)
		}
		pids := map[string]bool{}
		execs, exits := 0, 0
		for _, ln := range strings.Split(string(out), "\n") {
			if m := pidRe.FindStringSubmatch(ln); m != nil {
				pids[m[1]] = true
			}
			if strings.Contains(ln, `execve("/bin/true", ["/bin/true"]`) {
				execs++
			}
			if strings.Contains(ln, "+++ exited with 0 +++") {
				exits++
			}
		}
		if len(tc.flags) == 0 {
			pids = map[string]bool{"main": true} // no prefix without -f
		}
		if len(pids) != tc.pids || execs != tc.trueExecs || exits != tc.pids {
			t.Errorf("forensics %q: %d pids, %d execs of /bin/true, %d exits; want %d, %d, %d\n%s",
				args, len(pids), execs, exits, tc.pids, tc.trueExecs, tc.pids, out)
		}
	}
}

// lines delivers r's lines on a channel.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	return ch
}

// waitLine returns the first line from ch that contains want, failing the test if the stream
// ends first (or after a generous deadline, so a hung tracer fails instead of hanging the suite).
func waitLine(t *testing.T, ch <-chan string, want string, seen *[]string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ln, ok := <-ch:
			if !ok {
				t.Fatalf("output ended without %q; got:\n%s", want, strings.Join(*seen, "\n"))
			}
			*seen = append(*seen, ln)
			if strings.Contains(ln, want) {
				return ln
			}
		case <-deadline:
			t.Fatalf("no %q after 30s; got:\n%s", want, strings.Join(*seen, "\n"))
		}
	}
}

// waitAttached waits for trace -p's "attached" notice. Attaching to a process that is not a
// descendant needs root (or CAP_SYS_PTRACE) under Yama's default ptrace_scope 1: a refusal is a
// skip with the tracer's own error, anything else a failure.
func waitAttached(t *testing.T, ch <-chan string, seen *[]string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ln, ok := <-ch:
			if !ok {
				t.Fatalf("trace -p ended without attaching:\n%s", strings.Join(*seen, "\n"))
			}
			*seen = append(*seen, ln)
			if strings.Contains(ln, "attached, threads:") {
				return
			}
			if strings.Contains(ln, "operation not permitted") && os.Geteuid() != 0 {
				skipf(t, "trace -p refused: %s (needs root, CAP_SYS_PTRACE or kernel.yama.ptrace_scope=0)", ln)
			}
		case <-deadline:
			t.Fatalf("trace -p did not attach in 30s:\n%s", strings.Join(*seen, "\n"))
		}
	}
}

func tracerPid(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(ln, "TracerPid:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no TracerPid in /proc/%d/status", pid)
	return ""
}

// startPiped starts cmd with its stdin and stdout on pipes, for a victim the test feeds and reads,
// and kills it when the test ends (harmless once the test has waited for it).
func startPiped(t *testing.T, cmd *exec.Cmd) (io.WriteCloser, *bufio.Reader) {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return in, bufio.NewReader(out)
}

// attach starts "forensics trace ARGS" (ARGS naming the victim with -p), returns once the tracer
// reports the attach, and kills it when the test ends. Its stderr comes as lines; seen collects
// those read so far, for failure messages.
func attach(t *testing.T, seen *[]string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	tracer := exec.Command(binPath, append([]string{"trace"}, args...)...)
	stderr, err := tracer.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tracer.Process.Kill() })
	trace := lines(stderr)
	waitAttached(t, trace, seen)
	return tracer, trace
}

// TestTraceAttachDetach: attach to a running process (a cat the test feeds through pipes), see its
// syscalls, detach on SIGINT, and find it running on, untraced.
func TestTraceAttachDetach(t *testing.T) {
	victim := exec.Command("cat")
	in, echoed := startPiped(t, victim)
	roundTrip := func(s string) {
		t.Helper()
		if _, err := io.WriteString(in, s+"\n"); err != nil {
			t.Fatal(err)
		}
		got, err := echoed.ReadString('\n')
		if err != nil || got != s+"\n" {
			t.Fatalf("cat echoed %q, %v; want %q", got, err, s+"\n")
		}
	}
	roundTrip("before")

	var seen []string
	tracer, trace := attach(t, &seen, "-p", strconv.Itoa(victim.Process.Pid))
	// TracerPid names the tracer *thread* (the task that attached), which is one of the tracer
	// process's threads, not necessarily its main one.
	tid := tracerPid(t, victim.Process.Pid)
	if _, err := os.Stat("/proc/" + strconv.Itoa(tracer.Process.Pid) + "/task/" + tid); err != nil {
		t.Errorf("while attached: TracerPid = %s, not a thread of the tracer %d: %v", tid, tracer.Process.Pid, err)
	}

	roundTrip("traced")
	waitLine(t, trace, `write(1, "traced\n", 7`, &seen)

	if err := tracer.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitLine(t, trace, "detached", &seen)
	for range trace {
	}
	if err := tracer.Wait(); err != nil {
		t.Errorf("tracer after SIGINT: %v, want exit 0", err)
	}
	if got := tracerPid(t, victim.Process.Pid); got != "0" {
		t.Errorf("after detach: TracerPid = %s, want 0", got)
	}
	roundTrip("after") // still running, still echoing
	in.Close()
	if err := victim.Wait(); err != nil {
		t.Errorf("cat after detach: %v, want a clean exit", err)
	}
}

// TestTraceGroupStop: a tracee that stops itself stays stopped (PTRACE_LISTEN) until someone
// sends SIGCONT, and then runs on.
func TestTraceGroupStop(t *testing.T) {
	cmd := exec.Command(binPath, "trace", "--", "sh", "-c", `kill -STOP $$; echo resumed`)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	trace := lines(stderr)
	var seen []string
	kill := waitLine(t, trace, ", SIGSTOP)", &seen)
	m := regexp.MustCompile(`kill\((\d+), SIGSTOP\)`).FindStringSubmatch(kill)
	if m == nil {
		t.Fatalf("cannot find the pid in %q", kill)
	}
	pid, _ := strconv.Atoi(m[1])
	waitLine(t, trace, "--- stopped by SIGSTOP ---", &seen)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitLine(t, trace, "+++ exited with 0 +++", &seen)
	for range trace {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("trace: %v", err)
	}
	all := strings.Join(seen, "\n")
	cont, write := strings.Index(all, "--- SIGCONT"), strings.Index(all, `write(1, "resumed\n"`)
	if cont < 0 || write < 0 || write < cont {
		t.Errorf("want SIGCONT delivered before the write of \"resumed\" (the stop must hold); got:\n%s", all)
	}
	if stdout.String() != "resumed\n" {
		t.Errorf("stdout = %q, want %q", stdout.String(), "resumed\n")
	}
}

// TestTraceBadInput: each bad command line is one line on stderr and exit status 1, as strace's,
// and nothing is left traced: kthreadd (pid 2), which no one may trace, still has TracerPid 0.
func TestTraceBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing to trace", nil, "must have PROG [ARGS] or -p PID"},
		{"flags only", []string{"-fc"}, "must have PROG [ARGS] or -p PID"},
		{"both -p and a command", []string{"-p", "1", "--", "true"}, "not both"},
		{"-w without -c", []string{"-w", "--", "true"}, "-w only applies with -c"},
		{"unknown flag", []string{"-K", "true"}, "invalid option -- 'K'"},
		{"unknown flag in a cluster", []string{"-fK", "true"}, "invalid option -- 'K'"},
		{"unknown long flag", []string{"--frobnicate", "true"}, "unrecognized option '--frobnicate'"},
		{"-s -1", []string{"-s", "-1", "true"}, "invalid -s argument: '-1'"},
		{"unknown class", []string{"-e", "trace=%nosuch", "true"}, "invalid system call '%nosuch'"},
		{"unknown call", []string{"--trace=nosuchcall", "true"}, "invalid system call 'nosuchcall'"},
		{"unknown signal", []string{"-e", "signal=SIGFOO", "true"}, "invalid signal 'SIGFOO'"},
		{"unknown status", []string{"-e", "status=weird", "true"}, "invalid status 'weird'"},
		{"missing -o argument", []string{"-o"}, "option requires an argument -- 'o'"},
		{"unknown command", []string{"--", "no-such-command-kf"}, "executable file not found"},
		{"no such pid", []string{"-p", "999999999"}, "no process 999999999"},
		{"bad pid", []string{"-p", "12x"}, "invalid process id: '12x'"},
		{"untraceable pid", []string{"-p", "2"}, "operation not permitted"},
		{"unwritable -o", []string{"-o", "/nonexistent-dir/x", "--", "true"}, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(binPath, append([]string{"trace"}, tc.args...)...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("trace %q: err = %v, want exit status 1\n%s", tc.args, err, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("trace %q said %q, want it to mention %q", tc.args, out, tc.want)
			}
			if n := strings.Count(string(out), "\n"); n != 1 {
				t.Errorf("trace %q printed %d lines, want one:\n%s", tc.args, n, out)
			}
		})
	}
	if got := tracerPid(t, 2); got != "0" {
		t.Errorf("kthreadd's TracerPid = %s after the refused attach, want 0", got)
	}
}

// TestTraceSeccompBPF: with --seccomp-bpf the command runs under a seccomp filter (its own
// /proc/self/status says so: mode 2, one filter) and the trace of -e trace=openat is strace's,
// line for line after normalising pids and addresses.
func TestTraceSeccompBPF(t *testing.T) {
	out, err := exec.Command(binPath, "trace", "-o", "/dev/null", "--seccomp-bpf", "-e", "trace=openat", "--", "grep", "^Seccomp", "/proc/self/status").Output()
	if err != nil {
		t.Fatalf("trace --seccomp-bpf grep: %v", err)
	}
	if !strings.Contains(string(out), "Seccomp:\t2\n") || !strings.Contains(string(out), "Seccomp_filters:\t1\n") {
		t.Errorf("the traced command's status says\n%s\nwant Seccomp: 2 and Seccomp_filters: 1", out)
	}
	plain, err := exec.Command(binPath, "trace", "-o", "/dev/null", "-e", "trace=openat", "--", "grep", "^Seccomp:", "/proc/self/status").Output()
	if err != nil || string(plain) != "Seccomp:\t0\n" {
		t.Errorf("without --seccomp-bpf: %q, %v; want Seccomp: 0", plain, err)
	}

	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace is not installed (.ci/deps installs it): %v", err)
	}
	for _, expr := range []string{"trace=openat", "trace=%process", "trace=execve,exit_group,wait4"} {
		want, got := traceBoth(t, stracePath, []string{"-f", "--seccomp-bpf", "-e", expr}, forkingWorkload)
		if pct, missing, extra := identical(want, got); pct < 95 || len(want) < 5 {
			t.Errorf("--seccomp-bpf -e %s: %.1f%% of %d lines identical to strace's\nstrace only: %q\nforensics only: %q", expr, pct, len(want), missing, extra)
		}
	}
}

// TestTraceClassesMatchStrace: for each class of -e trace=%CLASS, over a few commands of the
// corpus, forensics prints the calls strace prints: the same names as often, and the lines
// identical after normalisation (as the corpus test counts them).
func TestTraceClassesMatchStrace(t *testing.T) {
	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace is not installed (.ci/deps installs it): %v", err)
	}
	scripts := []string{forkingWorkload, "ls -l /etc/hostname /etc/ssl", "echo hello | tr a-z A-Z", "stat /etc/hostname"}
	callName := regexp.MustCompile(`^([a-z0-9_]+)\(`)
	names := func(lines []string) map[string]int {
		m := map[string]int{}
		for _, l := range lines {
			if strings.Contains(l, " = ? ERESTART") {
				continue // a call a signal interrupted, to be restarted: when one lands is the scheduler's choice
			}
			if c := callName.FindStringSubmatch(l); c != nil {
				m[c[1]]++
			}
		}
		return m
	}
	for _, class := range []string{"%file", "%process", "%network", "%signal", "%ipc", "%desc", "%memory", "%creds", "%clock", "%stat", "%lstat", "%fstat", "%%stat", "%statfs", "%%statfs", "%pure", "!%desc"} {
		for _, script := range scripts {
			// Up to three pairs of runs: how many SIGCHLDs a shell receives is the
			// scheduler's choice, run to run, strace's too (two children that exit together
			// give one delivery; the same pipeline gave 1 and 2 rt_sigreturn under each
			// tracer). A tracer that loses or invents calls differs in every pair.
			var errs []string
			for attempt := 0; attempt < 3; attempt++ {
				errs = errs[:0]
				want, got := traceBoth(t, stracePath, []string{"-f", "-e", "trace=" + class}, script)
				wn, gn := names(want), names(got)
				for n, c := range wn {
					if gn[n] != c {
						errs = append(errs, fmt.Sprintf("-e trace=%s, %q: %s %d times, strace %d", class, script, n, gn[n], c))
					}
				}
				for n, c := range gn {
					if _, ok := wn[n]; !ok {
						errs = append(errs, fmt.Sprintf("-e trace=%s, %q: %s %d times, strace never", class, script, n, c))
					}
				}
				// 95% identical; on a short trace one line may differ: which child's SIGCHLD
				// interrupts which call is the scheduler's choice too.
				if pct, missing, extra := identical(want, got); pct < 95 && len(missing) > 1 {
					errs = append(errs, fmt.Sprintf("-e trace=%s, %q: %.1f%% of lines identical to strace's\nstrace only: %q\nforensics only: %q", class, script, pct, missing, extra))
				}
				if len(errs) == 0 {
					break
				}
			}
			for _, e := range errs {
				t.Error(e + " (in each of 3 pairs of runs; the last shown)")
			}
		}
	}
}

// BenchmarkTraceOverhead measures the tracer against strace on the same syscall-heavy workload
// (dd: 2 syscalls per byte), in the same run: wall time per run (ns/op) and the CPU time of the
// tracer and the traced command together (cpu-ms/op); `make bench` prints the ratios.
func BenchmarkTraceOverhead(b *testing.B) {
	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(b, "strace is not installed: %v", err)
	}
	workload := []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=20000", "status=none"}
	for _, bc := range []struct {
		name string
		pre  []string
	}{
		{"untraced", nil},
		{"strace-c", []string{stracePath, "-f", "-c", "-o", "/dev/null", "--"}},
		{"forensics-c", []string{binPath, "trace", "-f", "-c", "-o", "/dev/null", "--"}},
		{"strace-trace", []string{stracePath, "-f", "-o", "/dev/null", "--"}},
		{"forensics-trace", []string{binPath, "trace", "-f", "-o", "/dev/null", "--"}},
		{"strace-seccomp", []string{stracePath, "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", "/dev/null", "--"}},
		{"forensics-seccomp", []string{binPath, "trace", "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", "/dev/null", "--"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			argv := append(append([]string(nil), bc.pre...), workload...)
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				cmd := exec.Command(argv[0], argv[1:]...)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%q: %v\n%s", argv, err, out)
				}
				// user + system time of the tracer and of what it waited for (dd), from wait4.
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
		})
	}
}

func taskTracers(t *testing.T, pid int) map[string]string {
	t.Helper()
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range ents {
		tid, _ := strconv.Atoi(e.Name())
		m[e.Name()] = tracerPid(t, tid)
	}
	return m
}

var (
	threadVictimOnce sync.Once
	threadVictimBin  string
	threadVictimErr  error
)

// threadVictim builds testdata/threadvictim once per test run (a Go program, so multi-threaded).
func threadVictim(t *testing.T) string {
	t.Helper()
	threadVictimOnce.Do(func() {
		threadVictimBin = filepath.Join(filepath.Dir(binPath), "threadvictim")
		build := exec.Command("go", "build", "-o", threadVictimBin, "./testdata/threadvictim")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			threadVictimErr = fmt.Errorf("build threadvictim: %v\n%s", err, out)
		}
	})
	if threadVictimErr != nil {
		t.Fatal(threadVictimErr)
	}
	return threadVictimBin
}

// TestTraceAttachAllThreads: -f -p seizes every thread of a multi-threaded process (a Go program
// with four extra locked threads, built from testdata), and the detach releases every one.
// -f is needed: the attach holds the victim's threads stopped, its runtime may start a new thread
// meanwhile and run the echo there, and without -f (strace -p alike) a thread created after the
// attach is not traced. Without it the test waited in vain for the write of "ping" (1 run in 75
// under load) and could find an untraced thread in the TracerPid check.
func TestTraceAttachAllThreads(t *testing.T) {
	victim := exec.Command(threadVictim(t))
	in, echoed := startPiped(t, victim)
	if ln, err := echoed.ReadString('\n'); err != nil || ln != "ready\n" {
		t.Fatalf("threadvictim said %q, %v", ln, err)
	}
	pid := victim.Process.Pid
	before := taskTracers(t, pid)
	if len(before) < 5 {
		t.Fatalf("threadvictim has %d threads, want at least 5", len(before))
	}

	var seen []string
	tracer, trace := attach(t, &seen, "-f", "-p", strconv.Itoa(pid))
	for tid, tracerTid := range taskTracers(t, pid) {
		if tracerTid == "0" {
			t.Errorf("thread %d/%s is not traced (TracerPid 0)", pid, tid)
		}
	}
	if _, err := io.WriteString(in, "ping\n"); err != nil {
		t.Fatal(err)
	}
	if ln, err := echoed.ReadString('\n'); err != nil || ln != "ping\n" {
		t.Fatalf("traced threadvictim echoed %q, %v", ln, err)
	}
	waitLine(t, trace, `write(1, "ping\n", 5`, &seen) // maybe cut by another thread: "<unfinished ...>"
	if err := tracer.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for range trace {
	}
	if err := tracer.Wait(); err != nil {
		t.Errorf("tracer after SIGINT: %v", err)
	}
	for tid, tracerTid := range taskTracers(t, pid) {
		if tracerTid != "0" {
			t.Errorf("after detach: thread %d/%s still traced by %s", pid, tid, tracerTid)
		}
	}
	if _, err := io.WriteString(in, "pong\n"); err != nil {
		t.Fatal(err)
	}
	if ln, err := echoed.ReadString('\n'); err != nil || ln != "pong\n" {
		t.Fatalf("detached threadvictim echoed %q, %v", ln, err)
	}
	in.Close()
	if err := victim.Wait(); err != nil {
		t.Errorf("threadvictim: %v", err)
	}
}

// TestTraceExecFromThread: with -f, a non-leader thread execs; the kernel kills the other threads
// and gives the execing thread the leader's pid (ptrace(2), "execve(2) under ptrace"). The trace
// must follow the execve into the new image under the pid and end with the program's status.
func TestTraceExecFromThread(t *testing.T) {
	cmd := exec.Command(binPath, "trace", "-f", "--", threadVictim(t), "-exec", "/bin/echo", "hello from a thread")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trace: %v\n%s", err, stderr.String())
	}
	if stdout.String() != "hello from a thread\n" {
		t.Errorf("stdout = %q", stdout.String())
	}
	out := stderr.String()
	// The former thread's notice and the rest come without a [pid N] prefix: the other threads
	// are gone by then, as with strace (checked by hand against strace 6.1).
	m := regexp.MustCompile(`(?m)^\+\+\+ superseded by execve in pid (\d+) \+\+\+\n<\.\.\. execve resumed>\) += 0\n`).FindStringSubmatchIndex(out)
	if m == nil {
		t.Fatalf("no superseded line followed by the execve's end for a non-leader exec:\n%s", out)
	}
	if !strings.HasSuffix(out, "+++ exited with 0 +++\n") {
		t.Errorf("trace does not end with the program's exit")
	}
	if t.Failed() {
		t.Logf("trace:\n%s", out)
	}
}

// TestTraceForwardsSIGTERM: SIGTERM sent to the tracer alone goes to the traced command; the
// command dies of it, and so does the tracer.
func TestTraceForwardsSIGTERM(t *testing.T) {
	cmd := exec.Command(binPath, "trace", "--", "sh", "-c", "echo ready; exec sleep 60")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if ln, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || ln != "ready\n" {
		t.Fatalf("command said %q, %v", ln, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("tracer wait status %#x, want killed by SIGTERM", uint32(ws))
	}
	out := stderr.String()
	for _, want := range []string{
		"--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=" + strconv.Itoa(cmd.Process.Pid) + ",",
		"+++ killed by SIGTERM +++",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

// TestTraceNoSIGCHLDPerStop checks the kernel side of the tracer's SA_NOCLDSTOP (quietSIGCHLD in
// internal/ptrace): perf counts the signal:signal_generate tracepoint in the tracer and its
// tracees while dd makes about 4000 syscalls (8000 syscall-stops). With the runtime's plain
// handler, or with SIG_DFL, each stop generates a SIGCHLD; with SA_NOCLDSTOP only exits and the
// few signals of the two programs' own do. The tracer must also still catch SIGCHLD (SigCgt): the
// flag is added to the runtime's handler, not put in its place.
func TestTraceNoSIGCHLDPerStop(t *testing.T) {
	perf, err := exec.LookPath("perf")
	if err != nil {
		skipf(t, "%v (Debian linux-perf, installed by .ci/deps)", err)
	}
	const syscalls = 2 * 2000 // dd bs=1 count=2000: a read and a write per byte
	out, err := exec.Command(perf, "stat", "-x,", "-e", "signal:signal_generate", "--",
		binPath, "trace", "-f", "-c", "-o", "/dev/null", "--",
		"dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=2000", "status=none").CombinedOutput()
	if err != nil {
		t.Fatalf("perf stat: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^(\d+),[^,]*,signal:signal_generate,`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no signal:signal_generate count in perf's output:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	if n >= syscalls/10 {
		t.Errorf("%d signals generated for %d syscalls under trace: SIGCHLD is sent per ptrace-stop", n, syscalls)
	}

	// While tracing, the runtime's handler is still installed.
	cmd := exec.Command(binPath, "trace", "-o", "/dev/null", "--", "sh", "-c", "echo ready; read x; exit 0")
	in, stdout := startPiped(t, cmd)
	if ln, err := stdout.ReadString('\n'); err != nil || ln != "ready\n" {
		t.Fatalf("command said %q, %v", ln, err)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("trace: %v", err)
	}
	cgt := regexp.MustCompile(`(?m)^SigCgt:\s*([0-9a-f]+)$`).FindSubmatch(status)
	if cgt == nil {
		t.Fatalf("no SigCgt in the tracer's status:\n%s", status)
	}
	mask, err := strconv.ParseUint(string(cgt[1]), 16, 64)
	if err != nil {
		t.Fatal(err)
	}
	if mask&(1<<(syscall.SIGCHLD-1)) == 0 {
		t.Errorf("tracer SigCgt %s: SIGCHLD is not caught while tracing", cgt[1])
	}
}

// yySockets makes a TCP listener, a connection to it and its accepted end, a UNIX listener and a
// connection to it, and an unbound UDP socket, in that order, for -yy.
const yySockets = `exec /usr/bin/python3 -c '
import os, socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.close()
u = socket.socket(socket.AF_UNIX); u.bind("sock"); u.listen(); v = socket.socket(socket.AF_UNIX); v.connect("sock")
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.sendto(b"x", ("127.0.0.1", 9))
os.unlink("sock")
'`

// TestTraceOptionsMatchStrace: the decoding and filtering options print what strace prints with
// the same options (normalised as in the corpus test), and the timing options have strace's
// shape: -v's full structures, -y's paths, -yy's socket endpoints, -x/-xx's hex, -s, -e signal=,
// -z, -Z, -P.
func TestTraceOptionsMatchStrace(t *testing.T) {
	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace is not installed (.ci/deps installs it): %v", err)
	}
	for _, tc := range []struct {
		opts   []string
		script string
	}{
		{[]string{"-v", "-e", "trace=statx,newfstatat,uname,prlimit64,execve"}, "stat -L /etc/hostname; uname -a"},
		{[]string{"-y", "-e", "trace=openat,read,write,close,fadvise64,newfstatat"}, "cat /etc/hostname"},
		{[]string{"-x", "-e", "trace=write"}, `printf 'a\001b\n'`},
		{[]string{"-xx", "-e", "trace=write,read"}, "cat /etc/hostname"},
		{[]string{"-s", "64", "-e", "trace=read,pread64,write"}, "cat /etc/services | head -c 300"},
		{[]string{"-e", "signal=none"}, "trap 'echo got' USR1; kill -USR1 $$"},
		{[]string{"-z"}, "ls /nonexistent /etc/hostname"},
		{[]string{"-Z"}, "ls /nonexistent /etc/hostname"},
		{[]string{"-P", "/etc/hostname"}, "cat /etc/hostname; stat /etc/hostname"},
		{[]string{"-yy", "-e", "trace=%network,close"}, yySockets},
	} {
		want, got := traceBoth(t, stracePath, append([]string{"-f"}, tc.opts...), tc.script)
		if tc.script == yySockets {
			// Inodes and ephemeral ports differ run to run.
			re := regexp.MustCompile(`(:\[|:|htons\()\d{4,}`)
			for _, l := range [][]string{want, got} {
				for i := range l {
					l[i] = re.ReplaceAllString(l[i], "${1}N")
				}
			}
		}
		if pct, missing, extra := identical(want, got); pct < 95 && len(missing) > 1 || len(want) == 0 {
			t.Errorf("%q on %q: %.1f%% of %d lines identical to strace's\nstrace only: %q\nforensics only: %q", tc.opts, tc.script, pct, len(want), missing, extra)
		}
	}
	for _, tc := range []struct {
		flag string
		line string // the shape of a close(3) line
	}{
		{"-t", `^\d\d:\d\d:\d\d close\(3\) += 0$`},
		{"-tt", `^\d\d:\d\d:\d\d\.\d{6} close\(3\) += 0$`},
		{"-ttt", `^\d{10}\.\d{6} close\(3\) += 0$`},
		{"-r", `^ +\d+\.\d{6} close\(3\) += 0$`},
		{"-T", `^close\(3\) += 0 <\d+\.\d{6}>$`},
		{"-ttT", `^\d\d:\d\d:\d\d\.\d{6} close\(3\) += 0 <\d+\.\d{6}>$`},
	} {
		for _, argv := range [][]string{{stracePath}, {binPath, "trace"}} {
			out, err := exec.Command(argv[0], append(argv[1:], tc.flag, "-e", "trace=close", "--", "cat", "/etc/hostname")...).CombinedOutput()
			if err != nil {
				t.Fatalf("%q %s: %v\n%s", argv, tc.flag, err, out)
			}
			if !regexp.MustCompile(`(?m)` + tc.line).Match(out) {
				t.Errorf("%s %s: no line shaped %s in\n%s", argv[0], tc.flag, tc.line, out)
			}
		}
	}
}

// TestTraceAttachSeveral: -p takes a comma list and repeats, as strace's; every process is
// seized (one thread each here), its calls show under its pid, and SIGINT leaves all of them
// running, untraced.
func TestTraceAttachSeveral(t *testing.T) {
	var pids []string
	for i := 0; i < 3; i++ {
		v := exec.Command("sh", "-c", "while :; do sleep 0.1; done")
		if err := v.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Process.Kill(); v.Wait() })
		pids = append(pids, strconv.Itoa(v.Process.Pid))
	}
	var seen []string
	tracer, trace := attach(t, &seen, "-e", "trace=wait4", "-p", pids[0]+","+pids[1], "-p", pids[2])
	for _, p := range pids {
		if !slices.ContainsFunc(seen, func(s string) bool { return s == "trace: process "+p+" attached, threads: 1" }) {
			waitLine(t, trace, "trace: process "+p+" attached, threads: 1", &seen)
		}
	}
	for _, p := range pids {
		waitLine(t, trace, "[pid "+fmt.Sprintf("%5s", p)+"] wait4(", &seen)
	}
	tracer.Process.Signal(syscall.SIGINT)
	if err := tracer.Wait(); err != nil {
		t.Fatalf("trace -p: %v\n%s", err, strings.Join(seen, "\n"))
	}
	for _, p := range pids {
		n, _ := strconv.Atoi(p)
		if got := tracerPid(t, n); got != "0" {
			t.Errorf("pid %s: TracerPid %s after the detach, want 0", p, got)
		}
	}
}

// TestTraceKeepsIgnoredSignals: a command traced from a shell that ignores SIGHUP and SIGINT
// (nohup, a script's `cmd &`) finds them ignored, as it does untraced and under strace: the
// exec helper puts back what trace's own handlers replaced. The command reads its SigIgn.
func TestTraceKeepsIgnoredSignals(t *testing.T) {
	sigIgn := func(prefix string) string {
		t.Helper()
		script := `trap '' HUP INT; exec ` + prefix + ` grep ^SigIgn: /proc/self/status`
		out, err := exec.Command("sh", "-c", script).Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", script, err)
		}
		return string(out)
	}
	want := sigIgn("")
	mask, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(want, "SigIgn:")), 16, 64)
	if err != nil || mask&3 != 3 {
		t.Fatalf("untraced: %q, want SIGHUP and SIGINT ignored (bits 0 and 1)", want)
	}
	if got := sigIgn(binPath + " trace -o /dev/null --"); got != want {
		t.Errorf("traced: %q, untraced %q", got, want)
	}
	if got := sigIgn(binPath + " trace -o /dev/null --seccomp-bpf -e trace=openat --"); got != want {
		t.Errorf("traced with --seccomp-bpf: %q, untraced %q", got, want)
	}
}
