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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/ptrace"
)

// traceExecCommand is the hidden command that starts a traced program (ptrace.RunExecHelper).
const traceExecCommand = "_trace-exec"

func init() {
	// The exec helper must exec from the main thread, the one whose tid is the pid: the
	// command keeps the pid, and the seccomp filter is installed on that thread. Locking in
	// an init function keeps main on the main thread (runtime.LockOSThread).
	if len(os.Args) > 1 && os.Args[1] == traceExecCommand {
		runtime.LockOSThread()
	}
}

// runTraceExec is the exec helper: its first argument lists the signals the command must find
// ignored (see ignoredAtStart), the rest are ptrace.RunExecHelper's.
func runTraceExec(_ context.Context, args []string, _ io.Reader, _, _ io.Writer) error {
	if len(args) == 0 {
		return errors.New("exec helper: want IGNORED FILTER PATH ARGV")
	}
	if args[0] != "-" {
		for _, f := range strings.Split(args[0], ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 || n >= 65 {
				return fmt.Errorf("exec helper: bad signal list %q", args[0])
			}
			// signal.Ignore installs SIG_IGN (runtime sigignore), which execve keeps.
			signal.Ignore(unix.Signal(n))
		}
	}
	return ptrace.RunExecHelper(args[1:])
}

// ignoredAtStart lists, for the exec helper, the signals of those trace handles that this
// process found ignored when it started: nohup(1) ignores SIGHUP, a non-interactive shell's
// `cmd &` ignores SIGINT. strace leaves them ignored in the command; trace must too, or the
// command (and its trace) would differ: the helper starts with them at SIG_DFL, because
// trace's own signal.Notify installs handlers that fork resets. Only SIGHUP and SIGINT can be
// known: the Go runtime keeps an inherited SIG_IGN for those two (runtime.sigInstallGoHandler)
// and installs its own handler over every other, so SIGQUIT or SIGTERM ignored at start is
// no longer visible, and the command gets them at SIG_DFL.
func ignoredAtStart() string {
	var l []string
	for _, s := range []unix.Signal{unix.SIGHUP, unix.SIGINT} {
		if signal.Ignored(s) {
			l = append(l, strconv.Itoa(int(s)))
		}
	}
	if len(l) == 0 {
		return "-"
	}
	return strings.Join(l, ",")
}

// traceUsage is the synopsis trace prints for -h and after a usage error.
const traceUsage = `usage: forensics trace [-CcfFhqrtTvVwxyzZ] [-e EXPR]... [-o FILE] [-P PATH]... [-p PID]... [-s STRSIZE] [--seccomp-bpf] {-p PID | [--] CMD [ARGS...]}

strace's options and grammar: short flags combine (-fc, -ttT, -fo FILE, -s64), long forms take
=VALUE or the next argument, options end at the command or at "--".
  -f, --follow-forks          trace children and threads; -ff with -o: one file per process (FILE.PID)
  -c, --summary-only          count calls, errors and time; print strace -c's table instead of a trace
  -C, --summary               trace, and print the table at the end too
  -w, --summary-wall-clock    with -c/-C: wall-clock latency instead of system CPU time
  -o, --output FILE           write the trace (or table) to FILE
  -p, --attach PID[,PID]      attach to running processes (repeatable); Ctrl-C detaches
  -e trace=SET, --trace=SET   calls to trace: names, %file %process %network %signal %ipc %desc
                              %memory %creds %clock %stat %lstat %fstat %stat %statfs %fstatfs
                              %statfs %pure, /REGEX, all, none; a leading ! negates; ?NAME ignores an unknown one
  -e signal=SET, --signal=SET signals whose delivery is shown
  -e status=SET, --status=SET successful, failed, unfinished, unavailable, detached (-z: successful, -Z: failed)
  -P, --trace-path PATH       only calls that touch PATH
  -s, --string-limit N        bytes of strings and buffers to print (default 32)
  -v, --no-abbrev             structures in full, environment printed
  -x, -xx                     non-ASCII strings in hex; all strings in hex
  -t, -tt, -ttt, --timestamps time of day; with microseconds; seconds since the epoch
  -r, --relative-timestamps   time since the previous line
  -T, --syscall-times         time spent in each call
  -y, -yy, --decode-fds       descriptors with their paths
  --seccomp-bpf               with a command: a seccomp filter stops only the traced calls
Exit status: the command's (or death by its signal); 1 for trace's own errors, as strace.`

// traceConfig is a parsed trace command line.
type traceConfig struct {
	opts       ptrace.Options
	follow     int
	count      bool
	summary    bool
	wall       bool
	outPath    string
	pids       []int
	cmd        []string
	seccomp    bool
	status     int
	timestamps int
	hex        int
	decodeFds  int
}

// usageError is a bad trace command line: one line, exit status 1, as strace.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg + " (forensics trace -h for help)" }

func badUsage(format string, args ...any) error {
	return &usageError{fmt.Sprintf("trace: "+format, args...)}
}

// parseTraceArgs reads strace's command line: getopt with a "+" optstring (options stop at the
// first non-option), combined short flags, and getopt_long's long forms.
func parseTraceArgs(args []string) (*traceConfig, error) {
	c := &traceConfig{}
	c.opts.StringLimit = 32
	withArg := "eoOpsPSabEIUX"
	longs := map[string]string{ // long option -> its short form, or a name of its own
		"follow-forks": "f", "output": "o", "summary-only": "c", "summary": "C", "summary-wall-clock": "w",
		"attach": "p", "string-limit": "s", "trace-path": "P", "no-abbrev": "v", "timestamps": "t",
		"relative-timestamps": "r", "syscall-times": "T", "decode-fds": "y", "help": "h",
		"successful-only": "z", "failed-only": "Z", "output-separately": "ff",
		"trace": "=trace", "signal": "=signal", "signals": "=signal", "status": "=status",
		"seccomp-bpf": "seccomp", "quiet": "q",
	}
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			short, ok := longs[name]
			if !ok {
				return nil, badUsage("unrecognized option '--%s'", name)
			}
			needs := strings.HasPrefix(short, "=") || (len(short) == 1 && strings.Contains(withArg, short))
			optional := name == "decode-fds" || name == "timestamps"
			if needs && !hasVal {
				if i+1 >= len(args) {
					return nil, badUsage("option '--%s' requires an argument", name)
				}
				i++
				val, hasVal = args[i], true
			}
			if !needs && hasVal && !optional {
				return nil, badUsage("option '--%s' doesn't allow an argument", name)
			}
			var err error
			switch {
			case strings.HasPrefix(short, "="):
				err = c.qualifier(short[1:] + "=" + val)
			case short == "seccomp":
				c.seccomp = true
			case short == "ff":
				c.follow = 2
			default:
				err = c.flag(short[0], val)
			}
			if err != nil {
				return nil, err
			}
			i++
			continue
		}
		// A cluster of short flags; the first that takes an argument takes the rest of the
		// cluster, or the next argument.
		for j := 1; j < len(a); j++ {
			f := a[j]
			if strings.IndexByte(withArg, f) >= 0 {
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, badUsage("option requires an argument -- '%c'", f)
					}
					i++
					val = args[i]
				}
				if err := c.flag(f, val); err != nil {
					return nil, err
				}
				break
			}
			if err := c.flag(f, ""); err != nil {
				return nil, err
			}
		}
		i++
	}
	c.cmd = args[i:]
	return c, c.check()
}

// flag applies one short option.
func (c *traceConfig) flag(f byte, val string) error {
	switch f {
	case 'f':
		c.follow++
	case 'c':
		c.count = true
	case 'C':
		c.summary = true
	case 'w':
		c.wall = true
	case 'o':
		c.outPath = val
	case 'p':
		for _, p := range strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ' ' }) {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 {
				return badUsage("invalid process id: '%s'", p)
			}
			c.pids = append(c.pids, n)
		}
	case 's':
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return badUsage("invalid -s argument: '%s'", val)
		}
		c.opts.StringLimit = n
	case 'e':
		return c.qualifier(val)
	case 'P':
		c.opts.Paths = append(c.opts.Paths, val)
		if r, err := filepath.EvalSymlinks(val); err == nil && r != val {
			c.opts.Paths = append(c.opts.Paths, r)
		}
	case 'v':
		c.opts.Verbose = true
	case 'x':
		c.hex++
	case 't':
		c.timestamps++
	case 'r':
		c.opts.Relative = true
	case 'T':
		c.opts.SyscallTimes = true
	case 'y':
		c.decodeFds++
	case 'z':
		c.status |= ptrace.StatusSuccessful
	case 'Z':
		c.status |= ptrace.StatusFailed
	case 'q', 'F':
		// -q: strace's attach/detach notices are quiet already; -F: an old spelling of -f.
		if f == 'F' {
			c.follow++
		}
	case 'h':
		return flag.ErrHelp
	default:
		return badUsage("invalid option -- '%c'", f)
	}
	return nil
}

// qualifier applies -e [QUALIFIER=]SET.
func (c *traceConfig) qualifier(e string) error {
	q, set, ok := strings.Cut(e, "=")
	if !ok {
		q, set = "trace", e
	}
	var err error
	switch q {
	case "trace", "t":
		c.opts.Trace, err = ptrace.ParseCallSet(set)
	case "signal", "signals", "s":
		c.opts.Signals, err = ptrace.ParseSignalSet(set)
	case "status":
		var st int
		st, err = ptrace.ParseStatus(set)
		c.status |= st
		if st == 0 {
			c.status = 0
		}
	case "verbose", "abbrev", "raw", "read", "write", "quiet", "decode-fds":
		err = fmt.Errorf("-e %s= is not supported", q)
	default:
		err = fmt.Errorf("invalid filter action '%s'", q)
	}
	if err != nil {
		return badUsage("%v", err)
	}
	return nil
}

func (c *traceConfig) check() error {
	switch {
	case len(c.pids) == 0 && len(c.cmd) == 0:
		return badUsage("must have PROG [ARGS] or -p PID")
	case len(c.pids) != 0 && len(c.cmd) != 0:
		return badUsage("give either -p PID or a command, not both")
	case c.wall && !c.count && !c.summary:
		return badUsage("-w only applies with -c or -C")
	}
	o := &c.opts
	o.Follow = c.follow > 0
	o.PerProcess = c.follow > 1 && !c.count && c.outPath != "" // -ff without -o is -f, as strace
	o.OutPath = c.outPath
	o.Shared = c.outPath == ""
	o.SummaryOnly = c.count
	o.Summary = c.summary && !c.count
	o.WallTime = c.wall
	o.Status = c.status
	o.Timestamps = min(c.timestamps, 3)
	o.Hex = min(c.hex, 2)
	o.DecodeFds = min(c.decodeFds, 2)
	o.PidPrefix = c.outPath != "" && c.follow == 1
	o.Seccomp = c.seccomp && len(c.pids) == 0
	return nil
}

// runTrace is `forensics trace [OPTIONS] -- CMD ARGS...` or `forensics trace [OPTIONS] -p PID`:
// a ptrace syscall tracer in strace's shape and with strace's grammar. The traced command's exit
// code, or the signal that killed it, becomes the tracer's own: a command that did not exit 0
// comes back as a *commandExit error, which main passes through once run has returned and every
// deferred cleanup (the -o file's Close among them) has run.
func runTrace(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	c, err := parseTraceArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stdout, traceUsage+"\n")
		return err
	}
	if err != nil {
		return err
	}
	cmd := c.cmd
	pids := c.pids
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
	} else {
		for _, pid := range pids {
			if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
				return fmt.Errorf("trace: attach: no process %d: %w", pid, err)
			}
		}
	}

	out := stderr
	if c.outPath != "" && !c.opts.PerProcess {
		f, err := os.OpenFile(c.outPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_CLOEXEC, 0o644)
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
	ignored := ignoredAtStart() // before Notify, which replaces an ignored disposition
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGHUP)
	defer signal.Stop(sigs)

	if c.seccomp && len(pids) != 0 {
		fmt.Fprintln(stderr, "trace: --seccomp-bpf is not enabled: it applies to a command started by trace, not to -p")
	}
	opts := c.opts
	opts.Out, opts.Log = out, stderr
	opts.Helper = []string{"/proc/self/exe", traceExecCommand, ignored}
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
		if len(pids) != 0 {
			for _, pid := range pids {
				if err := t.Attach(pid); err != nil {
					done <- result{err: err}
					return
				}
			}
			started <- pids[0]
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
			case len(pids) != 0:
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
			if len(pids) != 0 {
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
