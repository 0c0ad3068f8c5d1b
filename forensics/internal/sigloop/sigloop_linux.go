// Package sigloop holds the small kernel wrappers the supervise loop is built from: signal sets,
// signalfd, eventfd, epoll (EINTR is retried by the module's one helper, internal/eintr). signal-disciplined-server has its own copy of
// the same ideas: modules never import each other.
package sigloop

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
)

// Set builds a kernel signal set: bit n-1 stands for signal n.
func Set(sigs ...unix.Signal) *unix.Sigset_t {
	var s unix.Sigset_t
	for _, sig := range sigs {
		s.Val[(sig-1)/64] |= 1 << (uint(sig-1) % 64)
	}
	return &s
}

// Block adds sigs to the calling thread's signal mask: pthread_sigmask(SIG_BLOCK). It changes
// this thread only, so the caller must be locked to it (runtime.LockOSThread) and must never
// unlock: the thread's mask is no longer the runtime's (this thread is poisoned from here).
func Block(sigs ...unix.Signal) error {
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, Set(sigs...), nil); err != nil {
		return os.NewSyscallError("rt_sigprocmask", err)
	}
	return nil
}

// Signalfd wraps signalfd4(2): a non-blocking, close-on-exec fd that reads the signals of sigs
// that are pending for the process or the reading thread. They must be blocked in every thread,
// or the kernel delivers them to a thread that does not block them instead.
func Signalfd(sigs ...unix.Signal) (int, error) {
	fd, err := unix.Signalfd(-1, Set(sigs...), unix.SFD_CLOEXEC|unix.SFD_NONBLOCK)
	if err != nil {
		return -1, os.NewSyscallError("signalfd4", err)
	}
	return fd, nil
}

// ReadSignal reads one signalfd_siginfo. ok is false when none is pending (EAGAIN).
func ReadSignal(fd int) (info unix.SignalfdSiginfo, ok bool, err error) {
	buf := (*[unsafe.Sizeof(info)]byte)(unsafe.Pointer(&info))[:]
	n, err := retry(func() (int, error) { return unix.Read(fd, buf) })
	if errors.Is(err, unix.EAGAIN) {
		return info, false, nil // drained: every pending signal has been read
	}
	if err != nil {
		return info, false, os.NewSyscallError("read signalfd", err)
	}
	if n != len(buf) {
		return info, false, errors.New("short read from signalfd")
	}
	return info, true, nil
}

// Eventfd wraps eventfd2(2): a non-blocking, close-on-exec counter, readable while non-zero.
func Eventfd() (int, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return -1, os.NewSyscallError("eventfd2", err)
	}
	return fd, nil
}

// Poke adds 1 to an eventfd. EAGAIN means the counter is at its maximum, which wakes the reader
// just as well.
func Poke(fd int) error {
	one := [8]byte{1} // a native-endian uint64 1 on little-endian amd64/arm64
	_, err := retry(func() (int, error) { return unix.Write(fd, one[:]) })
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		return os.NewSyscallError("write eventfd", err)
	}
	return nil
}

// Drain reads an eventfd's counter back to zero. EAGAIN means it already was zero.
func Drain(fd int) error {
	var b [8]byte
	_, err := retry(func() (int, error) { return unix.Read(fd, b[:]) })
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		return os.NewSyscallError("read eventfd", err)
	}
	return nil
}

// Epoll is an epoll instance. It owns its fd, not the fds it watches.
type Epoll struct {
	fd     int
	events []unix.EpollEvent
}

// NewEpoll wraps epoll_create1(EPOLL_CLOEXEC).
func NewEpoll() (*Epoll, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Epoll{fd: fd, events: make([]unix.EpollEvent, 16)}, nil
}

// Fd is the epoll fd itself.
func (e *Epoll) Fd() int { return e.fd }

// Add watches fd for input (EPOLLIN, level-triggered).
func (e *Epoll) Add(fd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
	if err := unix.EpollCtl(e.fd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl add", err)
	}
	return nil
}

// Del stops watching fd. Call it before closing fd: a closed fd leaves the epoll set only when
// every duplicate of its open file description is closed (epoll(7), Q6).
func (e *Epoll) Del(fd int) error {
	if err := unix.EpollCtl(e.fd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return os.NewSyscallError("epoll_ctl del", err)
	}
	return nil
}

// Wait blocks until at least one watched fd is ready and returns the ready fds. The blocking
// epoll_wait is an ordinary (entersyscall) syscall: the runtime hands this thread's P to
// another thread while it sleeps, which costs a wakeup but nothing here is latency-bound.
func (e *Epoll) Wait() ([]int32, error) {
	n, err := retry(func() (int, error) { return unix.EpollWait(e.fd, e.events, -1) })
	if err != nil {
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	fds := make([]int32, n)
	for i := range n {
		fds[i] = e.events[i].Fd
	}
	return fds, nil
}

// Close closes the epoll fd.
func (e *Epoll) Close() error {
	if e.fd < 0 {
		return nil
	}
	err := unix.Close(e.fd)
	e.fd = -1
	return err
}

// retry adapts a syscall that returns a count to eintr.Retry.
func retry(f func() (int, error)) (n int, err error) {
	err = eintr.Retry(func() (err error) {
		n, err = f()
		return err
	})
	return n, err
}
