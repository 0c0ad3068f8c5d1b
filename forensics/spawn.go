package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/proc"
	"kernel-foundations/forensics/internal/signame"
	"kernel-foundations/forensics/internal/spawn"
)

// runSpawn starts N workers, shows their progress from /proc, forwards SIGTERM/SIGINT to them,
// reaps every one through its pidfd and reports how each ended.
func runSpawn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics spawn", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workers := fs.Int("workers", 4, "number of worker processes")
	duration := fs.Duration("duration", 5*time.Second, "how long each worker computes")
	interval := fs.Duration("interval", time.Second, "progress interval (plain output; a terminal redraws 4 times a second)")
	observe := fs.Bool("observe", false, "print commands to watch the processes from another shell")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workers < 1 || *workers > 1024 {
		return fmt.Errorf("spawn: -workers %d: want 1..1024", *workers)
	}
	if *duration <= 0 || *interval <= 0 {
		return fmt.Errorf("spawn: -duration and -interval must be positive")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("spawn: unexpected argument %q", fs.Arg(0))
	}
	out, outFile := stdout, fileOf(stdout)
	errFile := fileOf(stderr)
	if outFile == nil || errFile == nil {
		// Workers inherit stdout/stderr as file descriptors; a test's bytes.Buffer has none.
		return errors.New("spawn: stdout and stderr must be files or pipes")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("spawn: %w", err)
	}

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	// Pdeathsig is tied to the thread that forks (see spawn.Start): this goroutine starts every
	// worker and stays locked, and alive, until the last one is reaped.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	fmt.Fprintf(out, "spawn: parent pid %d starting %d workers for %v; stop them with: kill -TERM %d (or Ctrl-C)\n",
		os.Getpid(), *workers, *duration, os.Getpid())
	g := &spawn.Group{ // Print: superviseGoroutines's, which redraws the live table around it
		Prefix: "spawn: ",
		Reaped: func(t *spawn.Tracked, e spawn.Exit, after string) string {
			return fmt.Sprintf("worker %d pid %d reaped via waitid(P_PIDFD): %s%s, cpu %.2fs (rusage), max RSS %d KiB",
				t.ID, t.Pid, e, after, e.CPU().Seconds(), e.Rusage.Maxrss)
		},
	}
	for i := 1; i <= *workers; i++ {
		w, err := spawn.Start(spawn.Options{
			Exe: exe, ID: i, Duration: *duration, Stdout: outFile, Stderr: errFile,
			Pdeathsig: syscall.SIGTERM,
		})
		if err != nil {
			g.Abort()
			return fmt.Errorf("spawn: %w", err)
		}
		g.Add(w)
		fmt.Fprintf(out, "spawn: worker %d pid %d started (pidfd %d, pgid %d, parent-death signal SIGTERM)\n", i, w.Pid, w.PidFD(), w.Pid)
	}
	if *observe {
		printObserve(out, os.Getpid(), g.Workers)
	}
	return superviseGoroutines(ctx, out, outFile, g, sigs, *interval)
}

type progressEvent struct {
	t   *spawn.Tracked
	msg spawn.Message
	eof bool
}

type exitEvent struct {
	t    *spawn.Tracked
	exit spawn.Exit
	err  error
}

// superviseGoroutines is the plain-Go supervisor: one goroutine per worker blocks in
// waitid(P_PIDFD), one reads its progress pipe, and this loop owns all state (spawn.Group).
// (supervise is the same job on one epoll loop.)
func superviseGoroutines(ctx context.Context, out io.Writer, outFile *os.File, g *spawn.Group, sigs <-chan os.Signal, interval time.Duration) error {
	progress := make(chan progressEvent, 64)
	exits := make(chan exitEvent, len(g.Workers))
	for _, t := range g.Workers {
		go func() {
			t.Scan(func(msg spawn.Message) { progress <- progressEvent{t: t, msg: msg} })
			progress <- progressEvent{t: t, eof: true} // EOF (the worker exited), or the pipe failed
		}()
		go func() {
			e, _, err := t.Wait(0)
			exits <- exitEvent{t: t, exit: e, err: err}
		}()
	}
	tty := isTerminal(outFile)
	if tty {
		interval = 250 * time.Millisecond
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	drawn := 0 // lines of the live table currently on the terminal
	g.Print = func(line string) {
		if drawn > 0 {
			fmt.Fprintf(out, "\x1b[%dA\x1b[J", drawn) // erase the table, print, redraw on the next tick
			drawn = 0
		}
		fmt.Fprintln(out, line)
	}
	say := g.Say
	closeErr := func(err error) {
		if err != nil {
			say("%v", err)
		}
	}
	allReady := false
	n := len(g.Workers)
	done := ctx.Done()
	for g.Live > 0 {
		select {
		case <-done:
			done = nil
			say("context cancelled: sending SIGTERM to %d workers", g.Live)
			g.Forward()
		case s := <-sigs:
			if g.Stopping {
				say("second %s: SIGKILL to the %d workers left", signame.Of(s), g.Live)
				g.Kill()
				continue
			}
			say("%s received: forwarding SIGTERM to %d workers through their pidfds", signame.Of(s), g.Live)
			g.Forward()
		case ev := <-progress:
			if ev.eof {
				closeErr(g.Closed(ev.t))
				continue
			}
			g.Message(ev.t, ev.msg)
			if !allReady && g.AllReady() {
				allReady = true
				say("all %d workers ready", n)
			}
		case ev := <-exits:
			closeErr(g.Exited(ev.t, ev.exit, ev.err))
		case <-ticker.C:
			lines := progressLines(g.Workers)
			if tty {
				if drawn > 0 {
					fmt.Fprintf(out, "\x1b[%dA", drawn)
				}
				for _, l := range lines {
					fmt.Fprintf(out, "\r\x1b[K%s\n", l)
				}
				drawn = len(lines)
			} else {
				for _, l := range lines {
					fmt.Fprintln(out, l)
				}
			}
		}
	}
	say("all %d workers reaped; children of pid %d left: %s", n, os.Getpid(), spawn.ChildrenLeft(os.Getpid()))
	if g.Failed > 0 {
		return fmt.Errorf("spawn: %d of %d workers did not exit cleanly", g.Failed, n)
	}
	return nil
}

// progressLines reads each live worker's CPU time from /proc/<pid>/stat: the kernel's account,
// not the worker's own claim.
func progressLines(ws []*spawn.Tracked) []string {
	var lines []string
	for _, t := range ws {
		if t.Exited {
			continue
		}
		cpu, threads := "?", "?"
		if s, err := proc.ReadStat("/proc", t.Pid); err == nil {
			cpu = fmt.Sprintf("%.2fs", s.CPUSeconds())
			threads = fmt.Sprint(s.NumThreads)
		}
		lines = append(lines, fmt.Sprintf("  worker %d pid %d  cpu %s  threads %s (%s)  hashes %d",
			t.ID, t.Pid, cpu, threads, runningThreads(t.Pid), t.Hashes))
	}
	return lines
}

// runningThreads counts the worker's threads by state letter from /proc/<pid>/task/*/stat:
// the hashing goroutine runs on whichever thread the scheduler gives it, often not the leader,
// whose state alone would read "S".
func runningThreads(pid int) string {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "?"
	}
	counts := map[byte]int{}
	for _, e := range entries {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if s, err := proc.ParseStat(b); err == nil {
			counts[s.State]++
		}
	}
	var parts []string
	for _, c := range []byte("RSDZTtXI") {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %c", counts[c], c))
		}
	}
	return strings.Join(parts, ", ")
}

func printObserve(out io.Writer, parent int, ws []*spawn.Tracked) {
	pids := make([]string, len(ws))
	for i, w := range ws {
		pids[i] = fmt.Sprint(w.Pid)
	}
	list := strings.Join(pids, ",")
	fmt.Fprintf(out, `spawn: to watch from another shell:
  ps -o pid,ppid,pgid,stat,time,nlwp,cmd --pid %[1]d --ppid %[1]d     # parent and workers
  ps -L -o pid,lwp,stat,psr,time,comm -p %[2]s                # every thread (LWP = TID)
  ls /proc/%[3]s/task                                          # a worker's threads; the leader's TID is its pid
  grep -E 'State|Threads|Sig(Blk|Ign|Cgt)' /proc/%[3]s/status
  strace -f -e trace=signal,process -p %[1]d                   # the parent forwarding SIGTERM, waitid
  forensics inspect %[3]s
  kill -TERM %[1]d
`, parent, list, pids[0])
}

// isTerminal reports whether f is a terminal (TCGETS succeeds only on a tty).
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
