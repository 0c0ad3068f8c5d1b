// Package spawn starts the lab's worker processes and watches them through pidfds.
//
// Go cannot fork() without exec: after fork only the forking thread exists in the child, while
// the runtime's scheduler, garbage collector and other threads' locks are left behind in an
// inconsistent state, so syscall.forkAndExecInChild runs only async-signal-safe raw syscalls
// before execve. A worker is therefore a re-execution of the forensics binary itself, in a
// hidden worker mode.
package spawn

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
	"kernel-foundations/forensics/internal/signame"
)

// WorkerCommand is the hidden subcommand that runs a worker (see RunWorker).
const WorkerCommand = "_worker"

// Options describe one worker to start.
type Options struct {
	Exe      string        // the forensics binary (os.Executable)
	ID       int           // 1-based worker number, printed in every line it writes
	Duration time.Duration // how long it hashes unless stopped
	Stdout   *os.File      // inherited directly: the worker's lines survive the parent's death
	Stderr   *os.File
	// Pdeathsig is sent by the kernel to the worker when the thread that started it dies
	// (PR_SET_PDEATHSIG, prctl(2)). The caller must start workers from a goroutine locked to
	// its thread and keep it locked, and alive, for as long as the workers live: see Start.
	Pdeathsig syscall.Signal
}

// Worker is a started worker process. It owns its descriptors: the pidfd, the progress pipe's
// read end and the control pipe's write end, all unexported (one owner per fd, STYLE.md), and
// Close releases them once.
type Worker struct {
	ID  int
	Pid int
	// pidfd refers to the process for as long as it is open, even after the pid is reused;
	// signals go through pidfd_send_signal(2) and the exit is collected with waitid(P_PIDFD).
	pidfd int
	// progress is the read end of the worker's progress pipe (fd 3 in the worker),
	// non-blocking and close-on-exec. The worker writes "ready" once its SIGTERM handler is
	// installed, then "progress N" lines, N being the hashes done so far.
	progress int
	// control is the write end of the control pipe (fd 4 in the worker): Stop writes a token
	// there before its SIGTERM, so the worker can tell a forwarded SIGTERM from the kernel's
	// parent-death one, which comes with EOF instead.
	control *os.File
	proc    *os.Process
	closed  bool
}

// PidFD is the worker's pidfd, for an epoll set or a log line; the Worker keeps owning it.
func (w *Worker) PidFD() int { return w.pidfd }

// ProgressFD is the progress pipe's non-blocking read end, for an epoll set or a log line; the
// Worker keeps owning it.
func (w *Worker) ProgressFD() int { return w.progress }

// Start starts a worker: /proc/self/exe's binary in worker mode, in its own process group (so a
// terminal's Ctrl-C reaches the parent only, which forwards SIGTERM: each worker sees one signal),
// with a pidfd and a parent-death signal.
//
// PR_SET_PDEATHSIG fires when the creating *thread* exits, not the process
// (go.dev/issue/27505, syscall.SysProcAttr.Pdeathsig's doc). Go only ever terminates a thread
// when a goroutine exits while locked to it (runtime.LockOSThread), so the caller locks the
// starting goroutine to its thread and keeps it locked and running until every worker is
// reaped: no other goroutine can then be scheduled on that thread and take it down with it.
// A subreaper (PR_SET_CHILD_SUBREAPER) would not help here: it adopts orphans of its
// descendants, but when the parent itself is SIGKILLed its workers still run on, reparented.
func Start(o Options) (w *Worker, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, os.NewSyscallError("pipe2", err)
	}
	r, wr := p[0], os.NewFile(uintptr(p[1]), "progress")
	defer wr.Close() // the worker has its copy as fd 3; ours must go so EOF can arrive
	defer func() {
		if err != nil {
			unix.Close(r)
		}
	}()
	var c [2]int
	if err := unix.Pipe2(c[:], unix.O_CLOEXEC); err != nil {
		return nil, os.NewSyscallError("pipe2", err)
	}
	cr, cw := os.NewFile(uintptr(c[0]), "control"), os.NewFile(uintptr(c[1]), "control")
	defer cr.Close() // the worker's copy is fd 4
	defer func() {
		if err != nil {
			cw.Close()
		}
	}()
	// Only the read end is non-blocking: the flag lives in the open file description,
	// which the worker's fd 3 would otherwise share.
	if err := unix.SetNonblock(r, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	pidfd := -1
	cmd := exec.Command(o.Exe, WorkerCommand, "-id", strconv.Itoa(o.ID), "-duration", o.Duration.String())
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	cmd.ExtraFiles = []*os.File{wr, cr}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,
		Pdeathsig: o.Pdeathsig,
		PidFD:     &pidfd,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker %d: %w", o.ID, err)
	}
	return &Worker{ID: o.ID, Pid: cmd.Process.Pid, pidfd: pidfd, progress: r, control: cw, proc: cmd.Process}, nil
}

// StopToken is what Stop writes to the control pipe before its SIGTERM.
const StopToken = "stop\n"

// Stop asks the worker to stop: the token on the control pipe, then SIGTERM. A worker that has
// already exited makes the write fail with EPIPE, which the runtime turns into an error, not a
// SIGPIPE death, on any fd but 1 and 2 (os/signal/doc.go); its SIGTERM then fails with ESRCH.
func (w *Worker) Stop() error {
	if _, err := w.control.WriteString(StopToken); err != nil {
		return fmt.Errorf("worker %d control pipe: %w", w.ID, err)
	}
	return w.Signal(unix.SIGTERM)
}

// Signal sends sig through the pidfd: unlike kill(2) it cannot hit a recycled pid.
func (w *Worker) Signal(sig unix.Signal) error {
	if err := unix.PidfdSendSignal(w.pidfd, sig, nil, 0); err != nil {
		return os.NewSyscallError("pidfd_send_signal", err)
	}
	return nil
}

// Wait collects the worker's exit through its pidfd: Waitid(pidfd, options).
func (w *Worker) Wait(options int) (Exit, bool, error) { return Waitid(w.pidfd, options) }

// Close releases the worker's descriptors; the second and later calls do nothing and return nil.
// Closing before the worker is reaped is allowed (an error path): the pid then stays a zombie
// until this process exits, but no descriptor leaks.
func (w *Worker) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := unix.Close(w.pidfd)
	if cerr := unix.Close(w.progress); err == nil {
		err = cerr
	}
	if cerr := w.control.Close(); err == nil {
		err = cerr
	}
	// os/exec keeps its own pidfd (a dup of ours, os/pidfd_linux.go); Release closes it.
	if rerr := w.proc.Release(); err == nil {
		err = rerr
	}
	w.pidfd, w.progress = -1, -1
	return err
}

// si_code values of a SIGCHLD siginfo (include/uapi/asm-generic/siginfo.h); x/sys does not
// export them.
const (
	CLDExited = 1 // exited normally: Status is the exit status
	CLDKilled = 2 // killed by a signal: Status is the signal
	CLDDumped = 3 // killed by a signal and dumped core
)

// Exit is a child's end as waitid(2) reports it.
type Exit struct {
	Pid    int
	Code   int // CLDExited, CLDKilled or CLDDumped
	Status int // the exit status, or the signal number
	Rusage unix.Rusage
}

func (e Exit) String() string {
	switch e.Code {
	case CLDExited:
		return "exited with status " + strconv.Itoa(e.Status)
	case CLDKilled:
		return "killed by " + signame.Name(e.Status)
	case CLDDumped:
		return "killed by " + signame.Name(e.Status) + " (core dumped)"
	}
	return fmt.Sprintf("si_code %d status %d", e.Code, e.Status)
}

// Success reports exit status 0.
func (e Exit) Success() bool { return e.Code == CLDExited && e.Status == 0 }

// CPU is the child's user+system time from its rusage.
func (e Exit) CPU() time.Duration {
	return time.Duration(e.Rusage.Utime.Nano() + e.Rusage.Stime.Nano())
}

// sigchldInfo is the SIGCHLD layout of siginfo_t on 64-bit Linux (include/uapi/asm-generic/siginfo.h:
// three ints, padding to 8, then si_pid, si_uid, si_status), which unix.Siginfo keeps opaque.
type sigchldInfo struct {
	Signo, Errno, Code, _ int32
	Pid                   int32
	UID                   uint32
	Status                int32
	_                     [100]byte
}

// Waitid wraps waitid(P_PIDFD, pidfd, ..., options|WEXITED, &rusage). With WNOHANG and no exit yet
// it returns ok == false. With WNOWAIT the child stays a zombie. EINTR is retried (eintr.Retry):
// a signal handler of the Go runtime (SIGURG preemption, SIGPROF) may interrupt the blocking wait.
func Waitid(pidfd int, options int) (e Exit, ok bool, err error) {
	var info sigchldInfo
	err = eintr.Retry(func() error {
		return unix.Waitid(unix.P_PIDFD, pidfd, (*unix.Siginfo)(unsafe.Pointer(&info)), options|unix.WEXITED, &e.Rusage)
	})
	if err != nil {
		return e, false, os.NewSyscallError("waitid", err)
	}
	if info.Pid == 0 { // WNOHANG and still running: waitid(2) zeroes si_pid
		return e, false, nil
	}
	e.Pid, e.Code, e.Status = int(info.Pid), int(info.Code), int(info.Status)
	return e, true, nil
}
