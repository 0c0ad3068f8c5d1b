package loop

import (
	"io"
	"log"
	"net"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"
)

// stopLatency returns the largest bucket bound (seconds) holding a sample of the runtime's
// stop-the-world "stopping" histogram, for GC stops: how long the runtime waited for every P to
// stop.
func stopLatency(h *metrics.Float64Histogram, prev []uint64) (max float64, n uint64) {
	for i, c := range h.Counts {
		d := c
		if prev != nil {
			d -= prev[i]
		}
		if d > 0 {
			max = h.Buckets[i+1]
			n += d
		}
	}
	return max, n
}

// BenchmarkGCStop measures how long a GC stop-the-world waits for the P a waiting loop holds. A
// client echoes one byte every 2 ms, so the loop, never idle for its 10 ms activity window, waits
// raw between them in WaitRaw mode (an idle loop waits blocking). In WaitRaw mode the loop's
// goroutine is "running" inside epoll_pwait: the runtime interrupts it with SIGURG (async
// preemption) and epoll_pwait returns EINTR; with GODEBUG=asyncpreemptoff=1 only the
// -raw-timeout bound ends the wait. Run it both ways:
//
//	go test -run '^$' -bench GCStop ./internal/loop
//	GODEBUG=asyncpreemptoff=1 go test -run '^$' -bench GCStop ./internal/loop
func BenchmarkGCStop(b *testing.B) {
	for _, tc := range []struct {
		name string
		mode WaitMode
	}{{"raw", WaitRaw}, {"blocking", WaitBlocking}} {
		b.Run(tc.name, func(b *testing.B) {
			ready := make(chan struct{})
			var addr string
			srv, err := New(Config{
				Addr: "127.0.0.1:0", Loops: 1, ConnBuf: 64 << 10, ReadBudget: 64 << 10, Linger: time.Second,
				Wait: tc.mode, RawTimeout: 10 * time.Millisecond,
				Limits: Limits{DrainTimeout: time.Second, DrainIdle: time.Second},
				Log:    log.New(io.Discard, "", 0),
				Ready:  func(a string) { addr = a; close(ready) },
			})
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Run() }()
			<-ready
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			stop := make(chan struct{})
			pinged := make(chan error, 1)
			go func() {
				var p [1]byte
				for {
					select {
					case <-stop:
						pinged <- nil
						return
					case <-time.After(2 * time.Millisecond):
					}
					if _, err := c.Write(p[:]); err != nil {
						pinged <- err
						return
					}
					if _, err := io.ReadFull(c, p[:]); err != nil {
						pinged <- err
						return
					}
				}
			}()
			time.Sleep(50 * time.Millisecond) // let the loop settle into its rhythm
			s := []metrics.Sample{{Name: "/sched/pauses/stopping/gc:seconds"}}
			metrics.Read(s)
			prev := append([]uint64(nil), s[0].Value.Float64Histogram().Counts...)
			b.ResetTimer()
			for b.Loop() {
				runtime.GC()
			}
			b.StopTimer()
			close(stop)
			if err := <-pinged; err != nil {
				b.Fatal(err)
			}
			c.Close()
			metrics.Read(s)
			max, n := stopLatency(s[0].Value.Float64Histogram(), prev)
			b.ReportMetric(max*1e6, "max-stop-us")
			b.Logf("%d GC stops, the slowest waited up to %.0f us for every P", n, max*1e6)
			syscall.Kill(syscall.Getpid(), syscall.SIGTERM) // to the bridge: drain and return
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
