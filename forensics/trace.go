package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/ptrace"
)

// runTrace is `forensics trace [-f] [-c] [-w] [-o FILE] [-p PID] -- CMD ARGS...`: a ptrace syscall
// tracer in strace's shape. The traced command's exit code, or the signal that killed it, becomes
// the tracer's own: a command that did not exit 0 comes back as a *commandExit error, which main
// passes through once run has returned and every deferred cleanup (the -o file's Close among
// them) has run.
func runTrace(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("forensics trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	follow := fs.Bool("f", false, "follow forks, vforks and threads (like strace -f)")
	count := fs.Bool("c", false, "count calls and errors per syscall, print strace -c's table at the end instead of a trace")
	wall := fs.Bool("w", false, "with -c: time is wall-clock latency per call, not system CPU time")
	outPath := fs.String("o", "", "write the trace (or table) to `FILE` instead of stderr")
	pid := fs.Int("p", 0, "attach to the running process `PID` (all its threads); Ctrl-C detaches")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: forensics trace [-f] [-c [-w]] [-o FILE] -- CMD [ARGS...]")
		fmt.Fprintln(stderr, "       forensics trace [-f] [-c [-w]] [-o FILE] -p PID")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd := fs.Args()
	switch {
	case *pid == 0 && len(cmd) == 0:
		fs.Usage()
		return errors.New("trace: no command to run and no -p PID")
	case *pid != 0 && len(cmd) != 0:
		fs.Usage()
		return errors.New("trace: give either -p PID or a command, not both")
	case *pid < 0:
		return fmt.Errorf("trace: bad pid %d", *pid)
	case *wall && !*count:
		return errors.New("trace: -w only applies with -c")
	}

	var path string
	var files []uintptr
	if len(cmd) != 0 {
		var err error
		if path, err = exec.LookPath(cmd[0]); err != nil {
			return fmt.Errorf("trace: %w", err)
		}
		for i, s := range []any{stdin, stdout, stderr} {
			f, ok := s.(*os.File)
			if !ok {
				return fmt.Errorf("trace: stdio stream %d is not a file: the command inherits the tracer's descriptors", i)
			}
			files = append(files, f.Fd())
		}
	} else if _, err := os.Stat("/proc/" + strconv.Itoa(*pid)); err != nil {
		return fmt.Errorf("trace: no process %d: %w", *pid, err)
	}

	out := stderr
	if *outPath != "" {
		f, err := os.OpenFile(*outPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_CLOEXEC, 0o644)
		if err != nil {
			return fmt.Errorf("trace: %w", err)
		}
		out = f
		defer func() {
			// A lost write is a failure even when the command's status was to be passed on:
			// the trace file would be short without anyone saying so.
			if cerr := f.Close(); cerr != nil {
				var ce *commandExit
				if err == nil || errors.As(err, &ce) {
					err = fmt.Errorf("trace: %w", cerr)
				}
			}
		}()
	}

	// SIGINT and SIGQUIT from the terminal reach the whole foreground process group, the
	// command included: like system(3), the tracer stays alive to report what they did to it.
	// SIGTERM and SIGHUP sent to the tracer alone are forwarded to the command. With -p the
	// first of any of them detaches, leaving the process running, untraced.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGHUP)
	defer signal.Stop(sigs)

	opts := ptrace.Options{Follow: *follow, SummaryOnly: *count, WallTime: *wall, Out: out, Log: stderr}
	type result struct {
		st  ptrace.Status
		err error
	}
	started := make(chan int, 1)
	done := make(chan result, 1)
	t := ptrace.New(opts)
	// The tracer goroutine locks its thread and returns without unlocking it: the runtime then
	// terminates that thread (runtime.LockOSThread), the only safe end for a thread that was a
	// tracer. Everything it traced has exited or been detached by then.
	go func() {
		if *pid != 0 {
			if err := t.Attach(*pid); err != nil {
				done <- result{err: err}
				return
			}
			started <- *pid
		} else {
			child, err := t.Start(path, cmd, os.Environ(), files)
			if err != nil {
				done <- result{err: err}
				return
			}
			started <- child
		}
		st, err := t.Run()
		done <- result{st, err}
	}()

	target := 0
	var pending []unix.Signal // to forward once the command exists
	for {
		select {
		case target = <-started:
			for _, s := range pending {
				unix.Kill(target, s)
			}
			pending = nil
		case s := <-sigs:
			switch {
			case *pid != 0:
				if err := t.RequestDetach(); err != nil {
					fmt.Fprintf(stderr, "trace: %v\n", err)
				}
			case s == unix.SIGTERM || s == unix.SIGHUP:
				if target == 0 {
					pending = append(pending, s.(unix.Signal))
				} else {
					unix.Kill(target, s.(unix.Signal))
				}
			}
		case r := <-done:
			if r.err != nil {
				return fmt.Errorf("trace: %w", r.err)
			}
			if *pid != 0 {
				return nil
			}
			if !r.st.Exited && r.st.Signal == 0 {
				return errors.New("trace: the command's exit status was never reported")
			}
			if r.st.Exited && r.st.Code == 0 {
				return nil
			}
			return &commandExit{r.st}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// commandExit is a traced command's end other than exit 0, returned by runTrace for main to pass
// through.
type commandExit struct{ st ptrace.Status }

func (e *commandExit) Error() string {
	if e.st.Exited {
		return "traced command exited with status " + strconv.Itoa(e.st.Code)
	}
	return "traced command killed by " + unix.SignalName(e.st.Signal)
}

// passThrough ends the tracer the way the traced command ended: the same exit code, or death by
// the same signal. It does not return. Only main calls it, after run has returned: os.Exit runs
// no deferred calls, and a signal death none either.
func (e *commandExit) passThrough() {
	st := e.st
	if st.Exited {
		os.Exit(st.Code)
	}
	sig := st.Signal
	// Die by the signal itself, as strace does. Go's own handler is installed for every signal
	// and would turn e.g. SIGABRT into a goroutine dump, so reset the disposition to SIG_DFL with
	// rt_sigaction(2) directly, unblock it on this thread and send it to this thread. Dumping core
	// is the command's business, not the tracer's: PR_SET_DUMPABLE 0 stops a second core file.
	runtime.LockOSThread() // the process ends here
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	ptrace.SetDefaultAction(sig)
	var set unix.Sigset_t
	set.Val[(sig-1)/64] = 1 << ((uint(sig) - 1) % 64)
	unix.PthreadSigmask(unix.SIG_UNBLOCK, &set, nil)
	unix.Tgkill(os.Getpid(), unix.Gettid(), sig)
	// Still here: the signal's default action is not to terminate (it cannot have killed the
	// command then, but be safe). Exit like a shell reports a signal death.
	os.Exit(128 + int(sig))
}
