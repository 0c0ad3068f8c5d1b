package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
	"kernel-foundations/forensics/internal/proc"
	"kernel-foundations/forensics/internal/signame"
	"kernel-foundations/forensics/internal/spawn"
)

// zombiesIgnoreCommand is zombies' hidden entry point: part 2, in a process of its own.
const zombiesIgnoreCommand = "_zombies-sigign"

// runZombies reproduces the classic bug (children exit, the parent does not wait: zombies), shows
// it in /proc and ps, reaps, and then shows in a re-executed child what SIGCHLD set to SIG_IGN does.
func runZombies(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics zombies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	children := fs.Int("children", 3, "number of children that exit at once")
	hold := fs.Duration("hold", 5*time.Second, "how long to leave them unreaped (SIGTERM or Ctrl-C ends the hold)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *children < 1 || *children > 256 {
		return fmt.Errorf("zombies: -children %d: want 1..256", *children)
	}
	if *hold < 0 {
		return fmt.Errorf("zombies: -hold must not be negative")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("zombies: unexpected argument %q", fs.Arg(0))
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("zombies: %w", err)
	}
	// Catch SIGTERM/SIGINT so that ending the hold early still reaps: killed here, the zombies
	// would pass to PID 1, which is then the one to reap them (and on the course VM, PID 1,
	// process_api, does so only every second or two).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	fmt.Fprintf(stdout, "part 1: parent pid %d starts %d children that exit at once, and does not wait for them\n", os.Getpid(), *children)
	kids, err := startExiting(exe, *children)
	defer func() {
		for _, k := range kids {
			k.close()
		}
	}()
	if err != nil {
		return fmt.Errorf("zombies: %w", err)
	}
	pids := make([]int, len(kids))
	for i, k := range kids {
		// WNOWAIT: wait until the child has exited but leave it a zombie.
		e, _, err := spawn.Waitid(k.pidfd, unix.WNOWAIT)
		if err != nil {
			return fmt.Errorf("zombies: child %d: %w", k.pid, err)
		}
		pids[i] = k.pid
		fmt.Fprintf(stdout, "child %d pid %d: %s (seen with waitid WNOWAIT, not reaped)\n", i+1, k.pid, e)
	}
	for _, k := range kids {
		fmt.Fprintf(stdout, "  /proc/%d/stat: %s\n", k.pid, statEvidence(k.pid))
	}
	fmt.Fprintf(stdout, "  ps -ef | grep defunct:\n%s", defunctLines(pids))
	fmt.Fprintf(stdout, "holding %d zombies for %v (kill -TERM %d to end the hold now)\n", len(kids), *hold, os.Getpid())
	timer := time.NewTimer(*hold)
	select {
	case <-timer.C:
	case s := <-sigs:
		timer.Stop()
		fmt.Fprintf(stdout, "%s: ending the hold early\n", signame.Of(s))
	case <-ctx.Done():
		timer.Stop()
	}
	for i, k := range kids {
		e, _, err := spawn.Waitid(k.pidfd, 0)
		if err != nil {
			return fmt.Errorf("zombies: reap %d: %w", k.pid, err)
		}
		fmt.Fprintf(stdout, "child %d pid %d reaped with waitid(P_PIDFD): %s\n", i+1, k.pid, e)
	}
	for _, k := range kids {
		fmt.Fprintf(stdout, "  /proc/%d/stat: %s\n", k.pid, statEvidence(k.pid))
	}
	fmt.Fprintf(stdout, "  ps -ef | grep defunct:\n%s", defunctLines(pids))

	fmt.Fprintf(stdout, "\npart 2: a re-executed child sets SIGCHLD to SIG_IGN (process-wide, so not in this process) and starts %d children\n", *children)
	cmd := exec.CommandContext(ctx, exe, zombiesIgnoreCommand, "-children", strconv.Itoa(*children))
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("zombies: part 2: %w", err)
	}
	return nil
}

// child is a started child that has not been reaped yet.
type child struct {
	pid   int
	pidfd int
	proc  *os.Process
}

func (c child) close() {
	unix.Close(c.pidfd)
	c.proc.Release()
}

// startExiting starts n re-executions of exe that exit at once with status 1..n.
func startExiting(exe string, n int) ([]child, error) {
	var kids []child
	for i := 1; i <= n; i++ {
		pidfd := -1
		cmd := exec.Command(exe, exitCommand, "-code", strconv.Itoa(i))
		cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
		if err := cmd.Start(); err != nil {
			return kids, err
		}
		kids = append(kids, child{pid: cmd.Process.Pid, pidfd: pidfd, proc: cmd.Process})
	}
	return kids, nil
}

// statEvidence reads /proc/<pid>/stat and reports the state letter, or that the entry is gone.
func statEvidence(pid int) string {
	s, err := proc.ReadStat("/proc", pid)
	if errors.Is(err, fs.ErrNotExist) {
		return "no such file: the process is gone"
	}
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("state %c (%s), ppid %d, comm %s", s.State, proc.StateName(s.State), s.PPID, s.Comm)
}

// defunctLines runs ps -ef and keeps the "<defunct>" lines of pids, like `ps -ef | grep defunct`.
func defunctLines(pids []int) string {
	out, err := exec.Command("ps", "-ef").Output()
	note := ""
	switch {
	case errors.Is(err, unix.ECHILD):
		// Under SIGCHLD=SIG_IGN ps was reaped by the kernel before os/exec could wait for it.
		note = fmt.Sprintf("    (ps ran, but cmd.Wait failed: %v: SIG_IGN breaks os/exec too)\n", err)
	case err != nil:
		return fmt.Sprintf("    (ps -ef: %v)\n", err)
	}
	want := map[string]bool{}
	for _, p := range pids {
		want[strconv.Itoa(p)] = true
	}
	var b strings.Builder
	for line := range bytes.Lines(out) {
		f := strings.Fields(string(line))
		if len(f) > 1 && want[f[1]] && bytes.Contains(line, []byte("<defunct>")) {
			b.WriteString("    " + string(line))
		}
	}
	if b.Len() == 0 {
		b.WriteString("    (no <defunct> line for these pids)\n")
	}
	return b.String() + note
}

// runZombiesIgnore is part 2, in its own process: with SIGCHLD's disposition set to SIG_IGN the
// kernel reaps children itself as they exit (kernel/signal.c do_notify_parent: "autoreap"), so
// no zombie ever appears and waitid fails with ECHILD (wait(2), NOTES; POSIX.1-2001).
// signal.Ignore really installs SIG_IGN (runtime/signal_unix.go sigignore) and it is
// process-wide: in the parent it would break every later wait, cmd.Wait included.
func runZombiesIgnore(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(zombiesIgnoreCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	children := fs.Int("children", 3, "number of children")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	signal.Ignore(syscall.SIGCHLD)
	st, err := proc.ReadStatus("/proc", os.Getpid())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pid %d: SigIgn %016x = %s\n", os.Getpid(), st.SigIgn, proc.DescribeSignals(st.SigIgn))
	kids, err := startExiting(exe, *children)
	defer func() {
		for _, k := range kids {
			k.close()
		}
	}()
	if err != nil {
		return err
	}
	pids := make([]int, len(kids))
	for i, k := range kids {
		pids[i] = k.pid
		// A pidfd turns readable when the process exits, whether or not anyone reaps it.
		fds := []unix.PollFd{{Fd: int32(k.pidfd), Events: unix.POLLIN}}
		if err := eintr.Retry(func() error { _, err := unix.Poll(fds, -1); return err }); err != nil {
			return os.NewSyscallError("poll", err)
		}
		// The pidfd wakes up in do_notify_parent, just before release_task frees the
		// autoreaped child: wait the few microseconds until /proc has caught up.
		evidence := statEvidence(k.pid)
		for try := 0; try < 1000 && !strings.HasPrefix(evidence, "no such file"); try++ {
			time.Sleep(time.Millisecond)
			evidence = statEvidence(k.pid)
		}
		_, _, werr := spawn.Waitid(k.pidfd, 0)
		fmt.Fprintf(stdout, "child %d pid %d has exited (pidfd readable)\n  /proc/%d/stat: %s\n  waitid(P_PIDFD): %v\n",
			i+1, k.pid, k.pid, evidence, werr)
		if !errors.Is(werr, unix.ECHILD) {
			return fmt.Errorf("child %d: waitid = %v, want ECHILD under SIG_IGN", k.pid, werr)
		}
	}
	fmt.Fprintf(stdout, "  ps -ef | grep defunct:\n%s", defunctLines(pids))
	fmt.Fprintf(stdout, "SIGCHLD=SIG_IGN: the kernel reaped all %d children itself; no zombie, and wait has nothing to return (ECHILD)\n", len(kids))
	return nil
}
