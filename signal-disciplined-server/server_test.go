package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"kernel-foundations/signal-disciplined-server/internal/sig"
)

// server is one running signal-disciplined-server, started from binPath.
type server struct {
	t     *testing.T
	cmd   *exec.Cmd
	pid   int
	addr  string
	lines chan string // stderr, line by line; closed at EOF
	mu    sync.Mutex
	log   []string
	done  chan struct{}
	err   error // cmd.Wait's, valid after done
}

// startServer starts the binary on 127.0.0.1:0 with args and waits for its "listening on" line.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	return startCmd(t, cmd)
}

// startCmd starts cmd, a server or a command that execs one, and waits for its "listening on".
func startCmd(t *testing.T, cmd *exec.Cmd) *server {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, pid: cmd.Process.Pid, lines: make(chan string, 1024), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log = append(s.log, sc.Text())
			s.mu.Unlock()
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr())
		}
	})
	line := s.waitFor("listening on ")
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(line)
	s.addr = m[1]
	return s
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.log, "\n")
}

// waitFor returns the next stderr line containing sub. The deadline only turns a hang into a
// failure; the wait itself is on the line.
func (s *server) waitFor(sub string) string {
	s.t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("server exited before logging %q", sub)
			}
			if strings.Contains(line, sub) {
				return line
			}
		case <-timeout:
			s.t.Fatalf("no %q from the server in 2 minutes", sub)
		}
	}
}

func (s *server) signal(n syscall.Signal) {
	s.t.Helper()
	if err := syscall.Kill(s.pid, n); err != nil {
		s.t.Fatalf("kill %d %v: %v", s.pid, n, err)
	}
}

// exitCode waits for the server to exit.
func (s *server) exitCode() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		s.t.Fatalf("server still running 2 minutes later")
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	if s.err != nil {
		s.t.Fatalf("wait: %v", s.err)
	}
	return 0
}

var statsRE = regexp.MustCompile(`(\w+)=(\d+)`)

// stats sends SIGUSR1 and parses the stats line it answers with.
func (s *server) stats() map[string]int64 {
	s.t.Helper()
	s.signal(syscall.SIGUSR1)
	line := s.waitFor("stats (SIGUSR1")
	m := map[string]int64{}
	for _, kv := range statsRE.FindAllStringSubmatch(line, -1) {
		m[kv[1]], _ = strconv.ParseInt(kv[2], 10, 64)
	}
	return m
}

// statsUntil polls SIGUSR1 stats until ok accepts them.
func (s *server) statsUntil(what string, ok func(map[string]int64) bool) map[string]int64 {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st := s.stats()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("stats never showed %s: last %v", what, st)
		}
	}
}

// stream is a client's byte stream: byte p is pat[p%len], a prime period, distinct per client.
func stream(id int) []byte {
	const period = 65521
	b := make([]byte, period)
	x := uint32(id)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// chunk fills p with the stream from position pos.
func chunk(pat []byte, pos int64, p []byte) {
	for n := 0; n < len(p); {
		off := int((pos + int64(n)) % int64(len(pat)))
		n += copy(p[n:], pat[off:])
	}
}

// echoClient streams total bytes to c while reading the echo back; after writing it shuts down
// its write side; it checks every byte and that the echo ends with EOF at total bytes.
// If progress is non-nil, the writer calls it once the first `at` bytes are written and then
// waits for gate to close before it writes the rest.
func echoClient(c *net.TCPConn, id int, total int64, at int64, progress func(), gate <-chan struct{}) error {
	pat := stream(id)
	werr := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		var sent int64
		for sent < total {
			n := min(int64(len(buf)), total-sent)
			chunk(pat, sent, buf[:n])
			if _, err := c.Write(buf[:n]); err != nil {
				werr <- err
				return
			}
			if sent < at && sent+n >= at && progress != nil {
				progress()
				<-gate
			}
			sent += n
		}
		werr <- c.CloseWrite()
	}()
	rerr := readStream(c, id, total)
	if err := <-werr; err != nil {
		return fmt.Errorf("client %d: write: %w", id, err)
	}
	return rerr
}

// readStream reads c to EOF and checks that it returns client id's stream, exactly total bytes.
func readStream(c net.Conn, id int, total int64) error {
	pat := stream(id)
	buf := make([]byte, 64<<10)
	want := make([]byte, 64<<10)
	var got int64
	for {
		n, err := c.Read(buf)
		if n > 0 {
			chunk(pat, got, want[:n])
			if !bytes.Equal(buf[:n], want[:n]) {
				return fmt.Errorf("client %d: echo differs within bytes %d..%d", id, got, got+int64(n))
			}
			got += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("client %d: read after %d bytes: %w", id, got, err)
		}
	}
	if got != total {
		return fmt.Errorf("client %d: got %d bytes back, sent %d", id, got, total)
	}
	return nil
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

func echoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("echo of %q: %v", msg, err)
	}
	if string(buf) != msg {
		t.Fatalf("echo of %q = %q", msg, buf)
	}
}

// TestDrainUnderLoad is the acceptance test: 64 clients stream 4 MiB each; each stops after
// 1 MiB until the server has logged that it stopped accepting in answer to SIGTERM, so all 64
// are mid-stream at the drain; every client still gets all 4 MiB back, a connection attempted
// after the drain began is refused, and the server exits 0.
func TestDrainUnderLoad(t *testing.T) {
	// Both echo paths: splice through the loop's pipe (-splice 4096) and copy (the default).
	for _, splice := range []string{"4096", "0"} {
		t.Run("splice "+splice, func(t *testing.T) { drainUnderLoad(t, splice) })
	}
}

func drainUnderLoad(t *testing.T, splice string) {
	s := startServer(t, nil, "-drain-timeout", "2m", "-drain-idle", "10s", "-splice", splice)
	const clients, total = 64, 4 << 20
	var midway, done sync.WaitGroup
	midway.Add(clients)
	gate := make(chan struct{})
	errs := make(chan error, clients)
	for i := range clients {
		c := dial(t, s.addr)
		done.Add(1)
		go func() {
			defer done.Done()
			var once sync.Once
			errs <- echoClient(c, i, total, 1<<20, func() { once.Do(midway.Done) }, gate)
		}()
	}
	midway.Wait()
	s.signal(syscall.SIGTERM)
	if line := s.waitFor("stopped accepting"); !strings.Contains(line, fmt.Sprintf("%d connection(s) draining", clients)) {
		t.Errorf("drain began with other than %d connections open: %s", clients, line)
	}
	if c, err := net.Dial("tcp", s.addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial after SIGTERM: err = %v, want ECONNREFUSED", err)
	}
	close(gate)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit code %d after a clean drain, want 0", code)
	}
	if !strings.Contains(s.stderr(), "drain complete") {
		t.Errorf("no \"drain complete\" in the log")
	}
}

// sigBlk parses the SigBlk line of a /proc/PID/task/TID/status file.
func sigBlk(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "SigBlk:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("%s: SigBlk %q: %v", path, v, err)
			}
			return m
		}
	}
	t.Fatalf("%s: no SigBlk line", path)
	return 0
}

// TestSignalMaskOnEveryThread reads the running server's threads from /proc: each one must have
// SIGUSR1, SIGUSR2 and signals 35..64 blocked.
func TestSignalMaskOnEveryThread(t *testing.T) {
	for _, loops := range []string{"1", "3"} {
		t.Run("loops="+loops, func(t *testing.T) {
			s := startServer(t, nil, "-loops", loops)
			// Some traffic, so the runtime has made the threads it makes under load.
			for i := range 8 {
				c := dial(t, s.addr)
				echoOnce(t, c, fmt.Sprint("hello ", i))
				c.Close()
			}
			// Only a lower bound can be checked: a thread that is cloning another (newosproc)
			// or exiting blocks every signal for a moment, so extra bits are legitimate.
			want := sig.MaskBits(sig.Blocked())
			tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", s.pid))
			if err != nil || len(tasks) < 2 {
				t.Fatalf("threads of %d: %v %v", s.pid, tasks, err)
			}
			for _, task := range tasks {
				got := sigBlk(t, task)
				if got&want != want {
					t.Errorf("%s: SigBlk %016x lacks %016x", task, got, want&^got)
				}
			}
			t.Logf("%d threads, each with SigBlk ⊇ %016x", len(tasks), want)
			// A real-time signal is read from the signalfd, with the sender's pid.
			s.signal(syscall.Signal(sig.FirstRT + 5))
			s.waitFor(fmt.Sprintf("%s from pid %d uid %d", sig.Name(sig.FirstRT+5), os.Getpid(), os.Getuid()))
			s.signal(syscall.SIGTERM)
			if code := s.exitCode(); code != 0 {
				t.Errorf("exit code %d", code)
			}
		})
	}
}

// TestReexecMarker: the marker that stops the second re-exec names the pid that blocked the
// signals. One inherited from elsewhere (here a stale value, as a copy of a running server's
// /proc/PID/environ would carry) must not stop the re-exec nor loop it: the server starts with
// its mask. One that names the server's own pid while the mask is missing must be refused. And
// the child trampoline's variable (sig.Command) acts only when it names the parent.
func TestReexecMarker(t *testing.T) {
	t.Run("keeps its name", func(t *testing.T) {
		// The re-exec goes through the binary's path, not /proc/self/exe, whose last part
		// would become the process name (comm) that ps, top and pgrep show.
		s := startServer(t, nil)
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", s.pid))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.TrimSpace(string(comm)), filepath.Base(binPath)[:15]; got != want {
			t.Errorf("comm %q after the re-exec, want %q (the first 15 bytes of the binary's name)", got, want)
		}
	})
	t.Run("stale marker", func(t *testing.T) {
		s := startServer(t, []string{sig.ReexecEnv + "=1"})
		want := sig.MaskBits(sig.Blocked())
		if got := sigBlk(t, fmt.Sprintf("/proc/%d/task/%d/status", s.pid, s.pid)); got&want != want {
			t.Errorf("started with a stale marker: SigBlk %016x lacks %016x", got, want&^got)
		}
		s.signal(syscall.SIGTERM)
		if code := s.exitCode(); code != 0 {
			t.Errorf("exit code %d", code)
		}
	})
	t.Run("trampoline variable not from the parent", func(t *testing.T) {
		s := startServer(t, []string{sig.UnmaskEnv + "=1"})
		c := dial(t, s.addr)
		echoOnce(t, c, "still a server")
		c.Close()
		s.signal(syscall.SIGTERM)
		if code := s.exitCode(); code != 0 {
			t.Errorf("exit code %d", code)
		}
	})
	t.Run("own pid without the mask", func(t *testing.T) {
		cmd := exec.Command(os.Args[0], binPath, "-listen", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "SDS_TEST_EXEC_WITH_OWN_MARKER=1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 125 {
			t.Errorf("exit: %v, want status 125\n%s", err, out)
		}
		if want := "set but the signal mask"; !strings.Contains(string(out), want) {
			t.Errorf("output %q does not contain %q", out, want)
		}
	})
}

// TestStatsOnUSR1 checks the stats line against traffic the test made itself, and that the
// signalfd names the test as the sender.
func TestStatsOnUSR1(t *testing.T) {
	s := startServer(t, nil)
	a, b := dial(t, s.addr), dial(t, s.addr)
	echoOnce(t, a, strings.Repeat("a", 1000))
	echoOnce(t, b, strings.Repeat("b", 500))
	s.signal(syscall.SIGHUP)
	s.waitFor("SIGHUP")
	s.signal(syscall.SIGUSR1)
	line := s.waitFor("stats (SIGUSR1")
	if want := fmt.Sprintf("from pid %d uid %d", os.Getpid(), os.Getuid()); !strings.Contains(line, want) {
		t.Errorf("stats line %q does not say %q", line, want)
	}
	m := map[string]string{}
	for _, kv := range statsRE.FindAllStringSubmatch(line, -1) {
		m[kv[1]] = kv[2]
	}
	for k, want := range map[string]string{"open": "2", "total": "2", "in": "1500", "out": "1500", "USR1": "1", "HUP": "1", "TERM": "0", "PIPE": "0"} {
		if m[k] != want {
			t.Errorf("stats %s=%s, want %s (line %q)", k, m[k], want, line)
		}
	}
	// SIGPIPE is bridged and only counted (no log line: it may come from a write to stderr).
	s.signal(syscall.SIGPIPE)
	s.statsUntil("PIPE=1", func(m map[string]int64) bool { return m["PIPE"] == 1 })
}

// rssKiB reads VmRSS of pid.
func rssKiB(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestBackpressure: a client sends 1 GiB and does not read. The server must stop reading it once
// its 64 KiB echo buffer is full, so the client stalls after socket buffers' worth, the server
// stays idle (no spin on a readable socket it will not read) and its RSS stays under rssBound.
// Then the client reads, and all 1 GiB comes back intact, with the RSS still bounded.
func TestBackpressure(t *testing.T) {
	const total = 1 << 30
	const rssBound = 16 << 10 // KiB: the idle server is ~4 MiB; 1 GiB buffered would be 1 GiB
	s := startServer(t, nil, "-conn-buf", "65536")
	c := dial(t, s.addr)
	pat := stream(7)
	var sent atomic.Int64
	werr := make(chan error, 1)
	go func() {
		buf := make([]byte, 1<<20)
		for sent.Load() < total {
			chunk(pat, sent.Load(), buf)
			if _, err := c.Write(buf); err != nil {
				werr <- err
				return
			}
			sent.Add(int64(len(buf)))
		}
		werr <- c.CloseWrite()
	}()
	st := s.statsUntil("backpressured=1", func(m map[string]int64) bool { return m["backpressured"] == 1 })
	// The server stopped reading: what it took in is its buffer plus what it sent into the
	// client's receive queue, and the client is stuck behind socket buffers.
	maxRSS := rssKiB(t, s.pid)
	if st["in"] > 64<<20 || sent.Load() > 128<<20 {
		t.Errorf("server read %d bytes and the client wrote %d without reading: not backpressure", st["in"], sent.Load())
	}
	t.Logf("stalled: server read %d B, client wrote %d B, server RSS %d KiB", st["in"], sent.Load(), maxRSS)
	// A measurement window, not a wait for readiness: a full buffer must take the connection out
	// of EPOLLIN, or level-triggered epoll reports it readable on every wait and the loop spins.
	before := cpuTicks(t, s.pid)
	time.Sleep(time.Second)
	if burnt := cpuTicks(t, s.pid) - before; burnt > 10 {
		t.Errorf("server used %d clock ticks of CPU in 1 s while backpressured: it spins", burnt)
	}

	// Now read everything back, sampling the server's RSS as it goes.
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	var peak atomic.Int64
	peak.Store(maxRSS)
	sampler.Go(func() {
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				if r := rssKiB(t, s.pid); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	})
	buf := make([]byte, 1<<20)
	want := make([]byte, 1<<20)
	var got int64
	for {
		n, err := c.Read(buf)
		if n > 0 {
			chunk(pat, got, want[:n])
			if !bytes.Equal(buf[:n], want[:n]) {
				t.Fatalf("echo differs within bytes %d..%d", got, got+int64(n))
			}
			got += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read after %d bytes: %v", got, err)
		}
	}
	close(stop)
	sampler.Wait()
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	if got != total {
		t.Errorf("got %d bytes back, sent %d", got, total)
	}
	if p := peak.Load(); p > rssBound {
		t.Errorf("server RSS peaked at %d KiB, bound %d KiB", p, rssBound)
	} else {
		t.Logf("1 GiB echoed; server RSS peak %d KiB (bound %d KiB)", p, rssBound)
	}
}

// TestHalfClose: the client shuts down its write side; the server must echo everything, then
// close, and the client reads every byte and then EOF, including when the FIN comes while
// the server still holds echo it could not send.
func TestHalfClose(t *testing.T) {
	s := startServer(t, nil)
	for _, tc := range []struct {
		name  string
		total int64
	}{
		{"4 bytes", 4},
		{"8 MiB", 8 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := echoClient(dial(t, s.addr), 3, tc.total, 0, nil, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The FIN arrives while the server still holds echo the client has not made room for: the
	// client writes everything and shuts down before it reads a byte. The 32 MiB buffer takes
	// the whole stream, so the write completes; 16 MiB is more than the server's send buffer
	// (net.ipv4.tcp_wmem max, 4 MiB here) and the client's unread receive queue can hold, so
	// some of it must wait in the server for EPOLLOUT, after the EOF.
	t.Run("FIN with echo pending", func(t *testing.T) {
		const total = 16 << 20
		s := startServer(t, nil, "-conn-buf", fmt.Sprint(32<<20))
		c := dial(t, s.addr)
		buf := make([]byte, total)
		chunk(stream(4), 0, buf)
		c.SetWriteDeadline(time.Now().Add(time.Minute))
		if _, err := c.Write(buf); err != nil {
			t.Fatalf("write %d bytes without reading: %v", total, err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		st := s.statsUntil("every byte read", func(m map[string]int64) bool { return m["in"] == total })
		if st["out"] >= total {
			t.Fatalf("the server sent all %d bytes before the client read any: nothing was pending at the FIN, so this case tests nothing", total)
		}
		t.Logf("at the FIN the server holds %d bytes of echo", total-st["out"])
		if err := readStream(c, 4, total); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSplice: with -splice 4096 a connection whose reads come in bulk is echoed with splice(2)
// through the loop's pipe, one of small messages is not; -splice 0, the default, turns it off;
// every byte comes back intact.
// The spliced count is what left through splice (bytes out that never entered the process).
func TestSplice(t *testing.T) {
	const total = 8 << 20
	for _, tc := range []struct {
		splice  string
		bulk    bool // stream total bytes (else: 2000 round trips of 64 bytes)
		spliced func(int64) bool
		want    string
	}{
		{"4096", true, func(n int64) bool { return n >= total/2 }, "at least half of the stream"},
		{"0", true, func(n int64) bool { return n == 0 }, "0"},
		{"4096", false, func(n int64) bool { return n == 0 }, "0"},
		{"", true, func(n int64) bool { return n == 0 }, "0 (the default is -splice 0)"},
	} {
		t.Run(fmt.Sprintf("splice %q bulk %v", tc.splice, tc.bulk), func(t *testing.T) {
			var args []string
			if tc.splice != "" {
				args = []string{"-splice", tc.splice}
			}
			s := startServer(t, nil, args...)
			c := dial(t, s.addr)
			out := int64(total)
			if tc.bulk {
				if err := echoClient(c, 5, total, 0, nil, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				for i := range 2000 {
					echoOnce(t, c, fmt.Sprintf("%064d", i))
				}
				out = 2000 * 64
			}
			st := s.statsUntil(fmt.Sprintf("out=%d", out), func(m map[string]int64) bool { return m["out"] == out })
			if !tc.spliced(st["spliced"]) {
				t.Errorf("spliced=%d of %d bytes out, want %s", st["spliced"], out, tc.want)
			}
			t.Logf("-splice %s: %d of %d bytes out spliced", tc.splice, st["spliced"], out)
		})
	}
}

// TestResetsAmidSplicing: every loop shares one pipe among its connections, so a connection that
// fails with bytes in the pipe must not leave them for the next one. Clients that send a burst
// and reset come and go while others stream and check every byte of their echo.
func TestResetsAmidSplicing(t *testing.T) {
	s := startServer(t, nil, "-splice", "4096")
	const resetters, each, verifiers, total = 4, 200, 4, 4 << 20
	errs := make(chan error, verifiers+resetters)
	var done atomic.Bool
	var wg sync.WaitGroup
	var streamed atomic.Int64
	for i := range verifiers {
		wg.Go(func() {
			for id := 100 + i; !done.Load(); id += verifiers {
				if err := echoClient(dial(t, s.addr), id, total, 0, nil, nil); err != nil {
					errs <- err
					return
				}
				streamed.Add(1)
			}
		})
	}
	var rwg sync.WaitGroup
	for range resetters {
		rwg.Go(func() {
			burst := make([]byte, 256<<10)
			for range each {
				c := dial(t, s.addr)
				c.Write(burst)
				c.SetLinger(0)
				c.Close()
			}
		})
	}
	rwg.Wait()
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := s.statsUntil("open=0", func(m map[string]int64) bool { return m["open"] == 0 })
	t.Logf("%d resetting clients, %d verified streams; server: resets=%d spliced=%d of out=%d",
		resetters*each, streamed.Load(), st["resets"], st["spliced"], st["out"])
	if st["resets"] == 0 || st["spliced"] == 0 {
		t.Errorf("resets=%d spliced=%d: the test did not exercise resets on the splice path", st["resets"], st["spliced"])
	}
	// splice(2) to a socket cannot pass MSG_NOSIGNAL: a splice after a reset would raise SIGPIPE.
	if st["PIPE"] != 0 {
		t.Errorf("PIPE=%d: a send or splice after a reset raised SIGPIPE", st["PIPE"])
	}
}

// TestReset: clients that reset the connection (SO_LINGER 0), one while the server holds echo
// for it, must be counted and closed, and the server keeps serving.
func TestReset(t *testing.T) {
	s := startServer(t, nil)
	// Idle, then reset.
	a := dial(t, s.addr)
	echoOnce(t, a, "before reset")
	// Reset while the server has echo it cannot deliver: up to 64 MiB sent (more than loopback
	// socket buffers hold), nothing read.
	b := dial(t, s.addr)
	var wrote sync.WaitGroup
	wrote.Go(func() { b.Write(make([]byte, 64<<20)) })
	s.statsUntil("backpressured=1", func(m map[string]int64) bool { return m["backpressured"] == 1 })
	for _, c := range []*net.TCPConn{a, b} {
		c.SetLinger(0)
		c.Close()
	}
	wrote.Wait()
	st := s.statsUntil("open=0", func(m map[string]int64) bool { return m["open"] == 0 })
	if st["resets"] < 1 {
		t.Errorf("resets=%d after two RSTs, want at least 1 (the one with pending echo)", st["resets"])
	}
	echoOnce(t, dial(t, s.addr), "after reset")
}

// cpuTicks is utime+stime of pid from /proc/PID/stat, in clock ticks.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the parenthesised comm: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func countFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestSpinIsBounded: with -spin the loop keeps polling after a client's event instead of
// sleeping, and stops when the window runs out; signals do not start a spin, and nothing spins
// before the first connection or with -spin 0. The stats line counts the empty polls of a spin
// (spin_polls), which a loaded machine cannot hide the way it hides CPU time: a spinning loop
// yields between polls, so its CPU share is whatever the other tenants leave it (1 to 30 clock
// ticks in 300 ms when tried). CPU time is checked where it must be near zero: the spin is over.
func TestSpinIsBounded(t *testing.T) {
	s := startServer(t, nil, "-spin", "300ms")
	idle := cpuTicks(t, s.pid)
	time.Sleep(500 * time.Millisecond)
	if burnt := cpuTicks(t, s.pid) - idle; burnt > 5 {
		t.Fatalf("%d clock ticks in 500 ms before any connection: the loop spins without events", burnt)
	}
	if n := s.stats()["spin_polls"]; n != 0 {
		t.Fatalf("spin_polls=%d before any connection", n)
	}
	before := cpuTicks(t, s.pid)
	echoOnce(t, dial(t, s.addr), "spin")
	time.Sleep(time.Second) // the 300 ms window, and then some
	spun := cpuTicks(t, s.pid) - before
	polls := s.stats()["spin_polls"]
	if polls == 0 {
		t.Errorf("spin_polls=0 after an echo with -spin 300ms: the loop did not spin")
	}
	time.Sleep(time.Second)
	after := cpuTicks(t, s.pid) - before - spun
	again := s.stats()["spin_polls"]
	t.Logf("clock ticks: %d in the second after an echo (%d empty polls), %d in the next (%d polls)", spun, polls, after, again-polls)
	if after > 5 || again != polls {
		t.Errorf("%d clock ticks and %d polls in the second after the spin ended: the spin is not bounded (or a signal started one)", after, again-polls)
	}

	off := startServer(t, nil, "-spin", "0")
	c := dial(t, off.addr)
	echoOnce(t, c, "warm")
	time.Sleep(500 * time.Millisecond)
	before = cpuTicks(t, off.pid)
	echoOnce(t, c, "no spin")
	time.Sleep(time.Second)
	busy := cpuTicks(t, off.pid) - before
	t.Logf("clock ticks: %d in the second after an echo with -spin 0", busy)
	if n := off.stats()["spin_polls"]; busy > 5 || n != 0 {
		t.Errorf("%d clock ticks, spin_polls=%d in the second after an echo with -spin 0: the loop spins", busy, n)
	}
}

// sysSchedGetattr: sched_getattr(2), which package syscall has no number for.
var sysSchedGetattr = map[string]uintptr{"amd64": 315, "arm64": 275}[runtime.GOARCH]

// schedAttr reads thread tid's scheduling attributes: its nice value and, for SCHED_OTHER, the
// slice it runs with (sched_attr.sched_runtime, Linux 6.12+).
func schedAttr(t *testing.T, tid int) (nice int32, slice time.Duration) {
	t.Helper()
	var a struct {
		size, policy     uint32
		flags            uint64
		nice             int32
		priority         uint32
		runtime          uint64
		deadline, period uint64
		utilMin, utilMax uint32
	}
	_, _, errno := syscall.Syscall6(sysSchedGetattr, uintptr(tid), uintptr(unsafe.Pointer(&a)), unsafe.Sizeof(a), 0, 0, 0)
	if errno != 0 {
		t.Fatalf("sched_getattr %d: %v", tid, errno)
	}
	return a.nice, time.Duration(a.runtime)
}

// TestLoopSlice: each loop thread, and no other thread, runs with the slice -slice asked for,
// read back per thread with sched_getattr; and a server started under nice(1) keeps its nice
// value on the loop threads, which sched_setattr would reset were it not read first.
func TestLoopSlice(t *testing.T) {
	const want = 250 * time.Microsecond
	s := startCmd(t, exec.Command("nice", "-n", "7", binPath, "-listen", "127.0.0.1:0", "-loops", "2", "-slice", want.String()))
	// The loops set their slice as they start, just after the "listening on" line.
	var sliced []string
	for range 100 {
		sliced = sliced[:0]
		for _, name := range threadIDs(t, s.pid) {
			tid, _ := strconv.Atoi(name)
			nice, slice := schedAttr(t, tid)
			if nice != 7 {
				t.Fatalf("thread %d runs at nice %d, started at 7", tid, nice)
			}
			if slice == want {
				sliced = append(sliced, name)
			}
		}
		if len(sliced) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("threads with a %v slice: %v", want, sliced)
	if len(sliced) != 2 {
		t.Errorf("%d threads run with a %v slice, want the 2 loop threads", len(sliced), want)
	}
}

// threadIDs lists the thread ids of pid, from /proc/PID/task.
func threadIDs(t *testing.T, pid int) []string {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(tasks))
	for i, task := range tasks {
		ids[i] = task.Name()
	}
	return ids
}

// threadFiles reads /proc/PID/task/TID/<name> for every thread of pid; a thread that ended
// meanwhile is left out.
func threadFiles(t *testing.T, pid int, name string) [][]byte {
	t.Helper()
	var files [][]byte
	for _, tid := range threadIDs(t, pid) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/%s", pid, tid, name))
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	return files
}

// TestLoopWait reads, from /proc/PID/task/TID/syscall, the timeout the loop passes to
// epoll_pwait (x86_64 281; the loop's wait is the one with 256 events, the runtime's netpoller
// asks for 128), and counts the process's context switches when it is idle. While a client sends
// every 2 ms, the loop waits raw: with no timeout by default (a finite one arms a kernel timer on
// every sleep, and SIGURG ends the wait for a stop-the-world), with -raw-timeout under
// GODEBUG=asyncpreemptoff=1, where nothing else would. Idle, it waits in a blocking call with no
// timeout either way, and the process goes quiet (raw, sysmon and the loop's preemption made 350
// context switches a second). By default a raw and a blocking wait both pass -1: there the
// asyncpreemptoff case and the quiet idle process tell them apart.
func TestLoopWait(t *testing.T) {
	const forever = "0xffffffffffffffff"
	pwait := strconv.Itoa(syscall.SYS_EPOLL_PWAIT)
	// loopWait: the loop thread's epoll_pwait timeout, or "" if it is not in one now.
	loopWait := func(s *server) string {
		for _, b := range threadFiles(t, s.pid, "syscall") {
			if f := strings.Fields(string(b)); len(f) > 4 && f[0] == pwait && f[3] == "0x100" {
				return f[4]
			}
		}
		return ""
	}
	switches := func(s *server) int {
		n := 0
		for _, b := range threadFiles(t, s.pid, "status") {
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
					m, _ := strconv.Atoi(strings.TrimSpace(v))
					n += m
				}
			}
		}
		return n
	}
	for _, tc := range []struct {
		env  []string
		busy string
	}{
		{nil, forever},
		{[]string{"GODEBUG=asyncpreemptoff=1"}, "0x7"},
	} {
		s := startServer(t, tc.env, "-raw-timeout", "7ms")
		c := dial(t, s.addr)
		seen := map[string]int{}
		for range 150 {
			echoOnce(t, c, "tick")
			time.Sleep(2 * time.Millisecond)
			seen[loopWait(s)]++
		}
		c.Close()
		t.Logf("%v: busy, the loop's wait timeouts in 150 samples: %v", tc.env, seen)
		if seen[tc.busy] < 50 {
			t.Errorf("%v: a loop with a request every 2 ms waited with timeout %s in %d of 150 samples (%v)", tc.env, tc.busy, seen[tc.busy], seen)
		}
		time.Sleep(300 * time.Millisecond)
		if got := loopWait(s); got != forever {
			t.Errorf("%v: the idle loop's epoll_pwait timeout is %q, want %s", tc.env, got, forever)
		}
		before := switches(s)
		time.Sleep(time.Second)
		if n := switches(s) - before; n > 10 {
			t.Errorf("%v: the idle server made %d context switches in a second, want at most 10", tc.env, n)
		}
		s.signal(syscall.SIGTERM)
		if code := s.exitCode(); code != 0 {
			t.Errorf("%v: exit %d after SIGTERM, want 0", tc.env, code)
		}
	}
}

// TestCoalesce: with 32 connections in request/response the loop holds before it polls again
// (holds in the stats line) and every echo comes back intact; with one connection, or with
// -coalesce 0, it never holds.
func TestCoalesce(t *testing.T) {
	var noSlack error // reading another process's timer slack was refused
	for _, tc := range []struct {
		args  []string
		conns int
		holds bool
	}{
		{nil, 32, true},
		{[]string{"-coalesce", "0"}, 32, false},
		{nil, 1, false},
	} {
		s := startServer(t, nil, tc.args...)
		var wg sync.WaitGroup
		errs := make(chan error, tc.conns)
		for i := range tc.conns {
			c := dial(t, s.addr)
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 64)
				for j := range 3000 {
					msg := fmt.Appendf(nil, "conn %d message %d", i, j)
					if _, err := c.Write(msg); err != nil {
						errs <- err
						return
					}
					if _, err := io.ReadFull(c, buf[:len(msg)]); err != nil || !bytes.Equal(buf[:len(msg)], msg) {
						errs <- fmt.Errorf("echo of %q: %q, %v", msg, buf[:len(msg)], err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%v, %d connections: %v", tc.args, tc.conns, err)
		}
		holds := s.stats()["holds"]
		t.Logf("%v, %d connections: holds=%d", tc.args, tc.conns, holds)
		if (holds > 0) != tc.holds {
			t.Errorf("%v, %d connections: holds=%d, want holds: %v", tc.args, tc.conns, holds, tc.holds)
		}
		// The loop thread, and only it, runs with a 1 us timer slack when it may hold. Another
		// process's timerslack_ns (at /proc/TID, not under task/) takes CAP_SYS_NICE to read.
		slack := 0
		for _, tid := range threadIDs(t, s.pid) {
			b, err := os.ReadFile("/proc/" + tid + "/timerslack_ns")
			if errors.Is(err, os.ErrPermission) {
				noSlack = err
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(b)) == "1000" {
				slack++
			}
		}
		if noSlack != nil {
			continue
		}
		t.Logf("%v: %d thread(s) with a 1 us timer slack", tc.args, slack)
		if want := map[bool]int{true: 1, false: 0}[len(tc.args) == 0]; slack != want {
			t.Errorf("%v: %d threads with a 1 us timer slack, want %d (the loop's, with -coalesce)", tc.args, slack, want)
		}
	}
	if noSlack != nil {
		skipf(t, "the loop thread's timer slack not checked: %v", noSlack)
	}
}

// TestEMFILE lowers the running server's RLIMIT_NOFILE with prlimit(2) (the test binary's own
// limit is untouched) until accept fails with EMFILE. The loop must not spin (its CPU time over a
// 1 s window stays under 10% of a core) and must serve the waiting clients once others close.
func TestEMFILE(t *testing.T) {
	s := startServer(t, nil)
	const served, waiting = 4, 3
	base := countFDs(t, s.pid)
	lim := syscall.Rlimit{Cur: uint64(base + served), Max: uint64(base + served)}
	if err := prlimit(s.pid, syscall.RLIMIT_NOFILE, &lim); err != nil {
		// Only a kernel or a sandbox that refuses prlimit64 on another process is a reason to
		// skip; any other error is a failure.
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOSYS) {
			skipf(t, "prlimit(%d, RLIMIT_NOFILE): %v (errno %d)", s.pid, err, err)
		}
		t.Fatalf("prlimit(%d, RLIMIT_NOFILE): %v", s.pid, err)
	}
	var first []*net.TCPConn
	for i := range served {
		c := dial(t, s.addr)
		echoOnce(t, c, fmt.Sprint("served ", i))
		first = append(first, c)
	}
	var later []*net.TCPConn
	for i := range waiting {
		c := dial(t, s.addr) // completes in the kernel's accept queue
		if _, err := c.Write([]byte(fmt.Sprint("waiting ", i))); err != nil {
			t.Fatal(err)
		}
		later = append(later, c)
	}
	s.waitFor("too many open files: accept paused")
	// A measurement window, not a wait for readiness: how much CPU the server burns at EMFILE.
	before := cpuTicks(t, s.pid)
	time.Sleep(time.Second)
	burnt := cpuTicks(t, s.pid) - before
	t.Logf("CPU at EMFILE: %d ticks in 1 s", burnt)
	if burnt > 10 {
		t.Errorf("server used %d clock ticks of CPU in 1 s at EMFILE: it spins", burnt)
	}
	st := s.stats()
	// open may exceed served by one: the fd count above can catch the runtime between files.
	if st["accept_pauses"] < 1 || st["open"] < served {
		t.Errorf("stats at EMFILE: %v", st)
	}
	for _, c := range first {
		c.Close()
	}
	for i, c := range later {
		msg := fmt.Sprint("waiting ", i)
		buf := make([]byte, len(msg))
		c.SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
			t.Errorf("waiting client %d after fds were freed: %q, %v", i, buf, err)
		}
	}
	s.waitFor("accepting again")
}

// TestSecondSignal: during a drain, a second SIGTERM or SIGINT, or a SIGQUIT, cuts the open
// connections and exits 1 at once.
func TestSecondSignal(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first, second syscall.Signal
	}{
		{"TERM TERM", syscall.SIGTERM, syscall.SIGTERM},
		{"INT INT", syscall.SIGINT, syscall.SIGINT},
		{"TERM QUIT", syscall.SIGTERM, syscall.SIGQUIT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, nil, "-drain-idle", "1h", "-drain-timeout", "1h")
			echoOnce(t, dial(t, s.addr), "held open")
			s.signal(tc.first)
			s.waitFor("stopped accepting")
			s.signal(tc.second)
			if code := s.exitCode(); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.Contains(s.stderr(), "cut 1 connection") {
				t.Errorf("log does not say one connection was cut")
			}
		})
	}
	t.Run("QUIT", func(t *testing.T) {
		s := startServer(t, nil)
		s.signal(syscall.SIGQUIT)
		if code := s.exitCode(); code != 0 {
			t.Errorf("SIGQUIT with nothing open: exit code %d, want 0", code)
		}
	})
}

// TestDrainTimeout: a client that never stops sending is cut at -drain-timeout: exit 1 and the
// count in the log.
func TestDrainTimeout(t *testing.T) {
	s := startServer(t, nil, "-drain-timeout", "1s")
	c := dial(t, s.addr)
	go func() { io.Copy(io.Discard, c) }()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	echo := s.statsUntil("traffic", func(m map[string]int64) bool { return m["in"] > 0 })
	_ = echo
	s.signal(syscall.SIGTERM)
	if code := s.exitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if log := s.stderr(); !strings.Contains(log, "drain timeout 1s after SIGTERM: cut 1 connection") {
		t.Errorf("log does not report the cut:\n%s", log)
	}
}

// TestLingeringClose: during a drain an idle client gets the server's FIN (it reads EOF), may
// still send, and the server closes after the client's FIN: exit 0, nothing cut.
func TestLingeringClose(t *testing.T) {
	s := startServer(t, nil, "-drain-idle", "100ms")
	c := dial(t, s.addr)
	echoOnce(t, c, "idle after this")
	s.signal(syscall.SIGTERM)
	c.SetReadDeadline(time.Now().Add(time.Minute))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle client during drain: read %d, %v; want EOF", n, err)
	}
	// Late bytes after the server's FIN are read and dropped, not answered with an RST.
	if _, err := c.Write([]byte("late")); err != nil {
		t.Fatal(err)
	}
	c.CloseWrite()
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestReloadOnHUP rewrites the -config file and sends SIGHUP.
func TestReloadOnHUP(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "limits")
	write := func(s string) {
		if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("max-conns 5\n")
	s := startServer(t, nil, "-config", cfg)
	write("# fewer\nmax-conns 1\ndrain-idle 2s\n")
	s.signal(syscall.SIGHUP)
	s.waitFor("SIGHUP: reloaded: max-conns=1 (was 5) drain-timeout=30s (was 30s) drain-idle=2s (was 500ms)")
	a := dial(t, s.addr)
	echoOnce(t, a, "one")
	b := dial(t, s.addr) // waits in the accept queue: -max-conns 1
	b.Write([]byte("two"))
	s.waitFor("at -max-conns: accept paused")
	a.Close()
	echoOnce(t, b, "")
	buf := make([]byte, 3)
	if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "two" {
		t.Errorf("second client after the first closed: %q %v", buf, err)
	}
	write("max-conns lots\n")
	s.signal(syscall.SIGHUP)
	s.waitFor("SIGHUP: reload failed, keeping the current limits")
}

// TestReadyNotify reads READY=1 and STOPPING=1 from a NOTIFY_SOCKET, as systemd would.
func TestReadyNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := startServer(t, []string{"NOTIFY_SOCKET=" + path})
	buf := make([]byte, 256)
	l.SetReadDeadline(time.Now().Add(time.Minute))
	n, err := l.Read(buf)
	if err != nil || string(buf[:n]) != "READY=1" {
		t.Fatalf("notify socket: %q %v, want READY=1", buf[:n], err)
	}
	s.signal(syscall.SIGTERM)
	n, err = l.Read(buf)
	if err != nil || string(buf[:n]) != "STOPPING=1" {
		t.Fatalf("notify socket: %q %v, want STOPPING=1", buf[:n], err)
	}
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestReusePortLoops: with -loops 2 both SO_REUSEPORT listeners take connections.
func TestReusePortLoops(t *testing.T) {
	s := startServer(t, nil, "-loops", "2")
	for i := range 40 {
		c := dial(t, s.addr)
		echoOnce(t, c, fmt.Sprint("conn ", i))
		c.Close()
	}
	s.signal(syscall.SIGUSR2)
	for i := range 2 {
		line := s.waitFor(fmt.Sprintf("loop %d (SIGUSR2", i))
		if strings.Contains(line, " total=0 ") {
			t.Errorf("loop %d took no connection of 40: %s", i, line)
		}
	}
	s.signal(syscall.SIGTERM)
	if code := s.exitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestBadUsage: bad flags and settings are refused with one line and exit status 125 (the
// server's own failure, README.md at the root, "Exit statuses"), without starting a loop.
func TestBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-loops", "0"}, "-loops 0: want 1 to "},
		{[]string{"-loops", "100000"}, "-loops 100000: want 1 to "},
		{[]string{"-loops", "5000"}, "per CPU"},
		{[]string{"-linger", "-1s"}, "-linger -1s: want 0 or more"},
		{[]string{"-conn-buf", "4294967296"}, "want at most 1073741824 (1 GiB)"},
		{[]string{"-wait", "spin"}, `-wait "spin"`},
		{[]string{"-listen", "127.0.0.1:notaport"}, "listen address"},
		{[]string{"-config", "/nonexistent/limits"}, "config: open /nonexistent/limits"},
		{[]string{"-drain-timeout", "0s"}, "must be positive"},
		{[]string{"-splice", "-1"}, "splice -1: want 0"},
		{[]string{"-spin", "-1ms"}, "spin -1ms: want 0"},
		{[]string{"-coalesce", "-1us"}, "coalesce -1µs: want 0 (never) to 1ms"},
		{[]string{"-coalesce", "2ms"}, "coalesce 2ms: want 0 (never) to 1ms"},
		{[]string{"-slice", "50us"}, "slice 50µs: want 0 (the kernel's) or 100µs to 100ms"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-bogus"}, "flag provided but not defined"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := exec.Command(binPath, tc.args...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 125 {
				t.Errorf("exit: %v, want status 125", err)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output %q does not contain %q", out, tc.want)
			}
			if strings.Contains(string(out), "listening on") || strings.Contains(string(out), "goroutine ") {
				t.Errorf("the server started, or died with a stack trace:\n%s", out)
			}
		})
	}
}

// TestAcceptQueueAtDrain: connections that completed the handshake before SIGTERM are served if
// the limits allow, and reset, with a count in the log, if they do not.
func TestAcceptQueueAtDrain(t *testing.T) {
	t.Run("served", func(t *testing.T) {
		s := startServer(t, nil)
		// Stopped, the server cannot accept: the handshakes complete in the kernel's accept queue.
		s.signal(syscall.SIGSTOP)
		var queued []*net.TCPConn
		for range 3 {
			queued = append(queued, dial(t, s.addr))
		}
		s.signal(syscall.SIGTERM)
		s.signal(syscall.SIGCONT)
		s.waitFor("stopped accepting")
		for i, c := range queued {
			msg := fmt.Sprint("queued ", i)
			echoOnce(t, c, msg)
			c.CloseWrite()
			if _, err := io.ReadAll(c); err != nil {
				t.Errorf("queued client %d: %v", i, err)
			}
		}
		if code := s.exitCode(); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})
	t.Run("beyond -max-conns", func(t *testing.T) {
		s := startServer(t, nil, "-max-conns", "1", "-drain-idle", "1h")
		a := dial(t, s.addr)
		echoOnce(t, a, "served")
		b := dial(t, s.addr) // waits in the accept queue: -max-conns 1
		s.waitFor("at -max-conns: accept paused")
		s.signal(syscall.SIGTERM)
		if line := s.waitFor("stopped accepting"); !strings.Contains(line, "reset 1 beyond the limits") {
			t.Errorf("drain log %q does not count the reset connection", line)
		}
		b.SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := b.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("queued client beyond -max-conns: read error %v, want ECONNRESET", err)
		}
		echoOnce(t, a, "still served while draining")
		a.CloseWrite()
		io.ReadAll(a)
		if code := s.exitCode(); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
	})
}
