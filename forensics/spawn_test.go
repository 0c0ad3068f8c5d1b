package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func init() { testHelpers["subreaper"] = subreaperHelper }

// TestSpawnSIGTERM: SIGTERM (or SIGINT) to the parent is forwarded as SIGTERM to every worker,
// each logs it, the parent reaps them all through pidfds and reports each status, and nothing is
// left.
func TestSpawnSIGTERM(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			cmd := exec.Command(binPath, "spawn", "-workers", "4", "-duration", "5m")
			out := startLab(t, cmd)
			out.waitFor(t, `^spawn: all 4 workers ready$`)
			workers := workerPids(t, out.all())
			for pid := range workers {
				checkWorkerFds(t, pid)
			}
			kill(t, cmd.Process.Pid, sig)
			mustExit(t, cmd)
			lines := out.waitEOF(t)

			if len(matching(lines, `^spawn: `+unix.SignalName(sig)+` received: forwarding SIGTERM to 4 workers`)) != 1 {
				t.Errorf("the parent did not report %v and the forwarding", sig)
			}
			got := matching(lines, fmt.Sprintf(`^worker (\d) pid (\d+): received SIGTERM \(from parent %d\)`, cmd.Process.Pid))
			if len(got) != 4 {
				t.Errorf("%d worker lines naming SIGTERM from the parent, want 4", len(got))
			}
			reaped := matching(lines, `^spawn: worker \d pid (\d+) reaped via waitid\(P_PIDFD\): exited with status 0 after SIGTERM`)
			if len(reaped) != 4 {
				t.Errorf("%d exit statuses reported, want 4", len(reaped))
			}
			for _, m := range append(got, reaped...) {
				pid := atoi(t, m[len(m)-1])
				if !workers[pid] {
					t.Errorf("line names pid %d, not a worker (%v)", pid, workers)
				}
			}
			if len(matching(lines, `^spawn: all 4 workers reaped; children of pid \d+ left: none$`)) != 1 {
				t.Errorf("no 'left: none' line from the parent's /proc scan")
			}
			assertGone(t, keys(workers))
		})
	}
}

// TestSpawnSIGKILLParent: the parent dies by SIGKILL; each worker gets SIGTERM from
// PR_SET_PDEATHSIG, logs it and exits. The orphans go to the nearest subreaper: the helper
// process plays that role (PID 1 on the course VM, process_api, reaps orphans only every second
// or two) and reports every status it collects.
func TestSpawnSIGKILLParent(t *testing.T) {
	cmd := helperCommand("subreaper", "spawn", "-workers", "4", "-duration", "5m")
	out := startLab(t, cmd)
	parent := atoi(t, out.waitFor(t, `^spawn: parent pid (\d+) `)[1])
	out.waitFor(t, `^spawn: all 4 workers ready$`)
	workers := workerPids(t, out.all())
	kill(t, parent, syscall.SIGKILL)
	mustExit(t, cmd) // the helper exits once wait4 says ECHILD: every worker reaped
	lines := out.waitEOF(t)

	got := matching(lines, fmt.Sprintf(`^worker \d pid (\d+): received SIGTERM \(parent %d died: PR_SET_PDEATHSIG\)`, parent))
	if len(got) != 4 {
		t.Errorf("%d worker lines naming SIGTERM from the parent-death signal, want 4", len(got))
	}
	if len(matching(lines, fmt.Sprintf(`^subreaper: reaped pid %d: killed by signal 9$`, parent))) != 1 {
		t.Errorf("the subreaper did not report the parent killed by SIGKILL")
	}
	for pid := range workers {
		if len(matching(lines, fmt.Sprintf(`^subreaper: reaped pid %d: exit status 0$`, pid))) != 1 {
			t.Errorf("worker %d: no clean exit reaped by the subreaper", pid)
		}
	}
	assertGone(t, append(keys(workers), parent))
}

// checkWorkerFds: a worker holds its own progress and control pipes as fds 3 and 4, at most one
// pidfd (its own, on its parent) and no descriptor of the parent or of another worker: every fd
// the parent makes is close-on-exec, and only ExtraFiles cross the exec.
func checkWorkerFds(t *testing.T, pid int) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var pipes []string
	pidfds := 0
	for _, e := range entries {
		link, err := os.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue // closed meanwhile
		}
		inherited, _ := os.Readlink("/proc/self/fd/" + e.Name())
		switch {
		case e.Name() == "0" || e.Name() == "1" || e.Name() == "2":
		case inherited == link:
			// The test itself holds it, open without close-on-exec: an fd of whatever started
			// go test, passed down by every exec. Not the parent's doing.
		case strings.HasPrefix(link, "pipe:"):
			pipes = append(pipes, e.Name())
		case link == "anon_inode:[pidfd]":
			pidfds++
		}
	}
	slices.Sort(pipes)
	if !slices.Equal(pipes, []string{"3", "4"}) || pidfds > 1 {
		t.Errorf("worker %d: pipes on fds %v (want 3 4), %d pidfds (want at most 1)", pid, pipes, pidfds)
	}
}

// workerPids collects the pids of the "worker N pid P started" lines.
func workerPids(t *testing.T, lines []string) map[int]bool {
	t.Helper()
	pids := map[int]bool{}
	for _, m := range matching(lines, `^spawn: worker \d+ pid (\d+) started`) {
		pids[atoi(t, m[1])] = true
	}
	if len(pids) != 4 {
		t.Fatalf("%d workers started, want 4", len(pids))
	}
	return pids
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	return out
}

// subreaperHelper becomes a child subreaper (PR_SET_CHILD_SUBREAPER, prctl(2)), runs forensics
// with its arguments, and reaps every process that exits under it, the adopted orphans included,
// until none is left.
func subreaperHelper() int {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "subreaper:", err)
		return 1
	}
	cmd := exec.Command(binPath, os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "subreaper:", err)
		return 1
	}
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.ECHILD {
			return 0
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "subreaper: wait4:", err)
			return 1
		}
		switch {
		case ws.Exited():
			fmt.Printf("subreaper: reaped pid %d: exit status %d\n", pid, ws.ExitStatus())
		case ws.Signaled():
			fmt.Printf("subreaper: reaped pid %d: killed by signal %d\n", pid, ws.Signal())
		}
	}
}
