package sd

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name, usec, pid string
		want            time.Duration
		wantErr         bool
	}{
		{"unset", "", "", 0, false},
		{"no pid: ours", "5000000", "", 5 * time.Second, false},
		{"our pid", "200000", self, 200 * time.Millisecond, false},
		{"another process's watchdog", "200000", "1", 0, false},
		{"zero", "0", "", 0, true},
		{"not a number", "soon", "", 0, true},
		{"bad pid", "200000", "me", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tc.usec)
			t.Setenv("WATCHDOG_PID", tc.pid)
			got, err := WatchdogInterval()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("WatchdogInterval() = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
			for _, k := range []string{"WATCHDOG_USEC", "WATCHDOG_PID"} {
				if v, ok := os.LookupEnv(k); ok {
					t.Errorf("%s=%q still set", k, v)
				}
			}
		})
	}
}

// TestListenFDsNotOurs covers the cases that return before any descriptor is touched, so they
// are safe in the test process; the rest runs against real passed sockets in the module tests.
func TestListenFDsNotOurs(t *testing.T) {
	for _, tc := range []struct {
		name, pid string
		wantErr   bool
	}{
		{"not activated", "", false},
		{"another process's sockets", "1", false},
		{"garbage pid", "x", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LISTEN_PID", tc.pid)
			t.Setenv("LISTEN_FDS", "2")
			t.Setenv("LISTEN_FDNAMES", "a:b")
			got, err := ListenFDs()
			if (err != nil) != tc.wantErr || len(got) != 0 {
				t.Errorf("ListenFDs() = %v, %v; want no sockets, error %v", got, err, tc.wantErr)
			}
			// Unset either way, so a child never inherits them (sd_listen_fds(3) unset_environment).
			for _, k := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
				if v, ok := os.LookupEnv(k); ok {
					t.Errorf("%s=%q still set", k, v)
				}
			}
		})
	}
}

func TestNotifier(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "")
		n, err := NewNotifier()
		if n != nil || err != nil {
			t.Fatalf("NewNotifier() = %v, %v; want nil, nil", n, err)
		}
		if err := n.Notify("READY=1"); err != nil {
			t.Errorf("nil Notifier: %v", err)
		}
	})
	t.Run("relative path", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "notify")
		if _, err := NewNotifier(); err == nil {
			t.Error("NewNotifier accepted a relative path")
		}
	})
	t.Run("longer than sun_path", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "@"+strings.Repeat("x", 107))
		if n, err := NewNotifier(); err == nil {
			n.Close()
			t.Error("NewNotifier accepted a 108-byte name: sun_path has no room for it")
		}
	})
	t.Run("no listener", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "gone"))
		n, err := NewNotifier()
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		if err := n.Notify("READY=1"); err == nil {
			t.Error("Notify to a missing socket succeeded")
		}
	})
	for _, name := range []string{filepath.Join(t.TempDir(), "notify"), "@sd-test-" + strconv.Itoa(os.Getpid())} {
		t.Run(name, func(t *testing.T) {
			l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			t.Setenv("NOTIFY_SOCKET", name)
			n, err := NewNotifier()
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := os.LookupEnv("NOTIFY_SOCKET"); ok {
				t.Errorf("NOTIFY_SOCKET=%q still set after NewNotifier", v)
			}
			if err := n.Notify("READY=1\nSTATUS=ok"); err != nil {
				t.Fatal(err)
			}
			l.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 64)
			k, err := l.Read(buf)
			if err != nil || string(buf[:k]) != "READY=1\nSTATUS=ok" {
				t.Errorf("received %q, %v", buf[:k], err)
			}
			if err := n.Close(); err != nil {
				t.Error(err)
			}
			if err := n.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := n.Notify("READY=1"); err == nil {
				t.Error("Notify after Close succeeded")
			}
		})
	}
}
