package sd

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fuzzPid stands for getpid() in the environment fuzz targets.
const fuzzPid = 4242

// oneLine fails t when err's message spans lines: a log line per error, whatever the
// environment held.
func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("error spans lines: %q", err)
	}
}

// FuzzListenEnv checks parseListenEnv: when the variables are this process's, it returns
// LISTEN_FDS's count and, with LISTEN_FDNAMES, one name per descriptor, which joined with ':'
// give LISTEN_FDNAMES back; errors are one line. The first name then goes through listenSockets with
// a real descriptor: a socket comes back carrying that name and its SO_TYPE, a pipe is refused
// in one line.
func FuzzListenEnv(f *testing.F) {
	self := strconv.Itoa(fuzzPid)
	f.Add(self, "1", "", false)
	f.Add(self, "2", "dgram:stream", true)
	f.Add(self, "3", "a:b", false)
	f.Add("1", "1", "", false)
	f.Add(self, "x", "", false)
	f.Add(self, "-1", "", true)
	f.Add("0", "1", "a", false)
	f.Fuzz(func(t *testing.T, pidEnv, fdsEnv, namesEnv string, pipe bool) {
		n, names, ours, err := parseListenEnv(pidEnv, fdsEnv, namesEnv, fuzzPid)
		oneLine(t, err)
		if err != nil || !ours {
			if n != 0 || names != nil {
				t.Fatalf("%d descriptors named %q with ours=%v err=%v", n, names, ours, err)
			}
			return
		}
		if want, err := strconv.Atoi(fdsEnv); err != nil || n != want {
			t.Fatalf("LISTEN_FDS=%q: %d descriptors", fdsEnv, n)
		}
		if namesEnv == "" && names != nil {
			t.Fatalf("no LISTEN_FDNAMES: names %q", names)
		}
		if namesEnv != "" && (len(names) != n || strings.Join(names, ":") != namesEnv) {
			t.Fatalf("LISTEN_FDNAMES=%q, LISTEN_FDS=%d: names %q", namesEnv, n, names)
		}
		if n == 0 {
			return
		}
		name := "unknown"
		if names != nil {
			name = names[0]
		}
		var fds [2]int
		if pipe {
			err = unix.Pipe2(fds[:], unix.O_CLOEXEC)
		} else {
			fds, err = unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fds[1])
		sockets, err := listenSockets(fds[0], 1, names[:min(1, len(names))])
		oneLine(t, err)
		switch {
		case pipe && (err == nil || !errors.Is(err, unix.ENOTSOCK)):
			t.Fatalf("a pipe passed as %q: %v, want ENOTSOCK", name, err)
		case pipe:
			unix.Close(fds[0])
		case err != nil:
			t.Fatalf("a socket passed as %q: %v", name, err)
		default:
			defer sockets[0].File.Close()
			if s := sockets[0]; len(sockets) != 1 || s.Name != name || s.Type != unix.SOCK_DGRAM || s.Listening {
				t.Fatalf("a datagram socket passed as %q: %+v", name, sockets)
			}
		}
	})
}

// FuzzWatchdog checks parseWatchdogEnv: an accepted WATCHDOG_USEC is exactly that many
// microseconds, positive; WATCHDOG_PID of another process disables it; errors are one line.
func FuzzWatchdog(f *testing.F) {
	self := strconv.Itoa(fuzzPid)
	for _, usec := range []string{"200000", "1", "0", "-5", "x", "18446744073709551615"} {
		f.Add(usec, "")
		f.Add(usec, self)
	}
	f.Add("1000", "1")
	f.Fuzz(func(t *testing.T, usecEnv, pidEnv string) {
		d, err := parseWatchdogEnv(usecEnv, pidEnv, fuzzPid)
		oneLine(t, err)
		if err != nil || d == 0 {
			if d != 0 {
				t.Fatalf("WATCHDOG_USEC=%q: %v with error %v", usecEnv, d, err)
			}
			return
		}
		usec, perr := strconv.ParseUint(usecEnv, 10, 64)
		if d < 0 || perr != nil || d%time.Microsecond != 0 || uint64(d/time.Microsecond) != usec {
			t.Fatalf("WATCHDOG_USEC=%q gave %v (%d ns)", usecEnv, d, int64(d))
		}
		if pidEnv != "" && pidEnv != strconv.Itoa(fuzzPid) {
			if p, err := strconv.Atoi(pidEnv); err != nil || p != fuzzPid {
				t.Fatalf("WATCHDOG_PID=%q is not ours, yet the interval is %v", pidEnv, d)
			}
		}
	})
}

// FuzzNotifySocket checks checkNotifySocket against the address family's own rules, as
// x/sys/unix and the kernel apply them in connect(2) (connecting a datagram socket sends
// nothing): an accepted name never fails with EINVAL, a name refused for its length does.
// Errors are one line.
func FuzzNotifySocket(f *testing.F) {
	for _, s := range []string{"/run/systemd/notify", "@sd-notify", "relative", "@", "/", strings.Repeat("/x", 53), strings.Repeat("@", 108), "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if path == "" || strings.IndexByte(path, 0) >= 0 {
			t.Skip() // unset, or not an environment value
		}
		err := checkNotifySocket(path)
		oneLine(t, err)
		if err != nil && path[0] != '/' && path[0] != '@' {
			return
		}
		fd, serr := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if serr != nil {
			t.Fatal(os.NewSyscallError("socket", serr))
		}
		defer unix.Close(fd)
		cerr := unix.Connect(fd, &unix.SockaddrUnix{Name: path})
		if err == nil && errors.Is(cerr, unix.EINVAL) {
			t.Fatalf("NOTIFY_SOCKET=%q accepted, connect: %v", path, cerr)
		}
		if err != nil && !errors.Is(cerr, unix.EINVAL) {
			t.Fatalf("NOTIFY_SOCKET=%q refused (%v), connect: %v", path, err, cerr)
		}
	})
}
