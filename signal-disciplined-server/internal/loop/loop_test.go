package loop

import (
	"bytes"
	"io"
	"log"
	"net"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a log sink the loops and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServerInProcess runs two loops inside the test binary, so that the race detector sees the
// loops, the bridge and the shared counters (the shipped binary is CGO-free and cannot be built
// with -race). The signals go to this process: they are the bridged ones, which os/signal
// delivers to the bridge while the server runs.
func TestServerInProcess(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0)) // Run raises it for raw-wait loops
	for _, mode := range []WaitMode{WaitRaw, WaitBlocking} {
		t.Run(mode.String(), func(t *testing.T) {
			var logs syncBuffer
			addr := make(chan string, 1)
			reloaded := make(chan struct{}, 1)
			srv, err := New(Config{
				Addr: "127.0.0.1:0", Loops: 2, ConnBuf: 4096, ReadBudget: 8192, Linger: time.Second,
				Wait: mode, RawTimeout: 10 * time.Millisecond, Spin: 100 * time.Microsecond, SpliceMin: 4096,
				Limits: Limits{MaxConns: 100, DrainTimeout: time.Minute, DrainIdle: time.Minute},
				Log:    log.New(&logs, "", 0),
				Ready:  func(a string) { addr <- a },
				Reload: func() (Limits, error) {
					reloaded <- struct{}{}
					return Limits{MaxConns: 50, DrainTimeout: time.Minute, DrainIdle: time.Minute}, nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Run() }()
			a := <-addr

			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					c, err := net.Dial("tcp", a)
					if err != nil {
						t.Error(err)
						return
					}
					defer c.Close()
					msg := bytes.Repeat([]byte{byte('a' + i)}, 100<<10) // > ConnBuf: partial writes, backpressure
					go func() {
						c.Write(msg)
						c.(*net.TCPConn).CloseWrite()
					}()
					got, err := io.ReadAll(c)
					if err != nil || !bytes.Equal(got, msg) {
						t.Errorf("client %d: %d bytes back, err %v", i, len(got), err)
					}
				})
			}
			syscall.Kill(syscall.Getpid(), syscall.SIGHUP)
			<-reloaded
			wg.Wait()
			if got := srv.Stats(); !strings.Contains(got, "total=16 bytes in=1638400 out=1638400") {
				t.Errorf("stats %q", got)
			}
			syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
			if err := <-done; err != nil {
				t.Fatalf("Run: %v\n%s", err, logs.String())
			}
			for _, want := range []string{"SIGHUP: reloaded: max-conns=50 (was 100)", "loop 0: stopped accepting", "loop 1: stopped accepting", "drain complete"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, logs.String())
				}
			}
		})
	}
}
