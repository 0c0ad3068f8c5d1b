package loop

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// WaitMode chooses how a loop blocks in epoll_wait.
type WaitMode int

const (
	// WaitRaw calls epoll_pwait through RawSyscall6. The goroutine never
	// enters the scheduler's syscall state, so its P is not handed off by sysmon while it waits
	// (runtime/proc.go retake: a P in _Psyscall for more than 20 us is taken away). The next event
	// is then handled without a thread wakeup and P re-acquisition. The cost: the runtime sees a
	// running goroutine, so a stop-the-world must interrupt it. Async preemption does that with
	// SIGURG, which makes epoll_pwait return EINTR at once; the timeout bounds the delay when async
	// preemption is off (GODEBUG=asyncpreemptoff=1).
	//
	// A finite timeout is not free: epoll_pwait arms a high-resolution timer for every wait that
	// sleeps and cancels it on wakeup. So the bound is used only where it is needed, when
	// GODEBUG turns async preemption off; otherwise a raw wait with nothing timed is unbounded.
	//
	// Only while the loop is busy: a loop that has had no client work for a whole activity
	// window (10 ms) waits as WaitBlocking does until its next event. A raw wait keeps the P
	// "running", so sysmon never sleeps for long and preempts the loop goroutine every 10-20 ms,
	// each time a SIGURG and, for a locked goroutine, a trip through a second thread: an idle
	// server made 350 context switches and used 10 ms of CPU a second that way. Blocked in a
	// real system call, the loop lets the runtime park every thread.
	WaitRaw WaitMode = iota
	// WaitBlocking calls unix.EpollWait, an ordinary syscall that releases the P while blocked.
	WaitBlocking
)

// asyncPreempt: the runtime may interrupt a raw wait with SIGURG. The runtime reads
// asyncpreemptoff as an integer, any value but 0 turning async preemption off, and the last
// setting of a key in $GODEBUG wins.
var asyncPreempt = func() bool {
	n, err := strconv.Atoi(godebug("asyncpreemptoff"))
	return err != nil || n == 0
}()

// godebug returns key's value in $GODEBUG.
func godebug(key string) string {
	v := ""
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// epoll owns one epoll instance.
type epoll struct {
	fd     int
	events []unix.EpollEvent
}

func newEpoll() (*epoll, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &epoll{fd: fd, events: make([]unix.EpollEvent, 256)}, nil
}

func (e *epoll) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl add", unix.EpollCtl(e.fd, unix.EPOLL_CTL_ADD, fd, &ev))
}

func (e *epoll) mod(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl mod", unix.EpollCtl(e.fd, unix.EPOLL_CTL_MOD, fd, &ev))
}

// wait returns the ready events. EINTR (a signal handler ran on this thread, SIGURG preemption
// most often) is reported as no events: the caller recomputes its timers and waits again.
func (e *epoll) wait(mode WaitMode, msec int) ([]unix.EpollEvent, error) {
	var n int
	var err error
	if mode == WaitRaw {
		r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(e.fd),
			uintptr(unsafe.Pointer(&e.events[0])), uintptr(len(e.events)), uintptr(msec), 0, 0)
		runtime.KeepAlive(e.events)
		n = int(r)
		if errno != 0 {
			err = errno
		}
	} else {
		n, err = unix.EpollWait(e.fd, e.events, msec)
	}
	if errors.Is(err, unix.EINTR) {
		return nil, nil
	}
	if err != nil {
		return nil, os.NewSyscallError("epoll_pwait", err)
	}
	return e.events[:n], nil
}

func (e *epoll) close() error {
	if e.fd < 0 {
		return nil
	}
	err := unix.Close(e.fd)
	e.fd = -1
	return err
}
