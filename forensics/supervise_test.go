package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestSupervise: the mask is blocked in every thread (checked here in /proc), SIGUSR1 is read
// from the signalfd with the sender's pid, SIGTERM arrives through the eventfd bridge, and every
// worker is reaped through its pidfd.
func TestSupervise(t *testing.T) {
	cmd := exec.Command(binPath, "supervise", "-workers", "4", "-duration", "5m")
	out := startLab(t, cmd)
	pid := cmd.Process.Pid // execve keeps the pid through the re-exec
	out.waitFor(t, fmt.Sprintf(`^supervise: ready: pid %d; signalfd \d+ reads SIGUSR1 SIGUSR2`, pid))

	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		blk, err := strconv.ParseUint(procStatusField(t, fmt.Sprintf("%d/task/%s", pid, task.Name()), "SigBlk"), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(1<<(syscall.SIGUSR1-1) | 1<<(syscall.SIGUSR2-1)); blk&want != want {
			t.Errorf("thread %s SigBlk %016x: SIGUSR1/SIGUSR2 not blocked", task.Name(), blk)
		}
	}

	// The descriptors the loop claims to use, as the kernel lists them: one epoll instance, one
	// signalfd, one eventfd and a pidfd per worker (fdinfo's Pid: names the worker it refers to).
	kinds := map[string]int{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	pidfdTargets := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		kinds[link]++
		if link == "anon_inode:[pidfd]" {
			info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if m := regexp.MustCompile(`(?m)^Pid:\s*(\d+)$`).FindSubmatch(info); m != nil {
				pidfdTargets[string(m[1])] = true
			}
		}
	}
	for kind, want := range map[string]int{"anon_inode:[eventpoll]": 1, "anon_inode:[signalfd]": 1, "anon_inode:[eventfd]": 1} {
		if kinds[kind] < want {
			t.Errorf("supervise has %d %s descriptors, want at least %d (fds: %v)", kinds[kind], kind, want, kinds)
		}
	}
	started := matching(out.all(), `^supervise: worker \d pid (\d+) started`)
	if len(started) != 4 {
		t.Fatalf("%d workers started, want 4", len(started))
	}
	for _, m := range started {
		if !pidfdTargets[m[1]] {
			t.Errorf("no pidfd in /proc/%d/fd refers to worker pid %s (pidfds refer to %v)", pid, m[1], pidfdTargets)
		}
	}

	kill(t, pid, syscall.SIGUSR1)
	out.waitFor(t, fmt.Sprintf(`^supervise: SIGUSR1 from pid %d \(uid %d\) read from signalfd$`, os.Getpid(), os.Getuid()))
	out.waitFor(t, `^supervise:   worker 4 pid \d+: cpu [0-9.]+s`)
	kill(t, pid, syscall.SIGTERM)
	mustExit(t, cmd)
	lines := out.waitEOF(t)

	if len(matching(lines, `^supervise: SIGTERM via os/signal, bridged through eventfd \d+$`)) != 1 {
		t.Errorf("SIGTERM did not come through the bridge")
	}
	if got := len(matching(lines, fmt.Sprintf(`^worker \d pid \d+: received SIGTERM \(from parent %d\)`, pid))); got != 4 {
		t.Errorf("%d worker lines naming SIGTERM, want 4", got)
	}
	var workers []int
	for _, m := range matching(lines, `^supervise: worker \d pid (\d+) reaped via pidfd \d+, waitid\(P_PIDFD\): exited with status 0 after SIGTERM`) {
		workers = append(workers, atoi(t, m[1]))
	}
	if len(workers) != 4 {
		t.Errorf("%d workers reaped through pidfds, want 4", len(workers))
	}
	if len(matching(lines, `left: none$`)) != 1 {
		t.Errorf("no 'left: none' line")
	}
	assertGone(t, workers)
}

// TestSuperviseTrySIGCHLD is the experiment behind the design: SIGCHLD blocked across execve and
// put in the signalfd still never reaches it, because the runtime unblocks it on every thread
// (runtime/signal_unix.go minitSignalMask) and its own handler takes each one.
func TestSuperviseTrySIGCHLD(t *testing.T) {
	out, err := exec.Command(binPath, "supervise", "-workers", "4", "-duration", "200ms", "-try-sigchld").CombinedOutput()
	if err != nil {
		t.Fatalf("supervise -try-sigchld: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	m := matching(lines, `^supervise: -try-sigchld: SIGCHLD was blocked across execve too, yet only (\d+) of (\d+) threads block it now`)
	if len(m) != 1 {
		t.Fatalf("no per-thread SIGCHLD mask line\n%s", out)
	}
	if blocking, all := atoi(t, m[0][1]), atoi(t, m[0][2]); blocking >= all {
		t.Errorf("%d of %d threads block SIGCHLD: want some thread with it unblocked", blocking, all)
	}
	for _, want := range []string{
		`^supervise: -try-sigchld: 4 children exited, the signalfd delivered 0 SIGCHLD$`,
		`^supervise: worker \d pid \d+ reaped via pidfd`,
	} {
		if len(matching(lines, want)) == 0 {
			t.Errorf("no line matches %q\n%s", want, out)
		}
	}
}
