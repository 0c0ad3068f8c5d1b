package sd

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Notifier sends sd_notify(3) state strings to the service manager. A nil *Notifier (the process
// was not started with NOTIFY_SOCKET) accepts every call and sends nothing, so callers need no
// branches.
type Notifier struct {
	mu   sync.Mutex
	fd   int
	addr *unix.SockaddrUnix
}

// NewNotifier opens a datagram socket for the address in NOTIFY_SOCKET: a path, or an abstract
// socket when it starts with '@' (unix.SockaddrUnix turns the '@' into the leading NUL of
// sun_path). It returns nil, nil when NOTIFY_SOCKET is unset.
//
// The socket is created now, once, so that notification keeps working whatever the process is
// later confined to; systemd's own sd_notify makes a new socket per message instead.
//
// NOTIFY_SOCKET is removed from the environment, as sd_notify(3) does with unset_environment set:
// the notifications are this process's to send, and a program it started must not speak for it.
func NewNotifier() (*Notifier, error) {
	path := os.Getenv("NOTIFY_SOCKET")
	os.Unsetenv("NOTIFY_SOCKET")
	if path == "" {
		return nil, nil
	}
	if err := checkNotifySocket(path); err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", os.NewSyscallError("socket", err))
	}
	return &Notifier{fd: fd, addr: &unix.SockaddrUnix{Name: path}}, nil
}

// Notify sends one datagram holding state, newline-separated assignments such as "READY=1" or
// "STATUS=serving". A nil Notifier does nothing.
func (n *Notifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fd < 0 {
		return fmt.Errorf("notify %q: notifier closed", state)
	}
	// Blocking, like libsystemd's sd_notify: a manager that is slow to drain its queue delays
	// this sender rather than losing READY=1. A datagram goes whole or not at all.
	err := ignoringEINTR(func() error { return unix.Sendto(n.fd, []byte(state), unix.MSG_NOSIGNAL, n.addr) })
	if err != nil {
		return fmt.Errorf("notify %q: %w", state, os.NewSyscallError("sendto", err))
	}
	return nil
}

// Close closes the socket. It is safe to call more than once and on a nil Notifier.
func (n *Notifier) Close() error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fd < 0 {
		return nil
	}
	err := unix.Close(n.fd)
	n.fd = -1
	return os.NewSyscallError("close", err)
}

// WatchdogInterval returns WATCHDOG_USEC as a duration when the manager expects keep-alive pings
// from this process, and 0 when it does not: WATCHDOG_USEC unset, or WATCHDOG_PID naming another
// process (sd_watchdog_enabled(3): the variables were inherited, the watchdog is not ours). Send
// "WATCHDOG=1" at half the interval, as the man page recommends. Both variables are removed from
// the environment, as sd_watchdog_enabled does with unset_environment set.
func WatchdogInterval() (time.Duration, error) {
	usecEnv, pidEnv := os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID")
	os.Unsetenv("WATCHDOG_USEC")
	os.Unsetenv("WATCHDOG_PID")
	return parseWatchdogEnv(usecEnv, pidEnv, os.Getpid())
}

// ignoringEINTR retries f while it fails with EINTR. Go installs its handlers with SA_RESTART
// (runtime/os_linux.go setsig), so the kernel restarts a blocked sendto(2), but signal(7) lists
// the exceptions (a socket with SO_SNDTIMEO, among others); the loop keeps the call correct
// without depending on which socket options are set.
func ignoringEINTR(f func() error) error {
	for {
		err := f()
		if err != unix.EINTR {
			return err
		}
	}
}
