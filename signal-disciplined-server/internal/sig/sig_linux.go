package sig

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReexecEnv marks the second image: its value is the pid that blocked the signals and exec'd.
// execve(2) keeps the pid, so the re-executed image recognises itself by comparing it with
// getpid(); a marker inherited from some other process (a child of this server started with
// the environment unchanged) never matches, so such a child blocks its own signals instead of
// trusting a stale marker.
const ReexecEnv = "SIGNAL_DISCIPLINED_SERVER_MASKED"

// Set returns sigs as a kernel sigset.
func Set(sigs []int) *unix.Sigset_t {
	var s unix.Sigset_t
	for _, n := range sigs {
		s.Val[(n-1)/64] |= 1 << (uint(n-1) % 64)
	}
	return &s
}

// EnsureBlocked makes sure every thread of this process has Blocked() in its signal mask. The Go
// runtime copies the mask the process starts with to every thread it creates, after removing
// only the signals it needs (runtime/signal_unix.go minitSignalMask, blockableSig), so the only
// race-free way to get a signal blocked on every thread is to have it blocked before the runtime
// starts: block the set on this (locked) thread and execve this binary again, which keeps the
// calling thread's mask (execve(2): "the signal mask is preserved").
//
// In the first image EnsureBlocked returns only with an error. In the second it checks that the
// mask really arrived, removes the marker from the environment and returns nil.
func EnsureBlocked() error {
	want := Set(Blocked())
	if os.Getenv(ReexecEnv) == strconv.Itoa(os.Getpid()) {
		os.Unsetenv(ReexecEnv)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread() // only read the mask here: the thread is unchanged.
		var cur unix.Sigset_t
		if err := unix.PthreadSigmask(unix.SIG_BLOCK, nil, &cur); err != nil {
			return os.NewSyscallError("rt_sigprocmask", err)
		}
		for i := range want.Val {
			if cur.Val[i]&want.Val[i] != want.Val[i] {
				return fmt.Errorf("re-executed with %s set but the signal mask %#x lacks %#x", ReexecEnv, cur.Val[0], want.Val[0])
			}
		}
		return nil
	}
	// The thread is poisoned from here (its mask differs from the runtime's idea of it): never
	// unlock it. It either becomes the new image or the process exits with the error.
	runtime.LockOSThread()
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, want, nil); err != nil {
		return os.NewSyscallError("rt_sigprocmask", err)
	}
	// Drop any marker already in the environment (one copied from a running server's
	// /proc/PID/environ, say) before adding ours: the runtime reads the first of duplicate
	// variables (syscall/env_unix.go copyenv), so the new image would see the stale value, find
	// it is not its pid, and re-execute again, forever.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, ReexecEnv+"=") {
			env = append(env, kv)
		}
	}
	env = append(env, ReexecEnv+"="+strconv.Itoa(os.Getpid()))
	path := self()
	err := syscall.Exec(path, os.Args, env)
	return fmt.Errorf("re-execute %s with the signals blocked: %w", path, os.NewSyscallError("execve", err))
}

// self returns the file to re-execute: the binary's own path, which keeps the process's name
// (execve sets comm from the last part of the path it was given, so "/proc/self/exe" would make
// ps, top and pgrep see "exe"), or /proc/self/exe itself when the binary was deleted or replaced
// since it started (readlink then ends in " (deleted)"), so the same image always runs.
func self() string {
	p, err := os.Readlink("/proc/self/exe")
	if err != nil || strings.HasSuffix(p, " (deleted)") {
		return "/proc/self/exe"
	}
	return p
}

// Info is what the kernel says about one delivered signal (signalfd_siginfo).
type Info struct {
	Signo int
	Code  int32  // SI_USER (0) for kill(2), SI_TKILL (-6) for tgkill(2), SI_QUEUE (-1) for sigqueue(3)
	PID   uint32 // the sender, for signals sent by a process
	UID   uint32 // the sender's real uid
}

// Signalfd owns a signalfd(2) descriptor.
type Signalfd struct {
	fd  int
	buf [8]unix.SignalfdSiginfo
}

// NewSignalfd wraps signalfd4(2): a non-blocking, close-on-exec descriptor that reads the signals
// in sigs. The signals must already be blocked on every thread (EnsureBlocked), or the kernel
// delivers them to a thread that has them unblocked instead of queueing them for the fd.
func NewSignalfd(sigs []int) (*Signalfd, error) {
	fd, err := unix.Signalfd(-1, Set(sigs), unix.SFD_NONBLOCK|unix.SFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("signalfd4", err)
	}
	return &Signalfd{fd: fd}, nil
}

// Fd returns the descriptor, for an epoll set.
func (s *Signalfd) Fd() int { return s.fd }

// Read returns every signal queued for the descriptor, or none (EAGAIN) if there is none.
func (s *Signalfd) Read() ([]Info, error) {
	var out []Info
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s.buf[0])), int(unsafe.Sizeof(s.buf)))
	for {
		n, err := unix.Read(s.fd, b)
		if errors.Is(err, unix.EINTR) {
			continue // signalfd reads are not restarted after a handler ran on this thread
		}
		if errors.Is(err, unix.EAGAIN) {
			return out, nil // nothing (more) queued
		}
		if err != nil {
			return out, os.NewSyscallError("read signalfd", err)
		}
		for _, si := range s.buf[:n/int(unsafe.Sizeof(s.buf[0]))] {
			out = append(out, Info{Signo: int(si.Signo), Code: si.Code, PID: si.Pid, UID: si.Uid})
		}
	}
}

// Close closes the descriptor; it is idempotent.
func (s *Signalfd) Close() error {
	if s.fd < 0 {
		return nil
	}
	err := unix.Close(s.fd)
	s.fd = -1
	return err
}

// Bridge turns signals the runtime will not let a Go program keep blocked (SIGTERM, SIGINT,
// SIGHUP, SIGQUIT: _SigKill/_SigThrow in runtime/sigtab_linux_generic.go, never blockable per
// blockableSig) into readiness of an eventfd, so an epoll loop sees them like any other fd.
// os/signal does not pass on the siginfo, so the sender of a bridged signal is unknown.
type Bridge struct {
	efd     int
	ch      chan os.Signal
	done    chan struct{}
	mu      sync.Mutex
	pending []int
}

// NewBridge starts relaying sigs into a new non-blocking, close-on-exec eventfd.
func NewBridge(sigs ...os.Signal) (*Bridge, error) {
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("eventfd2", err)
	}
	b := &Bridge{efd: efd, ch: make(chan os.Signal, 16), done: make(chan struct{})}
	signal.Notify(b.ch, sigs...)
	go b.relay()
	return b, nil
}

func (b *Bridge) relay() {
	defer close(b.done)
	one := [8]byte{1} // eventfd counters are native-endian uint64: little-endian on every Linux Go port that matters here
	for s := range b.ch {
		b.mu.Lock()
		b.pending = append(b.pending, int(s.(syscall.Signal)))
		b.mu.Unlock()
		// EAGAIN means the counter is already huge: the loop has been told.
		for {
			if _, err := unix.Write(b.efd, one[:]); !errors.Is(err, unix.EINTR) {
				break
			}
		}
	}
}

// Fd returns the eventfd, for an epoll set.
func (b *Bridge) Fd() int { return b.efd }

// Take resets the eventfd and returns the signals received since the last call, oldest first.
func (b *Bridge) Take() []int {
	var cnt [8]byte
	for {
		if _, err := unix.Read(b.efd, cnt[:]); !errors.Is(err, unix.EINTR) {
			break // EAGAIN: the counter was already zero
		}
	}
	b.mu.Lock()
	p := b.pending
	b.pending = nil
	b.mu.Unlock()
	return p
}

// Close stops the relay and closes the eventfd. Signals arriving afterwards get the runtime's
// default action again.
func (b *Bridge) Close() error {
	if b.efd < 0 {
		return nil
	}
	signal.Stop(b.ch)
	close(b.ch)
	<-b.done
	err := unix.Close(b.efd)
	b.efd = -1
	return err
}

// UnmaskEnv turns this program into an exec trampoline for its own children: see Command. Its
// value is the pid of the process that set it, which must be the trampoline's parent: a
// variable exported by mistake in a shell never turns a server start into an exec of its
// first flag.
const UnmaskEnv = "SIGNAL_DISCIPLINED_SERVER_EXEC_UNMASKED"

// Command is exec.Command for a child that must not inherit this server's blocked signals. A
// child started directly would: the runtime's fork path restores the thread's original mask
// before execve (runtime/proc.go syscall_runtime_AfterForkInChild, msigrestore), that mask is the
// one this process was started with, and SysProcAttr has no mask field. So the child is started
// as /proc/self/exe with UnmaskEnv set; its main calls ExecUnmasked first, which empties the mask
// of its locked thread and execs name, and execve keeps that empty mask.
func Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command("/proc/self/exe", append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), UnmaskEnv+"="+strconv.Itoa(os.Getpid())) // os/exec keeps the last duplicate
	return cmd
}

// ExecUnmasked does nothing and returns nil unless UnmaskEnv names the parent process. Then it
// execs os.Args[1] (searched in $PATH) with os.Args[1:] and an empty signal mask, and returns
// only on error. A value naming any other process is removed and ignored.
func ExecUnmasked() error {
	v, ok := os.LookupEnv(UnmaskEnv)
	if !ok {
		return nil
	}
	os.Unsetenv(UnmaskEnv)
	if v != strconv.Itoa(os.Getppid()) {
		return nil
	}
	if len(os.Args) < 2 {
		return fmt.Errorf("%s set but no program to run", UnmaskEnv)
	}
	path, err := exec.LookPath(os.Args[1])
	if err != nil {
		return err
	}
	// Poisoned from here: this thread's mask is not the runtime's idea of it. Never unlocked.
	runtime.LockOSThread()
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &unix.Sigset_t{}, nil); err != nil {
		return os.NewSyscallError("rt_sigprocmask", err)
	}
	err = syscall.Exec(path, os.Args[1:], os.Environ())
	return fmt.Errorf("exec %s: %w", path, os.NewSyscallError("execve", err))
}
