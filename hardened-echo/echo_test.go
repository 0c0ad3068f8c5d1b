package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one running hardened-echo process, its stderr read line by line.
type proc struct {
	cmd   *exec.Cmd
	lines chan string // stderr, one line each; closed at EOF
	seen  []string    // lines already taken from lines, for failure messages
	done  chan error  // cmd.Wait's result, once
}

// startServer starts the binary (or, with a trampoline, the test binary that execs it) and
// reads its stderr. The process is killed at cleanup if the test did not stop it.
func startServer(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	s := &proc{cmd: cmd, lines: make(chan string, 256), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		for range s.lines {
		}
	})
	return s
}

func echoCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(binPath, args...)
	cmd.Env = cleanEnv()
	return cmd
}

// cleanEnv is the test's environment without the systemd variables a CI runner under systemd
// might have set: the server under test must see only what each test gives it.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// waitLine returns the first stderr line matching re (and its submatches), failing the test
// if the process ends or 10 s pass first.
func (s *proc) waitLine(t *testing.T, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("server exited before logging %q; stderr:\n%s", re, strings.Join(s.seen, "\n"))
			}
			s.seen = append(s.seen, line)
			if m := rx.FindStringSubmatch(line); m != nil {
				return m
			}
		case <-timeout:
			t.Fatalf("no stderr line matching %q in 10s; stderr:\n%s", re, strings.Join(s.seen, "\n"))
		}
	}
}

// stop sends SIGTERM and returns the exit error after the process is gone.
func (s *proc) stop(t *testing.T) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return s.wait(t)
}

func (s *proc) wait(t *testing.T) error {
	t.Helper()
	for line := range s.lines {
		s.seen = append(s.seen, line)
	}
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("server did not exit within 30s")
		return nil
	}
}

// startStandalone starts the server on free loopback ports and returns the addresses it logged.
func startStandalone(t *testing.T, args ...string) (s *proc, tcpAddr, udpAddr string) {
	t.Helper()
	s = startServer(t, echoCmd(append([]string{"-listen", "127.0.0.1:0", "-udp", "127.0.0.1:0"}, args...)...))
	tcpAddr = s.waitLine(t, `^info: listening on tcp (\S+)$`)[1]
	udpAddr = s.waitLine(t, `^info: listening on udp (\S+)$`)[1]
	s.waitLine(t, `^info: ready$`)
	return s, tcpAddr, udpAddr
}

// roundTrip sends payload on a new TCP connection, half-closes, and returns everything read back
// until the server's EOF. Writing and reading run concurrently, as a client of a payload
// larger than the socket buffers must.
func roundTrip(t *testing.T, addr string, payload []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := <-werr; err != nil {
		t.Fatalf("write: %v", err)
	}
	return got
}

// dialTCP connects to the echo server at addr, with a deadline that ends a hung test, and closes
// the connection when the test ends.
func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// echoOnce sends msg on c and reads it back: a full round trip proves the server has accepted
// the connection and is serving it.
func echoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Fatalf("echo of %q: got %q, %v", msg, got, err)
	}
}

func udpRoundTrip(t *testing.T, addr string, payload []byte) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(payload); err != nil {
		t.Fatalf("send %d bytes: %v", len(payload), err)
	}
	buf := make([]byte, 70000)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("receive echo of %d bytes: %v", len(payload), err)
	}
	return buf[:n]
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestTCPEcho(t *testing.T) {
	s, tcpAddr, _ := startStandalone(t)
	for _, tc := range []struct {
		name string
		size int
	}{
		{"empty, half-close only", 0},
		{"one byte", 1},
		{"one line", 64},
		// Larger than the socket buffers on both sides and than the server's 32 KiB buffer:
		// everything comes back only if the server keeps writing after the client's FIN.
		{"8 MiB then half-close", 8 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := randomBytes(t, tc.size)
			got := roundTrip(t, tcpAddr, payload)
			if !bytes.Equal(got, payload) {
				t.Errorf("echoed %d bytes, want the %d sent, identical", len(got), len(payload))
			}
		})
	}
	t.Run("16 connections at once", func(t *testing.T) {
		errs := make(chan error, 16)
		for i := range 16 {
			go func() {
				payload := bytes.Repeat([]byte{byte(i)}, 100000+i)
				c, err := net.Dial("tcp", tcpAddr)
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(30 * time.Second))
				go func() { c.Write(payload); c.(*net.TCPConn).CloseWrite() }()
				got, err := io.ReadAll(c)
				if err == nil && !bytes.Equal(got, payload) {
					err = fmt.Errorf("connection %d: echoed %d bytes, want %d", i, len(got), len(payload))
				}
				errs <- err
			}()
		}
		for range 16 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
	if err := s.stop(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	s.waitLineSeen(t, `^info: stopped: 0 open, 20 accepted, 0 refused, 9988793 bytes echoed, 0 datagrams echoed$`)
}

// waitLineSeen checks that a line matching re was logged before the process exited.
func (s *proc) waitLineSeen(t *testing.T, re string) {
	t.Helper()
	rx := regexp.MustCompile(re)
	for _, l := range s.seen {
		if rx.MatchString(l) {
			return
		}
	}
	t.Errorf("no stderr line matching %q; stderr:\n%s", re, strings.Join(s.seen, "\n"))
}

func TestUDPEcho(t *testing.T) {
	s, _, udpAddr := startStandalone(t)
	for _, size := range []int{0, 1, 1472, 9000, 65507} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			payload := randomBytes(t, size)
			if got := udpRoundTrip(t, udpAddr, payload); !bytes.Equal(got, payload) {
				t.Errorf("echoed %d bytes, want the %d-byte datagram back", len(got), size)
			}
		})
	}
	if err := s.stop(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	s.waitLineSeen(t, `5 datagrams echoed$`)
}

func TestConnectionLimit(t *testing.T) {
	s, tcpAddr, _ := startStandalone(t, "-max-conns", "1")
	first := dialTCP(t, tcpAddr)
	// A full round trip proves the server accepted and counts the first connection.
	echoOnce(t, first, "one")
	second := dialTCP(t, tcpAddr)
	if n, err := second.Read(make([]byte, 1)); err == nil {
		t.Errorf("second connection read %d bytes, want it closed by the server (-max-conns 1)", n)
	}
	s.waitLine(t, `^warning: refused .*: 1 connections open \(-max-conns\)$`)
	// The first is still served.
	if _, err := first.Write([]byte("two")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(first, make([]byte, 3)); err != nil {
		t.Errorf("first connection after the refusal: %v", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	_, tcpAddr, _ := startStandalone(t, "-idle", "100ms")
	c := dialTCP(t, tcpAddr)
	// The server closes the silent connection: the read ends with EOF, not with our deadline.
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read on an idle connection: %v, want EOF from the server's idle close", err)
	}
}

func TestGracefulStop(t *testing.T) {
	s, tcpAddr, _ := startStandalone(t)
	c := dialTCP(t, tcpAddr)
	echoOnce(t, c, "before")
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.waitLine(t, `^info: stopping, sockets closed: 1 open`)
	// Listener closed (the line above comes after): no new connection. The open connection is
	// still echoed until the client ends it.
	if nc, err := net.Dial("tcp", tcpAddr); err == nil {
		nc.Close()
		t.Error("new connection accepted after SIGTERM")
	}
	if _, err := c.Write([]byte("after")); err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(c)
	if err != nil || string(rest) != "after" {
		t.Errorf("echo after SIGTERM: %q, %v; want \"after\" then EOF", rest, err)
	}
	if err := s.wait(t); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
	s.waitLineSeen(t, `^info: stopped: 0 open, 1 accepted`)
}

func TestDrainDeadline(t *testing.T) {
	s, tcpAddr, _ := startStandalone(t, "-drain", "200ms")
	c := dialTCP(t, tcpAddr)
	echoOnce(t, c, "x")
	if err := s.stop(t); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
	s.waitLineSeen(t, `^warning: drain deadline: closed 1 connections still open$`)
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after the server exited")
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"zero max-conns", []string{"-max-conns", "0"}, "-max-conns 0: must be at least 1"},
		{"negative idle", []string{"-idle", "-1s"}, "-idle -1s: must be positive"},
		{"huge buffer", []string{"-buf", "1000000000"}, "-buf 1000000000: must be between 1 and 16777216"},
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"extra argument", []string{"extra"}, `unexpected argument "extra"`},
		{"nothing to serve", []string{"-listen", "", "-udp", ""}, "nothing to serve"},
		{"bad address", []string{"-listen", "127.0.0.1:99999"}, "invalid port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := echoCmd(tc.args...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 125 {
				t.Fatalf("hardened-echo %q: %v, want exit status 125\n%s", tc.args, err, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("hardened-echo %q said %q, want it to contain %q", tc.args, out, tc.want)
			}
		})
	}
}

// TestJournalPrefixes checks the <N> priority prefixes appear exactly when JOURNAL_STREAM names
// the file stderr really is (systemd.exec(5)), and not for an inherited, stale value.
func TestJournalPrefixes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		matching  bool
		wantReady string
	}{
		{"stderr is the journal stream", true, "<6>ready"},
		{"stale JOURNAL_STREAM", false, "info: ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var st syscall.Stat_t
			if err := syscall.Fstat(int(w.Fd()), &st); err != nil {
				t.Fatal(err)
			}
			ino := st.Ino
			if !tc.matching {
				ino++
			}
			cmd := echoCmd("-listen", "127.0.0.1:0", "-udp", "")
			cmd.Env = append(cmd.Env, fmt.Sprintf("JOURNAL_STREAM=%d:%d", st.Dev, ino))
			cmd.Stderr = w
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				if strings.HasSuffix(sc.Text(), "ready") {
					if sc.Text() != tc.wantReady {
						t.Errorf("ready line %q, want %q", sc.Text(), tc.wantReady)
					}
					return
				}
			}
			t.Fatal("no ready line")
		})
	}
}

// listenNotify opens a datagram socket for NOTIFY_SOCKET: a path in a temp dir or, with
// abstract, a name in the abstract namespace ("@...").
func listenNotify(t *testing.T, abstract bool) (*net.UnixConn, string) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "notify")
	if abstract {
		name = fmt.Sprintf("@hardened-echo-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, name
}

// nextNotify reads one sd_notify datagram.
func nextNotify(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read NOTIFY_SOCKET: %v", err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	for _, tc := range []struct {
		name     string
		abstract bool
	}{
		{"path socket", false},
		{"abstract socket", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, addr := listenNotify(t, tc.abstract)
			cmd := echoCmd("-listen", "127.0.0.1:0", "-udp", "")
			// No WATCHDOG_PID: the watchdog applies to whoever reads WATCHDOG_USEC.
			cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+addr, "WATCHDOG_USEC=200000")
			s := startServer(t, cmd)
			tcpAddr := s.waitLine(t, `^info: listening on tcp (\S+)$`)[1]

			if msg := nextNotify(t, nc); msg != "READY=1\nSTATUS=serving: 0 open, 0 accepted, 0 refused, 0 bytes echoed, 0 datagrams echoed" {
				t.Errorf("first notification %q, want READY=1 with STATUS=", msg)
			}
			// READY=1 came after the listener: a connection now is served.
			if got := roundTrip(t, tcpAddr, []byte("ping")); string(got) != "ping" {
				t.Errorf("echo after READY=1: %q", got)
			}
			// WATCHDOG=1 every 100 ms (half of WATCHDOG_USEC) and, within a second, a STATUS=
			// counting the connection.
			var watchdogs int
			status := false
			for watchdogs < 3 || !status {
				msg := nextNotify(t, nc)
				switch {
				case msg == "WATCHDOG=1":
					watchdogs++
				case msg == "STATUS=serving: 0 open, 1 accepted, 0 refused, 4 bytes echoed, 0 datagrams echoed":
					status = true
				default:
					t.Fatalf("unexpected notification %q", msg)
				}
			}
			s.cmd.Process.Signal(syscall.SIGTERM)
			for {
				msg := nextNotify(t, nc)
				if msg == "WATCHDOG=1" || strings.HasPrefix(msg, "STATUS=serving") {
					continue
				}
				if !strings.HasPrefix(msg, "STOPPING=1\nSTATUS=stopping: ") {
					t.Errorf("notification after SIGTERM %q, want STOPPING=1", msg)
				}
				break
			}
			if err := s.wait(t); err != nil {
				t.Errorf("exit: %v", err)
			}
		})
	}
}

func TestSecondSignal(t *testing.T) {
	s, tcpAddr, _ := startStandalone(t, "-drain", "1h")
	c := dialTCP(t, tcpAddr)
	echoOnce(t, c, "x")
	s.cmd.Process.Signal(syscall.SIGTERM)
	// Draining: the open connection would hold the process for -drain (an hour).
	s.waitLine(t, `^info: stopping, sockets closed: 1 open`)
	s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.wait(t)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit after the second SIGTERM: %v, want status 1", err)
	}
	s.waitLineSeen(t, `^hardened-echo: second signal \(terminated\): exiting without draining$`)
}
