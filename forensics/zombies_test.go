package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestZombies: during the hold the children are zombies in /proc (read here, independently of
// the program's own report); after SIGTERM ends the hold they are reaped and gone; part 2 shows
// SIG_IGN auto-reaping with ECHILD.
func TestZombies(t *testing.T) {
	cmd := exec.Command(binPath, "zombies", "-children", "3", "-hold", "5m")
	out := startLab(t, cmd)
	out.waitFor(t, `^holding 3 zombies`)
	var kids []int
	for _, m := range matching(out.all(), `^child \d pid (\d+): exited with status \d \(seen with waitid WNOWAIT, not reaped\)$`) {
		kids = append(kids, atoi(t, m[1]))
	}
	if len(kids) != 3 {
		t.Fatalf("%d children reported, want 3", len(kids))
	}
	for _, pid := range kids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatalf("child %d during the hold: %v", pid, err)
		}
		// "pid (comm) Z ppid ...": the state follows the last ')'.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if f[0] != "Z" || f[1] != fmt.Sprint(cmd.Process.Pid) {
			t.Errorf("child %d during the hold: state %s ppid %s, want Z and %d", pid, f[0], f[1], cmd.Process.Pid)
		}
	}
	if got := len(matching(out.all(), `\[forensics\] <defunct>$`)); got != 3 {
		t.Errorf("%d ps <defunct> lines, want 3", got)
	}
	kill(t, cmd.Process.Pid, syscall.SIGTERM)
	mustExit(t, cmd)
	lines := out.waitEOF(t)
	// Part 2's children, auto-reaped under SIG_IGN: no /proc entry, not even a zombie, although
	// nobody waited for them.
	ignored := matching(lines, `^child \d pid (\d+) has exited \(pidfd readable\)$`)
	if len(ignored) != 3 {
		t.Errorf("%d part-2 children reported, want 3", len(ignored))
	}
	for _, m := range ignored {
		kids = append(kids, atoi(t, m[1]))
	}
	assertGone(t, kids)
	for _, want := range []string{
		`^child \d pid \d+ reaped with waitid\(P_PIDFD\): exited with status \d$`,
		`^  /proc/\d+/stat: no such file: the process is gone$`,
		`^  waitid\(P_PIDFD\): waitid: no child processes$`,
	} {
		if got := len(matching(lines, want)); got != 6 && got != 3 {
			t.Errorf("%d lines match %q, want 3 (or 6 for /proc: part 1 and part 2)", got, want)
		}
	}
	// Other ignored signals may be inherited from whatever started the test (GNU make 4.3
	// leaves signals 32 and 33 ignored in its children), so look for SIGCHLD's bit (17) only.
	ign := matching(lines, `^pid \d+: SigIgn ([0-9a-f]{16}) = .*\bSIGCHLD\b`)
	if len(ign) != 1 {
		t.Fatalf("part 2 did not show SIGCHLD in SigIgn")
	}
	mask, err := strconv.ParseUint(ign[0][1], 16, 64)
	if err != nil || mask&(1<<(17-1)) == 0 {
		t.Errorf("part 2 SigIgn line %q: SIGCHLD bit not set (%v)", ign[0][0], err)
	}
}
