package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/proc"
	"kernel-foundations/forensics/internal/sigloop"
	"kernel-foundations/forensics/internal/signame"
	"kernel-foundations/forensics/internal/spawn"
)

// maskedEnv marks the second image of supervise: the one that started with the signalfd signals
// already blocked in its initial thread, and so in every thread the runtime creates.
const maskedEnv = "FORENSICS_SUPERVISE_MASKED"

// signalfdSignals are read through the signalfd. They can stay blocked in a Go program:
// the runtime keeps a blocked mask inherited across exec for every signal except the ones it
// must see (runtime/signal_unix.go blockableSig, minitSignalMask; os/signal/doc.go).
var signalfdSignals = []unix.Signal{unix.SIGUSR1, unix.SIGUSR2}

// bridgedSignals are the ones the runtime unblocks on every thread it starts (sigtable flags
// _SigKill/_SigUnblock): no mask keeps them away from the runtime's handler, so they come in
// through os/signal and are bridged into the epoll set through an eventfd.
var bridgedSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT}

// runSupervise is spawn on one event loop: signalfd, eventfd bridge and pidfds in one epoll set,
// served by one goroutine locked to its thread.
func runSupervise(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics supervise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workers := fs.Int("workers", 4, "number of worker processes")
	duration := fs.Duration("duration", 5*time.Second, "how long each worker computes")
	trySIGCHLD := fs.Bool("try-sigchld", false, "experiment: also block SIGCHLD and read it from the signalfd, and count what arrives")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workers < 1 || *workers > 1024 {
		return fmt.Errorf("supervise: -workers %d: want 1..1024", *workers)
	}
	if *duration <= 0 {
		return fmt.Errorf("supervise: -duration must be positive")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supervise: unexpected argument %q", fs.Arg(0))
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	sigs := signalfdSignals
	if *trySIGCHLD {
		sigs = append(sigs[:len(sigs):len(sigs)], unix.SIGCHLD)
	}
	if os.Getenv(maskedEnv) != "1" {
		return reexecMasked(exe, args, sigs)
	}
	outFile, errFile := fileOf(stdout), fileOf(stderr)
	if outFile == nil || errFile == nil {
		return errors.New("supervise: stdout and stderr must be files or pipes")
	}
	s := &supervisor{out: stdout, sigs: sigs}
	return s.run(ctx, exe, *workers, *duration, outFile, errFile)
}

// reexecMasked blocks the signalfd signals on this thread and execve(2)s the same binary with the
// same arguments: the mask survives execve, so the new image's initial thread, and every thread
// its runtime clones from it, starts with them blocked. Blocking them here, on one thread of a
// running Go program, would not do: the runtime's other threads keep them unblocked and the
// kernel would deliver them there. execve keeps the pid, so `kill -USR1 <pid>` still reaches us.
func reexecMasked(exe string, args []string, sigs []unix.Signal) error {
	runtime.LockOSThread() // execve runs on this thread; its mask is the one the new image gets
	if err := sigloop.Block(sigs...); err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	argv := append([]string{exe, "supervise"}, args...)
	env := append(os.Environ(), maskedEnv+"=1")
	if err := syscall.Exec(exe, argv, env); err != nil {
		return fmt.Errorf("supervise: re-exec with a blocked mask: %w", os.NewSyscallError("execve", err))
	}
	return nil // not reached
}

// supervisor is the loop's state. Only the loop goroutine touches it, except bridged, which the
// os/signal goroutine fills.
type supervisor struct {
	out     io.Writer
	sigs    []unix.Signal // read from the signalfd
	sigchld int           // SIGCHLDs the signalfd delivered (-try-sigchld)
	ep      *sigloop.Epoll
	sfd     int
	efd     int
	g       *spawn.Group
	byFD    map[int32]func() error

	mu      sync.Mutex
	bridged []os.Signal
}

func (s *supervisor) say(format string, a ...any) {
	fmt.Fprintf(s.out, "supervise: "+format+"\n", a...)
}

func (s *supervisor) run(ctx context.Context, exe string, n int, duration time.Duration, outFile, errFile *os.File) (err error) {
	// One goroutine, one thread: the epoll loop, and the thread that forks the workers, so that
	// their parent-death signal fires only when this loop's thread dies (spawn.Start). The lock
	// is never released: the thread carries the blocked mask the re-exec gave it.
	runtime.LockOSThread()
	if err := s.checkMask(); err != nil {
		return err
	}
	s.g = &spawn.Group{
		Prefix: "supervise: ",
		Print:  func(line string) { fmt.Fprintln(s.out, line) },
		Reaped: func(t *spawn.Tracked, e spawn.Exit, after string) string {
			return fmt.Sprintf("worker %d pid %d reaped via pidfd %d, waitid(P_PIDFD): %s%s, cpu %.2fs", t.ID, t.Pid, t.PidFD(), e, after, e.CPU().Seconds())
		},
	}
	s.sfd, s.efd = -1, -1
	defer func() {
		if err != nil {
			// Kill and reap what still runs, close what is still open: exited workers whose
			// pipe had not reached EOF yet included.
			s.g.Abort()
		}
		for _, fd := range []int{s.sfd, s.efd} {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
		if s.ep != nil {
			s.ep.Close()
		}
	}()
	if s.ep, err = sigloop.NewEpoll(); err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	if s.sfd, err = sigloop.Signalfd(s.sigs...); err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	if s.efd, err = sigloop.Eventfd(); err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	s.byFD = map[int32]func() error{int32(s.sfd): s.onSignalfd, int32(s.efd): s.onBridge}
	for _, fd := range []int{s.sfd, s.efd} {
		if err := s.ep.Add(fd); err != nil {
			return fmt.Errorf("supervise: %w", err)
		}
	}

	// The bridge: os/signal delivers SIGTERM/SIGINT on a channel; a goroutine queues them and
	// pokes the eventfd, so they arrive in the same epoll set, in order with everything else.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, bridgedSignals...)
	defer signal.Stop(sigs)
	bridgeDone := make(chan struct{})
	defer close(bridgeDone)
	go func() {
		for {
			select {
			case sig := <-sigs:
				s.mu.Lock()
				s.bridged = append(s.bridged, sig)
				s.mu.Unlock()
				if err := sigloop.Poke(s.efd); err != nil {
					fmt.Fprintf(errFile, "supervise: bridge: %v\n", err)
				}
			case <-bridgeDone:
				return
			}
		}
	}()

	for i := 1; i <= n; i++ {
		w, err := spawn.Start(spawn.Options{
			Exe: exe, ID: i, Duration: duration, Stdout: outFile, Stderr: errFile, Pdeathsig: syscall.SIGTERM,
		})
		if err != nil {
			return fmt.Errorf("supervise: %w", err)
		}
		t := s.g.Add(w)
		s.byFD[int32(w.PidFD())] = func() error { return s.onExit(t) }
		s.byFD[int32(w.ProgressFD())] = func() error { return s.onProgress(t) }
		for _, fd := range []int{w.PidFD(), w.ProgressFD()} {
			if err := s.ep.Add(fd); err != nil {
				return fmt.Errorf("supervise: %w", err)
			}
		}
		s.say("worker %d pid %d started; pidfd %d and progress pipe %d in epoll fd %d", i, w.Pid, w.PidFD(), w.ProgressFD(), s.ep.Fd())
	}

	announced := false
	for s.g.Live > 0 {
		fds, err := s.ep.Wait()
		if err != nil {
			return fmt.Errorf("supervise: %w", err)
		}
		for _, fd := range fds {
			h, ok := s.byFD[fd]
			if !ok {
				continue // removed by an earlier handler in this batch
			}
			if err := h(); err != nil {
				return fmt.Errorf("supervise: %w", err)
			}
		}
		if !announced && s.g.AllReady() {
			announced = true
			s.say("ready: pid %d; signalfd %d reads %s, eventfd %d bridges %s, %d pidfds in epoll fd %d",
				os.Getpid(), s.sfd, names(s.sigs), s.efd, "SIGTERM SIGINT", len(s.g.Workers), s.ep.Fd())
		}
		if ctx.Err() != nil && !s.g.Stopping {
			s.stop("context cancelled")
		}
	}

	s.say("all %d workers reaped through their pidfds; children of pid %d left: %s", n, os.Getpid(), spawn.ChildrenLeft(os.Getpid()))
	if slices.Contains(s.sigs, unix.SIGCHLD) {
		s.say("-try-sigchld: %d children exited, the signalfd delivered %d SIGCHLD", n, s.sigchld)
	}
	if s.g.Failed > 0 {
		return fmt.Errorf("supervise: %d of %d workers did not exit cleanly", s.g.Failed, n)
	}
	return nil
}

// checkMask verifies, from /proc/self/task/*/status, that every thread blocks the signalfd
// signals: the claim the whole design rests on, checked against the kernel.
func (s *supervisor) checkMask() error {
	want := uint64(0)
	for _, sig := range signalfdSignals { // SIGCHLD (-try-sigchld) is expected to be unblocked
		want |= 1 << (sig - 1)
	}
	p, err := proc.Read("/proc", os.Getpid())
	if err != nil {
		return fmt.Errorf("supervise: %w", err)
	}
	for _, t := range p.Threads {
		if t.Status.SigBlk&want != want {
			return fmt.Errorf("supervise: thread %d blocks only %s, want %s", t.TID, proc.DescribeSignals(t.Status.SigBlk), proc.DescribeSignals(want))
		}
	}
	s.say("pid %d re-executed with %s blocked; /proc/%d/task: all %d threads block them", os.Getpid(), proc.DescribeSignals(want), os.Getpid(), len(p.Threads))
	if slices.Contains(s.sigs, unix.SIGCHLD) {
		n := 0
		for _, t := range p.Threads {
			if t.Status.SigBlk&(1<<(unix.SIGCHLD-1)) != 0 {
				n++
			}
		}
		s.say("-try-sigchld: SIGCHLD was blocked across execve too, yet only %d of %d threads block it now: the runtime unblocks it", n, len(p.Threads))
	}
	return nil
}

func (s *supervisor) onSignalfd() error {
	for {
		info, ok, err := sigloop.ReadSignal(s.sfd)
		if err != nil || !ok {
			return err
		}
		sig := unix.Signal(info.Signo)
		if sig == unix.SIGCHLD {
			s.sigchld++
		}
		s.say("%s from pid %d (uid %d) read from signalfd", signame.Name(int(sig)), info.Pid, info.Uid)
		switch sig {
		case unix.SIGUSR1:
			for _, t := range s.g.Workers {
				if t.Exited {
					continue
				}
				cpu := "?"
				if st, err := proc.ReadStat("/proc", t.Pid); err == nil {
					cpu = fmt.Sprintf("%.2fs", st.CPUSeconds())
				}
				s.say("  worker %d pid %d: cpu %s (/proc/%d/stat), %d hashes, ready %v, SIGTERM sent %v",
					t.ID, t.Pid, cpu, t.Pid, t.Hashes, t.Ready, t.StopSent)
			}
		case unix.SIGUSR2:
			p, err := proc.Read("/proc", os.Getpid())
			if err != nil {
				return err
			}
			for _, t := range p.Threads {
				s.say("  thread %d SigBlk %s", t.TID, proc.DescribeSignals(t.Status.SigBlk))
			}
		}
	}
}

func (s *supervisor) onBridge() error {
	if err := sigloop.Drain(s.efd); err != nil {
		return err
	}
	s.mu.Lock()
	got := s.bridged
	s.bridged = nil
	s.mu.Unlock()
	for _, sig := range got {
		s.say("%s via os/signal, bridged through eventfd %d", signame.Of(sig), s.efd)
		if s.g.Stopping {
			s.say("second signal: SIGKILL to the %d workers left", s.g.Live)
			s.g.Kill()
			continue
		}
		s.stop(signame.Of(sig))
	}
	return nil
}

// stop forwards SIGTERM to every ready worker; workers not ready yet get it when they are.
func (s *supervisor) stop(why string) {
	s.say("%s: forwarding SIGTERM to %d workers through pidfd_send_signal", why, s.g.Live)
	s.g.Forward()
}

// onProgress reads what the worker's progress pipe holds. At EOF (the worker exited and closed
// its end) the pipe leaves the epoll set.
func (s *supervisor) onProgress(t *spawn.Tracked) error {
	eof, err := s.g.ReadAvailable(t)
	if err != nil || !eof {
		return err
	}
	delete(s.byFD, int32(t.ProgressFD()))
	if err := s.ep.Del(t.ProgressFD()); err != nil {
		return err
	}
	return s.g.Closed(t)
}

// onExit collects the exit through the pidfd. The report waits for the progress pipe's EOF, so
// the worker's last line is printed before its exit status.
func (s *supervisor) onExit(t *spawn.Tracked) error {
	e, ok, err := t.Wait(unix.WNOHANG)
	if err != nil {
		return err
	}
	if !ok {
		return nil // spurious wakeup
	}
	delete(s.byFD, int32(t.PidFD()))
	if err := s.ep.Del(t.PidFD()); err != nil {
		return err
	}
	return s.g.Exited(t, e, nil)
}

func names(sigs []unix.Signal) string {
	var b bytes.Buffer
	for i, s := range sigs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(signame.Name(int(s)))
	}
	return b.String()
}
