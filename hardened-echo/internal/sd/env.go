package sd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The environment's grammar, apart from the descriptors and sockets it names: pure functions
// of the variables' values and this process's pid, so that they can be tested (and fuzzed)
// without touching a descriptor.

// parseListenEnv interprets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES for process self: n
// descriptors were passed, named by names, or by nobody when names is nil ("unknown" each, as
// sd_listen_fds_with_names(3) reports). ours is false, with no error, when LISTEN_PID is unset
// or names another process (sd_listen_fds(3)). Nothing is allocated per descriptor: n may be
// any int, and only the descriptors themselves tell how many really were passed.
func parseListenEnv(pidEnv, fdsEnv, namesEnv string, self int) (n int, names []string, ours bool, err error) {
	if pidEnv == "" {
		return 0, nil, false, nil
	}
	pid, err := strconv.Atoi(pidEnv)
	if err != nil || pid <= 0 {
		return 0, nil, false, fmt.Errorf("LISTEN_PID=%q: not a process id", pidEnv)
	}
	// LISTEN_PID must equal getpid(): sd_listen_fds(3) ignores the fds otherwise, because the
	// variables leak into children that did not receive the descriptors.
	if pid != self {
		return 0, nil, false, nil
	}
	n, err = strconv.Atoi(fdsEnv)
	if err != nil || n < 0 {
		return 0, nil, false, fmt.Errorf("LISTEN_FDS=%q: not a descriptor count", fdsEnv)
	}
	if namesEnv != "" {
		// Count before splitting: a huge LISTEN_FDS must not size anything.
		if got := strings.Count(namesEnv, ":") + 1; got != n {
			return 0, nil, false, fmt.Errorf("LISTEN_FDNAMES=%q names %d descriptors, LISTEN_FDS=%d", namesEnv, got, n)
		}
		names = strings.Split(namesEnv, ":")
	}
	return n, names, true, nil
}

// checkNotifySocket checks NOTIFY_SOCKET's value: an absolute path, or an abstract socket
// when it starts with '@' (unix.SockaddrUnix turns the '@' into the leading NUL of sun_path).
func checkNotifySocket(path string) error {
	if path[0] != '/' && path[0] != '@' {
		return fmt.Errorf("NOTIFY_SOCKET=%q: neither an absolute path nor an abstract (@) name", path)
	}
	// unix.SockaddrUnix keeps one byte of sun_path for the terminating NUL, abstract names
	// included (x/sys/unix syscall_linux.go, SockaddrUnix.sockaddr): refuse here, by name,
	// what sendto would refuse later as EINVAL.
	if len(path) >= sunPathLen {
		return fmt.Errorf("NOTIFY_SOCKET=%q: %d bytes, sun_path holds %d", path, len(path), sunPathLen-1)
	}
	return nil
}

// sunPathLen is the size of sockaddr_un's sun_path (linux/un.h UNIX_PATH_MAX).
const sunPathLen = 108

// parseWatchdogEnv interprets WATCHDOG_USEC and WATCHDOG_PID for process self: 0, with no
// error, when WATCHDOG_USEC is unset or WATCHDOG_PID names another process
// (sd_watchdog_enabled(3)).
func parseWatchdogEnv(usecEnv, pidEnv string, self int) (time.Duration, error) {
	if usecEnv == "" {
		return 0, nil
	}
	usec, err := strconv.ParseUint(usecEnv, 10, 64)
	if err != nil || usec == 0 {
		return 0, fmt.Errorf("WATCHDOG_USEC=%q: not a positive number of microseconds", usecEnv)
	}
	// systemd allows any value below USEC_INFINITY (2^64-1); a time.Duration holds 2^63-1 ns,
	// about 292 years: refuse the rest rather than wrap into a negative interval.
	if usec > math.MaxInt64/uint64(time.Microsecond) {
		return 0, fmt.Errorf("WATCHDOG_USEC=%q: longer than a time.Duration holds (%d us)", usecEnv, math.MaxInt64/uint64(time.Microsecond))
	}
	if pidEnv != "" {
		pid, err := strconv.Atoi(pidEnv)
		if err != nil || pid <= 0 {
			return 0, fmt.Errorf("WATCHDOG_PID=%q: not a process id", pidEnv)
		}
		if pid != self {
			return 0, nil
		}
	}
	return time.Duration(usec) * time.Microsecond, nil
}
