package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSchedLatencyScript runs perf/sched-latency.sh for 2 s and checks that the workers appear in
// both reports, each row labelled with the process and the kind of thread it is.
func TestSchedLatencyScript(t *testing.T) {
	if _, err := exec.LookPath("perf"); err != nil {
		skipf(t, "%v (Debian linux-perf, installed by .ci/deps)", err)
	}
	dir := t.TempDir()
	out, err := exec.Command(filepath.Join("perf", "sched-latency.sh"), "-s", "2", "-w", "2", "-b", binPath, "-o", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("sched-latency.sh: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	for _, c := range []struct {
		pattern string
		min     int
	}{
		{`^spawn: worker \d pid \d+ reaped via waitid\(P_PIDFD\): exited with status 0`, 2},
		// perf sched latency --pids: one row per thread, "comm:tid | runtime ms | switches | ...",
		// then the label: each worker's hashing thread, the parent's main thread.
		{`^ +forensics:\d+ +\| +[0-9.]+ ms \| +\d+ \| avg: +[0-9.]+ ms \| max: +[0-9.]+ ms`, 2},
		{`^ +forensics:\d+ +\|.*\| worker 1, (main and )?hashing thread$`, 1},
		{`^ +forensics:\d+ +\|.*\| worker 2, (main and )?hashing thread$`, 1},
		{`^ +forensics:\d+ +\|.*\| parent, main thread$`, 1},
		// the wakeup table: task[tid/pid] of our threads, labelled
		{`^ +[0-9.]+ +\[\d+\] forensics\[\d+(/\d+)?\] .* (parent|worker \d), (main|hashing|main and hashing|runtime) thread$`, 1},
	} {
		if got := len(matching(lines, c.pattern)); got < c.min {
			t.Errorf("%d lines match %q, want at least %d", got, c.pattern, c.min)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
