package main

import (
	"fmt"
	"os"
	"os/exec"
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
// process plays that role (PID 1 on the course VM, process_api, never reaps orphans) and reports
// every status it collects.
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
