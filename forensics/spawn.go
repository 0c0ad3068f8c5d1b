package main

import (
	"bufio"
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
	ws := make([]*spawn.Worker, 0, *workers)
	for i := 1; i <= *workers; i++ {
		w, err := spawn.Start(spawn.Options{
			Exe: exe, ID: i, Duration: *duration, Stdout: outFile, Stderr: errFile,
			Pdeathsig: syscall.SIGTERM,
		})
		if err != nil {
			killAndReap(ws)
			return fmt.Errorf("spawn: %w", err)
		}
		ws = append(ws, w)
		fmt.Fprintf(out, "spawn: worker %d pid %d started (pidfd %d, pgid %d, parent-death signal SIGTERM)\n", i, w.Pid, w.PidFD, w.Pid)
	}
	if *observe {
		printObserve(out, os.Getpid(), ws)
	}
	return superviseGoroutines(ctx, out, outFile, ws, sigs, *interval)
}

// workerState is what the parent knows of one worker.
type workerState struct {
	w        *spawn.Worker
	ready    bool
	hashes   uint64
	stopSent bool
	exited   bool       // waitid has returned
	eof      bool       // the progress pipe is closed: every line the worker wrote is in
	exit     *exitEvent // held until eof, so the worker's last line comes before its exit status
}

type progressEvent struct {
	idx int
	msg spawn.Message
	eof bool
}

type exitEvent struct {
	idx  int
	exit spawn.Exit
	err  error
}

// superviseGoroutines is the plain-Go supervisor: one goroutine per worker blocks in
// waitid(P_PIDFD), one reads its progress pipe, and this loop owns all state.
// (supervise is the same job on one epoll loop.)
func superviseGoroutines(ctx context.Context, out io.Writer, outFile *os.File, ws []*spawn.Worker, sigs <-chan os.Signal, interval time.Duration) error {
	states := make([]*workerState, len(ws))
	progress := make(chan progressEvent, 64)
	exits := make(chan exitEvent, len(ws))
	for i, w := range ws {
		states[i] = &workerState{w: w}
		go readProgress(i, w.Progress, progress)
		go func() {
			e, _, err := spawn.Waitid(w.PidFD, 0)
			exits <- exitEvent{idx: i, exit: e, err: err}
		}()
	}
	tty := isTerminal(outFile)
	if tty {
		interval = 250 * time.Millisecond
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	drawn := 0 // lines of the live table currently on the terminal
	say := func(format string, a ...any) {
		if drawn > 0 {
			fmt.Fprintf(out, "\x1b[%dA\x1b[J", drawn) // erase the table, print, redraw on the next tick
			drawn = 0
		}
		fmt.Fprintf(out, format, a...)
	}
	var stopping, allReady bool
	live, failed := len(ws), 0
	done := ctx.Done()
	for live > 0 {
		select {
		case <-done:
			done = nil
			stopping = true
			say("spawn: context cancelled: sending SIGTERM to %d workers\n", live)
			forward(states, say)
		case s := <-sigs:
			if stopping {
				say("spawn: second %s: SIGKILL to the %d workers left\n", sigName(s), live)
				for _, st := range states {
					if !st.exited {
						if err := st.w.Signal(unix.SIGKILL); err != nil {
							say("spawn: worker %d pid %d: %v\n", st.w.ID, st.w.Pid, err)
						}
					}
				}
				continue
			}
			stopping = true
			say("spawn: %s received: forwarding SIGTERM to %d workers through their pidfds\n", sigName(s), live)
			forward(states, say)
		case ev := <-progress:
			st := states[ev.idx]
			switch {
			case ev.eof:
				st.eof = true
				if st.exit != nil {
					failed += report(st, say)
					live--
				}
			case ev.msg.Ready:
				st.ready = true
				if stopping {
					forward(states, say) // it was not ready when the signal came: send it now
				}
				if !allReady && everyReady(states) {
					allReady = true
					say("spawn: all %d workers ready\n", len(ws))
				}
			case ev.msg.Log != "":
				say("%s\n", ev.msg.Log)
			default:
				st.hashes = ev.msg.Hashes
			}
		case ev := <-exits:
			st := states[ev.idx]
			st.exited, st.exit = true, &ev
			if st.eof {
				failed += report(st, say)
				live--
			}
		case <-ticker.C:
			lines := progressLines(states)
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
	say("spawn: all %d workers reaped; children of pid %d left: %s\n", len(ws), os.Getpid(), childrenLeft(os.Getpid()))
	if failed > 0 {
		return fmt.Errorf("spawn: %d of %d workers did not exit cleanly", failed, len(ws))
	}
	return nil
}

// report prints how a worker ended and releases it; it returns 1 if the worker failed.
func report(st *workerState, say func(string, ...any)) int {
	ev := st.exit
	defer func() {
		if err := st.w.Close(); err != nil {
			say("spawn: worker %d: close: %v\n", st.w.ID, err)
		}
	}()
	if ev.err != nil {
		say("spawn: worker %d pid %d: %v\n", st.w.ID, st.w.Pid, ev.err)
		return 1
	}
	after := ""
	if st.stopSent {
		after = " after SIGTERM"
	}
	say("spawn: worker %d pid %d reaped via waitid(P_PIDFD): %s%s, cpu %.2fs (rusage), max RSS %d KiB\n",
		st.w.ID, st.w.Pid, ev.exit, after, ev.exit.CPU().Seconds(), ev.exit.Rusage.Maxrss)
	if !ev.exit.Success() {
		return 1
	}
	return 0
}

// forward sends SIGTERM to every ready worker that has not had it yet. A worker that is not
// ready has no handler yet (SIGTERM would kill it by default action, without its line): it gets
// the signal when its "ready" arrives.
func forward(states []*workerState, say func(string, ...any)) {
	for _, st := range states {
		if st.exited || st.stopSent || !st.ready {
			continue
		}
		if err := st.w.Stop(); err != nil {
			say("spawn: worker %d pid %d: %v\n", st.w.ID, st.w.Pid, err)
		}
		st.stopSent = true
	}
}

func everyReady(states []*workerState) bool {
	for _, st := range states {
		if !st.ready && !st.exited {
			return false
		}
	}
	return true
}

// progressLines reads each live worker's CPU time from /proc/<pid>/stat: the kernel's account,
// not the worker's own claim.
func progressLines(states []*workerState) []string {
	var lines []string
	for _, st := range states {
		if st.exited {
			continue
		}
		cpu, threads := "?", "?"
		if s, err := proc.ReadStat("/proc", st.w.Pid); err == nil {
			cpu = fmt.Sprintf("%.2fs", s.CPUSeconds())
			threads = fmt.Sprint(s.NumThreads)
		}
		lines = append(lines, fmt.Sprintf("  worker %d pid %d  cpu %s  threads %s (%s)  hashes %d",
			st.w.ID, st.w.Pid, cpu, threads, runningThreads(st.w.Pid), st.hashes))
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

// readProgress turns a worker's progress pipe into events until EOF (the worker exited).
func readProgress(idx, fd int, events chan<- progressEvent) {
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		events <- progressEvent{idx: idx, eof: true}
		return
	}
	// The dup shares the non-blocking file description, so os.NewFile makes it pollable; the
	// Worker keeps owning the original fd.
	f := os.NewFile(uintptr(dup), "progress")
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		msg, err := spawn.ParseProgress(sc.Text())
		if err != nil {
			continue
		}
		events <- progressEvent{idx: idx, msg: msg}
	}
	events <- progressEvent{idx: idx, eof: true}
}

// killAndReap cleans up after a failed start.
func killAndReap(ws []*spawn.Worker) {
	for _, w := range ws {
		w.Signal(unix.SIGKILL)
		spawn.Waitid(w.PidFD, 0)
		w.Close()
	}
}

// childrenLeft lists the processes whose parent is pid, from /proc/*/stat: "none" is the claim
// "nothing left behind" checked against the kernel.
func childrenLeft(pid int) string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err.Error()
	}
	var kids []string
	for _, e := range entries {
		var p int
		if _, err := fmt.Sscanf(e.Name(), "%d", &p); err != nil {
			continue
		}
		if s, err := proc.ReadStat("/proc", p); err == nil && s.PPID == pid {
			kids = append(kids, fmt.Sprintf("%d (%c)", s.PID, s.State))
		}
	}
	if len(kids) == 0 {
		return "none"
	}
	return strings.Join(kids, " ")
}

func printObserve(out io.Writer, parent int, ws []*spawn.Worker) {
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

func sigName(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		return unix.SignalName(n)
	}
	return s.String()
}

// fileOf returns w as an *os.File when it is one.
func fileOf(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}

// isTerminal reports whether f is a terminal (TCGETS succeeds only on a tty).
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
