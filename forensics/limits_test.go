package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestLimits runs the whole drill; each of its /proc checks fails the program on a mismatch.
func TestLimits(t *testing.T) {
	out, err := exec.Command(binPath, "limits", "-nproc", "200", "-stack", "2097152").CombinedOutput()
	if err != nil {
		t.Fatalf("forensics limits: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	for _, c := range []struct {
		pattern string
		n       int
	}{
		{`^   /proc/\d+/limits: Max processes +soft 200 +hard \S+ +ok$`, 2}, // self (hard kept), target
		{`^   /proc/\d+/limits: Max stack size +soft 2097152 +hard unlimited +ok$`, 1},
		{`^   /proc/\d+/limits: Max processes +soft 200 +hard 200 +ok$`, 1},
		{`^   /proc/\d+/limits: Max stack size +soft 2097152 +hard 2097152 +ok$`, 1},
		{`^     NPROC +max number of processes +200 +200 processes$`, 1},
		{`argument list too long$`, 1},
		{`start one more process: fork/exec .*: resource temporarily unavailable$`, 1},
		{`^     runtime: failed to create new OS thread \(have \d+ already; errno=11\)$`, 1},
	} {
		if got := len(matching(lines, c.pattern)); got != c.n {
			t.Errorf("%d lines match %q, want %d", got, c.pattern, c.n)
		}
	}
	if os.Geteuid() == 0 && len(matching(lines, `^   uid 0 is exempt`)) != 1 {
		t.Errorf("as root: no line showing uid 0 exempt from RLIMIT_NPROC")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestServiceUnitLimits starts spawn the way forensics.service does, with the unit's LimitNPROC=
// and LimitSTACK= applied by prlimit(1) and an unprivileged uid (root is exempt from
// RLIMIT_NPROC), and checks the parent and a worker in /proc/<pid>/limits.
func TestServiceUnitLimits(t *testing.T) {
	unit := filepath.Join("systemd", "forensics.service")
	nproc, stack := unitLimit(t, unit, "LimitNPROC"), unitLimit(t, unit, "LimitSTACK")
	for _, tool := range []string{"prlimit", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipf(t, "%v (Debian util-linux)", err)
		}
	}
	if path, err := exec.LookPath("systemd-analyze"); err == nil {
		// verify wants ExecStart= to exist: check a copy pointing at this run's binary.
		b, err := os.ReadFile(unit)
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(t.TempDir(), "forensics.service")
		if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/forensics", binPath)), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, "verify", tmp).CombinedOutput(); err != nil {
			t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
		}
	}
	args := []string{"--reuid=64322", "--regid=64322", "--clear-groups",
		"prlimit", fmt.Sprintf("--nproc=%d:%d", nproc, nproc), fmt.Sprintf("--stack=%d:%d", stack, stack),
		binPath, "spawn", "-workers", "4", "-duration", "5m"}
	if os.Geteuid() != 0 {
		args = args[3:] // no setpriv without root: the limits still show in /proc
	}
	cmd := exec.Command("setpriv", args...)
	if os.Geteuid() != 0 {
		cmd = exec.Command(args[0], args[1:]...)
	}
	out := startLab(t, cmd)
	out.waitFor(t, `^spawn: all 4 workers ready$`)
	parent := cmd.Process.Pid // setpriv and prlimit exec the next program: same pid
	worker := atoi(t, matching(out.all(), `^spawn: worker 1 pid (\d+) started`)[0][1])
	for _, pid := range []int{parent, worker} {
		limits := readLimits(t, pid)
		if got := limits["Max processes"]; got != [2]string{fmt.Sprint(nproc), fmt.Sprint(nproc)} {
			t.Errorf("pid %d Max processes = %v, want %d", pid, got, nproc)
		}
		if got := limits["Max stack size"]; got != [2]string{fmt.Sprint(stack), fmt.Sprint(stack)} {
			t.Errorf("pid %d Max stack size = %v, want %d", pid, got, stack)
		}
	}
	// prlimit(2) on another uid's process needs CAP_SYS_RESOURCE, which root lacks on the course
	// VM: ask as the service's own uid, as an operator would with sudo -u.
	prl := []string{"prlimit", "-p", strconv.Itoa(parent), "--nproc", "--stack"}
	if os.Geteuid() == 0 {
		prl = append([]string{"setpriv", "--reuid=64322", "--regid=64322", "--clear-groups"}, prl...)
	}
	p, err := exec.Command(prl[0], prl[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(prl, " "), err, p)
	}
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^NPROC +max number of processes +%d +%d processes$`, nproc, nproc)).Match(p) {
		t.Errorf("prlimit -p does not show NPROC %d:\n%s", nproc, p)
	}
	t.Logf("prlimit -p %d --nproc --stack:\n%s", parent, p)
	kill(t, parent, syscall.SIGTERM)
	mustExit(t, cmd)
	if got := len(matching(out.waitEOF(t), `exited with status 0 after SIGTERM`)); got != 4 {
		t.Errorf("%d workers exited cleanly under the unit's limits, want 4", got)
	}
}

// unitLimit reads KEY=VALUE from the unit, accepting systemd's K/M/G suffixes (base 1024).
func unitLimit(t *testing.T, path, key string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	re := regexp.MustCompile(`^` + key + `=(\d+)([KMG]?)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			n, err := strconv.ParseUint(m[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n << map[string]uint{"": 0, "K": 10, "M": 20, "G": 30}[m[2]]
		}
	}
	t.Fatalf("%s: no %s=", path, key)
	return 0
}

// readLimits parses /proc/<pid>/limits into name -> {soft, hard}, by the header's columns.
func readLimits(t *testing.T, pid int) map[string][2]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	soft, hard := strings.Index(lines[0], "Soft Limit"), strings.Index(lines[0], "Hard Limit")
	units := strings.Index(lines[0], "Units")
	m := map[string][2]string{}
	for _, l := range lines[1:] {
		if len(l) < units {
			continue
		}
		m[strings.TrimSpace(l[:soft])] = [2]string{strings.TrimSpace(l[soft:hard]), strings.TrimSpace(l[hard:units])}
	}
	return m
}

// TestLimitsAboveHardLimit: a -nproc or -stack above the hard limit is refused before anything
// changes, in one line with status 125, not clamped to the hard limit and then reported as a
// MISMATCH by the /proc check. The hard limits are set for the run by prlimit(1), so the case
// does not depend on the machine's.
func TestLimitsAboveHardLimit(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		skipf(t, "%v (Debian util-linux)", err)
	}
	for _, tc := range []struct {
		name, limit string
		args        []string
		want        string
	}{
		{"nproc", "--nproc=100:100", []string{"-nproc", "101"}, "limits: -nproc 101 is above this process's hard Max processes limit (100)"},
		{"stack", "--stack=1048576:1048576", []string{"-stack", "1048577"}, "limits: -stack 1048577 is above this process's hard Max stack size limit (1048576)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("prlimit", append([]string{tc.limit, binPath, "limits"}, tc.args...)...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.ExitCode() != 125 {
				t.Errorf("prlimit %s forensics limits %q: %v, want exit status 125", tc.limit, tc.args, err)
			}
			if got, want := stderr.String(), "forensics: "+tc.want+": a soft limit cannot exceed it\n"; got != want {
				t.Errorf("stderr = %q, want %q", got, want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing: the refusal comes before step 1", stdout.String())
			}
		})
	}
}
