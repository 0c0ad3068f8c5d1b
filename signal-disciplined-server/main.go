// Command signal-disciplined-server is a TCP echo server on raw epoll and signalfd, with loops
// pinned to their OS threads and a graceful drain that loses no byte.
//
// Synopsis:
//
//	signal-disciplined-server [-listen HOST:PORT] [-loops N] [-max-conns N] [-drain-timeout D]
//	                          [-drain-idle D] [-config FILE] [-wait raw|blocking] ...
//
// At start the program re-executes itself once with SIGUSR1, SIGUSR2 and the real-time signals
// 35..64 blocked, so that every thread the runtime makes inherits the mask, and reads them from a
// signalfd. SIGTERM, SIGINT, SIGHUP, SIGQUIT and SIGPIPE, which the runtime keeps unblocked,
// reach the loop through os/signal and an eventfd. Every signal is an epoll event:
//
//	SIGTERM, SIGINT   drain: stop accepting, echo what is in flight, close each connection the
//	                  lingering way; exit 0 when all are closed, 1 at -drain-timeout
//	second one, QUIT  stop now: cut what is open (exit 1 if any)
//	SIGUSR1           one stats line; SIGUSR2: one line per loop
//	SIGHUP            re-read -config and RLIMIT_NOFILE
//	SIGPIPE           counted only (sends use MSG_NOSIGNAL; a write to a closed stderr fails, EPIPE)
//	35..64            (SIGRTMIN+1..+30 in glibc numbering) logged with the sender's pid and uid, counted
//
// When it listens it logs "listening on HOST:PORT" with the real port and sends READY=1 to
// $NOTIFY_SOCKET if set.
//
// Exit status: 0 after a drain that closed every connection; 1 when connections had to be cut (a
// drain timeout, a second signal, SIGQUIT); 125 when the server itself failed: bad usage, an
// address it cannot listen on, a system call error (README.md at the root, "Exit statuses").
//
// Options:
//
//	-listen HOST:PORT   address (default 127.0.0.1:7008; port 0 picks one)
//	-loops N            epoll loops, one SO_REUSEPORT listener each (default 1, at most 4 per CPU)
//	-max-conns N        open connections at most; 0: bounded by RLIMIT_NOFILE only
//	-conn-buf BYTES     echo a connection may hold before it is no longer read (default 262144)
//	-read-budget BYTES  bytes read from one connection per wakeup (default 262144)
//	-drain-timeout D    graceful drain deadline (default 30s)
//	-drain-idle D       during a drain, close a connection quiet this long (default 500ms)
//	-linger D           read-to-EOF bound of a lingering close (default 2s)
//	-splice BYTES       after a read of at least BYTES, echo that connection with splice(2)
//	                    through the loop's pipe, never copying the payload (default 0: never;
//	                    it costs throughput on loopback, README "Benchmarks")
//	-config FILE        "name value" lines for max-conns, drain-timeout, drain-idle; read at start
//	                    and on SIGHUP, overriding the flags
//	-spin D             busy-poll window: when a loop serving at most 8 connections runs out
//	                    of work, keep polling epoll (timeout 0, sched_yield between polls) for
//	                    up to D before sleeping; the window adapts to the gaps it sees (default
//	                    0: never; 100us halves one client's latency for about 1.5x the CPU per
//	                    message). README.md "Benchmarks"
//	-coalesce D         interrupt coalescing: when a loop serving more than 8 connections runs
//	                    out of work, sleep before polling again, long enough to gather a quarter
//	                    of its connections' events at the rate it sees and at most D (default
//	                    200us; 0: never; at most 1ms). README.md "Benchmarks"
//	-slice D            EEVDF slice each loop thread asks for with sched_setattr: a shorter slice
//	                    than its CPU's running task lets a woken loop preempt it (default 100us,
//	                    the kernel's minimum; 0: the kernel's default)
//	-wait MODE          raw (RawSyscall6 epoll_pwait, keeps the P; bounded by -raw-timeout
//	                    only under GODEBUG=asyncpreemptoff=1) or blocking (unix.EpollWait, -1)
//	                    (default raw)
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"strings"
	"time"

	"kernel-foundations/signal-disciplined-server/internal/loop"
	"kernel-foundations/signal-disciplined-server/internal/sig"
)

func main() {
	// Started by sig.Command as the trampoline of a child: become the child, mask emptied.
	if err := sig.ExecUnmasked(); err != nil {
		fmt.Fprintf(os.Stderr, "signal-disciplined-server: %v\n", err)
		os.Exit(127)
	}
	// Everything below must run with the signals blocked on every thread.
	if err := sig.EnsureBlocked(); err != nil {
		fmt.Fprintf(os.Stderr, "signal-disciplined-server: %v\n", err)
		os.Exit(125)
	}
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "signal-disciplined-server: %v\n", err)
		// A drain that had to cut connections is the work finding a failure (1); anything
		// else is the server itself failing (125), the project's convention.
		var cut *loop.CutError
		if errors.As(err, &cut) {
			os.Exit(1)
		}
		os.Exit(125)
	}
}

// maxLoopsPerCPU bounds -loops: each loop is a locked thread with an epoll fd, an eventfd, a
// pipe, a listener and a read buffer of up to 256 KiB; beyond a few per CPU they only take
// turns. Unbounded, -loops 100000 ran away to 2 GB and thousands of threads, and -loops 5000
// died at the fd limit.
const maxLoopsPerCPU = 4

// maxBuf bounds -conn-buf and -read-budget: a connection's buffer is allocated when it first
// falls behind, and a size the machine cannot give would kill the server then, not at start.
const maxBuf = 1 << 30

// run parses args and runs the server until it has drained or stopped.
func run(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("signal-disciplined-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: signal-disciplined-server [-listen HOST:PORT] [-loops N] [options]\n")
		fs.PrintDefaults()
	}
	cfg := loop.Config{}
	fs.StringVar(&cfg.Addr, "listen", "127.0.0.1:7008", "listen on `HOST:PORT` (port 0 picks a free one)")
	fs.IntVar(&cfg.Loops, "loops", 1, "epoll loops, each on its own locked thread with its own SO_REUSEPORT listener")
	fs.IntVar(&cfg.ConnBuf, "conn-buf", 256<<10, "`bytes` of unsent echo a connection may hold before it is no longer read")
	fs.IntVar(&cfg.ReadBudget, "read-budget", 256<<10, "`bytes` read from one connection per wakeup")
	fs.IntVar(&cfg.SpliceMin, "splice", 0, "after a read of at least this many `bytes`, echo a connection with splice(2) through a pipe, without copying (0: never)")
	fs.DurationVar(&cfg.Spin, "spin", 0, "busy-poll window: when a loop serving at most 8 connections runs out of work, it polls without sleeping for up to this `duration`, adapting to the gaps it sees (lower latency for CPU burnt, e.g. 100us; 0: never)")
	fs.DurationVar(&cfg.Coalesce, "coalesce", 200*time.Microsecond, "when a loop serving more than 8 connections runs out of work, it sleeps before it polls again, up to this `duration` (long enough to gather a quarter of its connections' events at the rate it sees), so one wakeup serves many arrivals (less CPU per message for some latency; 0: never, at most 1ms)")
	fs.DurationVar(&cfg.Slice, "slice", 100*time.Microsecond, "EEVDF slice each loop thread asks for (sched_setattr), so a woken loop can preempt a task with a longer one: `duration` 100us-100ms, 0: the kernel's")
	fs.DurationVar(&cfg.Linger, "linger", 2*time.Second, "how long a lingering close reads to the peer's EOF")
	fs.DurationVar(&cfg.RawTimeout, "raw-timeout", 10*time.Millisecond, "bound of one epoll_pwait in -wait raw under GODEBUG=asyncpreemptoff=1")
	wait := fs.String("wait", "raw", "epoll wait: `raw` (RawSyscall6, keeps the P while the loop is busy; bounded by -raw-timeout only under GODEBUG=asyncpreemptoff=1) or blocking (unix.EpollWait)")
	lim := addLimitFlags(fs, &cfg.Limits)
	config := fs.String("config", "", "`file` of \"name value\" lines (max-conns, drain-timeout, drain-idle), read at start and on SIGHUP")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch *wait {
	case "raw":
		cfg.Wait = loop.WaitRaw
	case "blocking":
		cfg.Wait = loop.WaitBlocking
	default:
		return fmt.Errorf("-wait %q: want raw or blocking", *wait)
	}
	if maxLoops := maxLoopsPerCPU * runtime.NumCPU(); cfg.Loops < 1 || cfg.Loops > maxLoops {
		return fmt.Errorf("-loops %d: want 1 to %d (%d per CPU, %d CPU(s) usable)", cfg.Loops, maxLoops, maxLoopsPerCPU, runtime.NumCPU())
	}
	if cfg.Linger < 0 {
		return fmt.Errorf("-linger %v: want 0 or more", cfg.Linger)
	}
	if cfg.ConnBuf > maxBuf || cfg.ReadBudget > maxBuf {
		return fmt.Errorf("-conn-buf %d, -read-budget %d: want at most %d (1 GiB) each", cfg.ConnBuf, cfg.ReadBudget, maxBuf)
	}
	if cfg.RawTimeout < time.Millisecond {
		return fmt.Errorf("-raw-timeout %v: want at least 1ms", cfg.RawTimeout)
	}
	if err := lim.check(cfg.Limits); err != nil {
		return err
	}
	if *config != "" {
		// Each read starts from the flags, so a setting deleted from the file reverts to its flag.
		flagLimits := cfg.Limits
		cfg.Reload = func() (loop.Limits, error) { return readConfig(*config, flagLimits) }
		l, err := cfg.Reload()
		if err != nil {
			return err
		}
		cfg.Limits = l
	}
	cfg.Log = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	cfg.Ready = func(string) {
		if err := sdNotify("READY=1"); err != nil {
			cfg.Log.Printf("sd_notify READY=1: %v", err)
		}
	}
	cfg.Stopping = func() { sdNotify("STOPPING=1") }
	srv, err := loop.New(cfg)
	if err != nil {
		return err
	}
	return srv.Run()
}

type limitFlags struct{}

func addLimitFlags(fs *flag.FlagSet, l *loop.Limits) limitFlags {
	fs.IntVar(&l.MaxConns, "max-conns", 0, "open connections at most, across loops (0: RLIMIT_NOFILE is the bound)")
	fs.DurationVar(&l.DrainTimeout, "drain-timeout", 30*time.Second, "graceful drain deadline; connections still open then are cut (exit 1)")
	fs.DurationVar(&l.DrainIdle, "drain-idle", 500*time.Millisecond, "during a drain, give a connection quiet this long the lingering close")
	return limitFlags{}
}

func (limitFlags) check(l loop.Limits) error {
	if l.MaxConns < 0 {
		return fmt.Errorf("max-conns %d: want 0 or more", l.MaxConns)
	}
	if l.DrainTimeout <= 0 || l.DrainIdle <= 0 {
		return fmt.Errorf("drain-timeout %v and drain-idle %v must be positive", l.DrainTimeout, l.DrainIdle)
	}
	return nil
}

// readConfig parses "name value" lines ('#' starts a comment) over base: the reloadable limits,
// named like their flags.
func readConfig(path string, base loop.Limits) (loop.Limits, error) {
	f, err := os.Open(path)
	if err != nil {
		return base, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var l loop.Limits
	lf := addLimitFlags(fs, &l)
	l = base // registering the flags stored their defaults: settings the file omits keep base
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		name := fields[0]
		if fs.Lookup(name) == nil {
			return base, fmt.Errorf("config %s:%d: unknown setting %q (want max-conns, drain-timeout or drain-idle)", path, n, name)
		}
		if len(fields) != 2 {
			return base, fmt.Errorf("config %s:%d: want \"%s VALUE\"", path, n, name)
		}
		if err := fs.Set(name, fields[1]); err != nil {
			return base, fmt.Errorf("config %s:%d: %s: %w", path, n, name, err)
		}
	}
	if err := sc.Err(); err != nil {
		return base, fmt.Errorf("config %s: %w", path, err)
	}
	if err := lf.check(l); err != nil {
		return base, fmt.Errorf("config %s: %w", path, err)
	}
	return l, nil
}
