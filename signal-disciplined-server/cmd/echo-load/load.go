//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	addr     string
	conns    int
	size     int
	mode     string
	depth    int
	duration time.Duration
	count    int64
	warmup   time.Duration
	io       string
	srvPid   int // with -server-pid: the server whose CPU time and RSS the window reports
}

func (o *options) check() error {
	switch {
	case o.conns < 1:
		return fmt.Errorf("-conns %d: want at least 1", o.conns)
	case o.size < 1:
		return fmt.Errorf("-size %d: want at least 1", o.size)
	case o.mode != "reqresp" && o.mode != "pipeline":
		return fmt.Errorf("-mode %q: want reqresp or pipeline", o.mode)
	case o.depth < 1:
		return fmt.Errorf("-depth %d: want at least 1", o.depth)
	case o.count < 0 || o.duration < 0 || o.warmup < 0:
		return errors.New("-count, -duration and -warmup must not be negative")
	case o.count > 0 && o.duration > 0:
		return errors.New("-count and -duration exclude each other")
	case o.srvPid < 0:
		return fmt.Errorf("-server-pid %d: want a pid", o.srvPid)
	}
	if err := checkMemory(o.conns, o.size, memAvailable()); err != nil {
		return err
	}
	if o.count == 0 && o.duration == 0 {
		o.duration = 5 * time.Second
	}
	switch o.io {
	case "auto":
		o.io = "netpoll"
		if o.mode == "reqresp" && o.conns <= 16 {
			o.io = "blocking"
		}
	case "blocking", "netpoll":
	default:
		return fmt.Errorf("-io %q: want auto, blocking or netpoll", o.io)
	}
	return nil
}

// patternPeriod is prime, so a message of any size starts at a different pattern offset each
// time and a misplaced message cannot match by accident.
const patternPeriod = 4093

// pattern returns connection id's byte stream: its byte p is pattern[p%patternPeriod], and
// pattern is long enough that any message is one contiguous slice of it.
func pattern(id, size int) []byte {
	b := make([]byte, patternPeriod+size)
	x := uint64(id)*0x9E3779B97F4A7C15 + 1
	for i := range patternPeriod {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x >> 32)
	}
	copy(b[patternPeriod:], b)
	return b
}

func message(pat []byte, i int64, size int) []byte {
	off := int((i * int64(size)) % patternPeriod)
	return pat[off : off+size]
}

// window says whether completions count: between the end of the warm-up and the stop.
type window struct {
	recording atomic.Bool
	stopped   atomic.Bool
}

type worker struct {
	id   int
	c    io.ReadWriteCloser
	lat  []int64 // round-trip nanoseconds of the messages completed in the window
	sent int64
	err  error
}

type result struct {
	msgs    int64
	elapsed time.Duration
	lat     []int64 // sorted
	sent    int64   // messages sent, counted or not
	srv     *usage  // the server's CPU time over the window and its RSS at the end, with -server-pid
}

func load(o options) (*result, error) {
	ws := make([]*worker, o.conns)
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.c.Close()
			}
		}
	}()
	for i := range ws {
		c, err := dial(o.addr, o.io == "blocking")
		if err != nil {
			return nil, fmt.Errorf("connection %d: %w", i, err)
		}
		ws[i] = &worker{id: i, c: c, lat: make([]int64, 0, latCap)}
	}
	var win window
	var wg sync.WaitGroup
	start := time.Now()
	if o.count > 0 {
		win.recording.Store(true)
	}
	for _, w := range ws {
		wg.Go(func() {
			if o.mode == "reqresp" {
				w.err = w.reqresp(o, &win)
			} else {
				w.err = w.pipeline(o, &win)
			}
			if w.err != nil {
				win.stopped.Store(true) // one failure ends the run
			}
		})
	}
	var measured time.Duration
	var srv *usage
	var srvErr error
	if o.count == 0 {
		time.Sleep(o.warmup)
		var u0 usage
		if o.srvPid > 0 {
			u0, srvErr = readUsage(o.srvPid)
		}
		begin := time.Now()
		win.recording.Store(true)
		time.Sleep(o.duration)
		win.stopped.Store(true)
		measured = time.Since(begin)
		if o.srvPid > 0 && srvErr == nil {
			var u1 usage
			if u1, srvErr = readUsage(o.srvPid); srvErr == nil {
				srv = &usage{cpu: u1.cpu - u0.cpu, rssKiB: u1.rssKiB}
			}
		}
		wg.Wait()
	} else {
		var u0 usage
		if o.srvPid > 0 {
			u0, srvErr = readUsage(o.srvPid)
		}
		wg.Wait()
		measured = time.Since(start)
		if o.srvPid > 0 && srvErr == nil {
			var u1 usage
			if u1, srvErr = readUsage(o.srvPid); srvErr == nil {
				srv = &usage{cpu: u1.cpu - u0.cpu, rssKiB: u1.rssKiB}
			}
		}
	}
	if srvErr != nil {
		return nil, fmt.Errorf("-server-pid %d: %w", o.srvPid, srvErr)
	}
	r := &result{elapsed: measured, srv: srv}
	var errs []error
	for _, w := range ws {
		if w.err != nil {
			errs = append(errs, fmt.Errorf("connection %d: %w", w.id, w.err))
		}
		r.lat = append(r.lat, w.lat...)
		r.sent += w.sent
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.msgs = int64(len(r.lat))
	slices.Sort(r.lat)
	return r, nil
}

func (w *worker) record(t0 time.Time, win *window) {
	if win.recording.Load() && !win.stopped.Load() {
		w.lat = append(w.lat, int64(time.Since(t0)))
	}
}

func (w *worker) reqresp(o options, win *window) error {
	pat := pattern(w.id, o.size)
	buf := make([]byte, o.size)
	for i := int64(0); o.count == 0 || i < o.count; i++ {
		if win.stopped.Load() {
			break
		}
		msg := message(pat, i, o.size)
		t0 := time.Now()
		if _, err := w.c.Write(msg); err != nil {
			return fmt.Errorf("message %d: write: %w", i, err)
		}
		w.sent++
		if err := readEcho(w.c, buf, msg, i); err != nil {
			return err
		}
		w.record(t0, win)
	}
	return nil
}

func (w *worker) pipeline(o options, win *window) error {
	pat := pattern(w.id, o.size)
	inflight := make(chan time.Time, o.depth)
	werr := make(chan error, 1)
	go func() {
		defer close(inflight)
		for i := int64(0); o.count == 0 || i < o.count; i++ {
			if win.stopped.Load() {
				break
			}
			inflight <- time.Now() // blocks while -depth messages are unanswered
			if _, err := w.c.Write(message(pat, i, o.size)); err != nil {
				werr <- fmt.Errorf("message %d: write: %w", i, err)
				return
			}
			w.sent++
		}
		werr <- nil
	}()
	buf := make([]byte, o.size)
	var i int64
	for t0 := range inflight {
		if err := readEcho(w.c, buf, message(pat, i, o.size), i); err != nil {
			w.c.Close() // unblocks the writer
			for range inflight {
			}
			<-werr
			return err
		}
		w.record(t0, win)
		i++
	}
	return <-werr
}

func readEcho(r io.Reader, buf, want []byte, i int64) error {
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("message %d: read echo: %w", i, err)
	}
	if !bytes.Equal(buf, want) {
		at := 0
		for at < len(buf) && buf[at] == want[at] {
			at++
		}
		return fmt.Errorf("message %d: echoed byte %d is %#02x, sent %#02x", i, at, buf[at], want[at])
	}
	return nil
}

func (r *result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(p * float64(len(r.lat)))
	if i >= len(r.lat) {
		i = len(r.lat) - 1
	}
	return time.Duration(r.lat[i])
}

func (r *result) print(w io.Writer, o options) {
	secs := r.elapsed.Seconds()
	rate := float64(r.msgs) / secs
	mib := rate * float64(o.size) / (1 << 20)
	us := func(d time.Duration) float64 { return float64(d) / 1e3 }
	fmt.Fprintf(w, "%s: %d conn(s), %d B, %s, io %s, %.2fs: %d msgs (%.0f msgs/s, %.2f MiB/s), latency p50 %.1fus p99 %.1fus p999 %.1fus; every echoed byte verified\n",
		o.addr, o.conns, o.size, o.mode, o.io, secs, r.msgs, rate, mib, us(r.percentile(0.50)), us(r.percentile(0.99)), us(r.percentile(0.999)))
	if r.srv != nil {
		fmt.Fprintf(w, "server: %.2f CPU-seconds in the window (%.2f cores), RSS %d KiB\n", r.srv.cpu.Seconds(), r.srv.cpu.Seconds()/secs, r.srv.rssKiB)
	}
	fmt.Fprintf(w, "result msgs=%d secs=%.3f msgs_per_s=%.0f mib_per_s=%.2f p50_us=%.1f p99_us=%.1f p999_us=%.1f",
		r.msgs, secs, rate, mib, us(r.percentile(0.50)), us(r.percentile(0.99)), us(r.percentile(0.999)))
	if r.srv != nil {
		fmt.Fprintf(w, " srv_cpu_s=%.3f srv_rss_kib=%d", r.srv.cpu.Seconds(), r.srv.rssKiB)
	}
	fmt.Fprintln(w)
}

func dial(addr string, blocking bool) (io.ReadWriteCloser, error) {
	if blocking {
		return dialBlocking(addr)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return c, nil // net sets TCP_NODELAY by default
}

// latCap is the per-connection capacity of the latency record allocated up front.
const latCap = 1 << 14

// checkMemory refuses a load whose buffers cannot be allocated: each connection holds its
// pattern (patternPeriod+size bytes), a read buffer of size bytes and its latency record. Without
// the check, -size 1e12 dies in makeslice with a runtime stack trace. avail is MemAvailable in
// bytes (-1: unknown, then only the address space bounds it).
func checkMemory(conns, size int, avail int64) error {
	need := float64(conns) * (2*float64(size) + patternPeriod + latCap*8)
	limit := float64(avail)
	what := fmt.Sprintf("the %s this machine has available (MemAvailable)", bytesString(limit))
	if avail < 0 {
		limit, what = 1<<46, "64 TiB"
	}
	if need > limit {
		return fmt.Errorf("-conns %d -size %d: the buffers need %s, more than %s", conns, size, bytesString(need), what)
	}
	return nil
}

func bytesString(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}
