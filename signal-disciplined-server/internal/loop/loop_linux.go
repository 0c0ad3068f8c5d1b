package loop

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/signal-disciplined-server/internal/sig"
)

const (
	// maxRead bounds one read (the loop's buffer). 256 KiB rather than 64: with 100 connections
	// pipelining 64 KiB messages, 64 KiB reads left runs in a state where the clients, blocked
	// on a full receive window, were woken by a window update after every read (the server's
	// recv sending the ACK, a wakeup of the client's vCPU each), at 23-35 k msgs/s and 30-45 us
	// of server CPU per message against 38-45 k and 17 us otherwise, from one 2 s round to the
	// next; with 256 KiB reads no round fell into it (13:35-13:45 UTC, README.md "Benchmarks").
	maxRead     = 256 << 10
	acceptBatch = 64                     // connections taken per listener wakeup, so accept cannot starve I/O
	acceptPause = 100 * time.Millisecond // how long accept rests after EMFILE/ENFILE or at -max-conns
	tick        = 50 * time.Millisecond  // how often draining and lingering connections are inspected
)

// Loop is one epoll loop. Everything in it is touched only by its own goroutine, except st.
type Loop struct {
	id    int
	srv   *Server
	ep    *epoll
	ctl   int // eventfd: the server writes it when the phase changes
	pr    int // the splice pipe's read end, -1 without -splice
	pw    int // its write end
	lfd   int // listener, -1 once closed
	sfd   *sig.Signalfd
	br    *sig.Bridge
	conns []*conn // by fd
	nconn int
	rbuf  []byte   // shared read buffer (maxRead at most): a connection only keeps what it could not write at once
	free  [][]byte // released connection buffers
	ready []*conn  // connections left readable when their read budget ran out: served again before the loop waits

	// Connections served in the current activeWindow, and in the last ones (halved per window
	// since): a loop spins only while it serves a few (spin.go).
	epoch      uint32
	epochStart time.Time
	activeNow  int
	active     int
	hold       holder
	st         stats

	now       time.Time
	phase     int32
	lastTick  time.Time
	lingering int

	paused      bool // listener not in the epoll set's interest
	pausedUntil time.Time
	pauseSince  time.Time
	pauses      int // in the current episode, which a successful accept ends
}

// conn is one client. Its socket is in the epoll set once, edge-triggered, for input, output and
// the peer's FIN (connEvents); readable and writable are what the edges said and what the last
// read or send found since.
type conn struct {
	fd             int
	out            []byte // pending echo: out[off:], nil when there is none
	off            int
	readable       bool   // input (or a FIN, an error) may be waiting: an edge came, no read has found the socket empty since
	writable       bool   // the socket may take more: false from a short send until the EPOLLOUT edge
	queued         bool   // in l.ready
	epoch          uint32 // the loop's epoch when c was last served
	rdhup          bool   // EPOLLRDHUP came: the peer's FIN is queued behind whatever is left to read
	rdEOF          bool   // the peer shut down its write side (read returned 0)
	lingering      bool   // we shut down our write side and are reading to EOF
	backpressured  bool   // not read because out is full
	bulk           bool   // the last read was at least -splice bytes: echo through the pipe
	lastActive     time.Time
	lingerDeadline time.Time
}

func (l *Loop) addSignals() (err error) {
	l.sfd, err = sig.NewSignalfd(sig.Blocked())
	if err != nil {
		return err
	}
	if err := l.ep.add(l.sfd.Fd(), unix.EPOLLIN); err != nil {
		return err
	}
	l.br, err = sig.NewBridge(bridged...)
	if err != nil {
		return err
	}
	return l.ep.add(l.br.Fd(), unix.EPOLLIN)
}

// closeAll releases every descriptor the loop still holds. Connections still open are cut.
func (l *Loop) closeAll() {
	for _, c := range l.conns {
		if c != nil {
			l.closeConn(c)
		}
	}
	if l.lfd >= 0 {
		unix.Close(l.lfd)
		l.lfd = -1
	}
	if l.br != nil {
		l.br.Close()
	}
	if l.sfd != nil {
		l.sfd.Close()
	}
	if l.ctl >= 0 {
		unix.Close(l.ctl)
		l.ctl = -1
	}
	if l.pr >= 0 {
		unix.Close(l.pr)
		unix.Close(l.pw)
		l.pr, l.pw = -1, -1
	}
	if l.ep != nil {
		l.ep.close()
	}
}

func (l *Loop) run() error {
	cfg := &l.srv.cfg
	l.now = time.Now()
	l.lastTick = l.now
	spin := newSpinner(cfg.Spin)
	had := false // the last turn served clients' work
	lastWork := l.now
	for {
		// An idle loop waits in an ordinary blocking system call (epoll_linux.go, WaitMode).
		// (A turn that had work set lastWork to l.now, so this also means !had.)
		mode := cfg.Wait
		if mode == WaitRaw && l.now.Sub(lastWork) >= activeWindow {
			mode = WaitBlocking
		}
		msec := l.timeout(mode)
		active := max(l.active, l.activeNow)
		few := active <= spinConns
		if spin.poll(few) || len(l.ready) > 0 {
			msec = 0
		}
		var evs []unix.EpollEvent
		var err error
		var d time.Duration // how long to hold before polling again: none unless the loop just had work
		if had && msec != 0 {
			d = l.hold.hold(active)
		}
		if d > 0 {
			// Many connections: if nothing is ready now, poll again after a hold (hold.go)
			// rather than wake at the first arrival.
			if evs, err = l.ep.wait(mode, 0); err == nil && len(evs) == 0 {
				l.st.holds.Add(1)
				sleepRaw(d)
				evs, err = l.ep.wait(mode, msec)
			}
		} else {
			evs, err = l.ep.wait(mode, msec)
		}
		if err != nil {
			return err
		}
		l.now = time.Now()
		if l.now.Sub(l.epochStart) >= activeWindow {
			// Halved per window rather than replaced: one window the loop slept through (its
			// CPU taken by another tenant) does not make 1000 connections look like a few.
			l.active, l.activeNow = max(l.activeNow, l.active/2), 0
			l.hold.window(l.now, l.epochStart)
			l.epoch++
			l.epochStart = l.now
		}
		work := len(l.ready) > 0 // clients' work: what the spin waits for (signals are not)
		l.serveReady()
		for i := range evs {
			fd, ev := int(evs[i].Fd), evs[i].Events
			switch {
			case fd == l.lfd:
				work = true
				l.accept()
			case fd == l.ctl:
				var b [8]byte
				unix.Read(l.ctl, b[:]) // resets the counter; EAGAIN means another wake got there first
			case l.sfd != nil && fd == l.sfd.Fd():
				l.readSignalfd()
			case l.br != nil && fd == l.br.Fd():
				l.readBridge()
			case fd < len(l.conns) && l.conns[fd] != nil:
				work = true
				l.hold.events++
				l.serve(l.conns[fd], ev)
			}
		}
		had = work
		switch {
		case work:
			lastWork = l.now
			spin.found(l.now)
		case len(evs) == 0 && spin.empty(l.now, few):
			// Spinning: let whatever shares this CPU (the peer we are waiting for, as often as
			// not) run first. Without the yield, 1000 pipelined connections lost throughput.
			l.st.spinPolls.Add(1)
			unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
		}
		if p := l.srv.phase.Load(); p != l.phase {
			l.enter(p)
		}
		l.timers()
		if l.finished() {
			return nil
		}
	}
}

// timeout is the epoll_pwait timeout in milliseconds: the next timer, or -1 (forever) when nothing
// is timed; a raw wait without async preemption is bounded by RawTimeout (epoll_linux.go).
func (l *Loop) timeout(mode WaitMode) int {
	d := time.Duration(-1)
	if mode == WaitRaw && !asyncPreempt {
		d = l.srv.cfg.RawTimeout
	}
	next := func(t time.Duration) {
		if t < 0 {
			t = 0
		}
		if d < 0 || t < d {
			d = t
		}
	}
	if l.paused {
		next(l.pausedUntil.Sub(l.now))
	}
	if l.phase != phaseRunning || l.lingering > 0 {
		next(l.lastTick.Add(tick).Sub(l.now))
	}
	if d < 0 {
		return -1
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

func (l *Loop) finished() bool {
	if l.phase == phaseRunning || l.nconn > 0 || l.lfd >= 0 {
		return false
	}
	// Loop 0 owns the signals: it stays until every other loop is done, so a second SIGTERM
	// or a SIGQUIT can still cut their connections.
	return l.id != 0 || l.srv.live.Load() == 1
}

// enter follows a phase change made by loop 0.
func (l *Loop) enter(p int32) {
	l.phase = p
	switch p {
	case phaseDraining:
		// Connections that completed the handshake before the drain sit in the accept queue;
		// closing the listener would reset them. They were promised service: take them (up to
		// -max-conns and the fd limit), then close. Anything after that gets ECONNREFUSED.
		n, left := 0, uint32(0)
		if l.lfd >= 0 {
			n = l.acceptN(1 << 30)
			// What acceptN had to leave (at -max-conns or the fd limit) is reset by the close.
			// For a listener, tcp_get_info reports the accept queue length in tcpi_unacked.
			if ti, err := unix.GetsockoptTCPInfo(l.lfd, unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
				left = ti.Unacked
			}
			unix.Close(l.lfd)
			l.lfd = -1
			l.paused = false
		}
		l.srv.cfg.Log.Printf("loop %d: stopped accepting (took %d from the accept queue, reset %d beyond the limits), %d connection(s) draining",
			l.id, n, left, l.nconn)
		l.lastTick = l.now.Add(-tick) // inspect at once
	case phaseStopping:
		if l.nconn > 0 {
			l.srv.cut.Add(int64(l.nconn))
			l.srv.cfg.Log.Printf("loop %d: cutting %d connection(s)", l.id, l.nconn)
		}
		for _, c := range l.conns {
			if c != nil {
				l.closeConn(c)
			}
		}
		if l.lfd >= 0 {
			unix.Close(l.lfd)
			l.lfd = -1
		}
	}
}

func (l *Loop) timers() {
	if l.paused && !l.now.Before(l.pausedUntil) {
		l.resumeAccept()
	}
	if l.phase == phaseRunning && l.lingering == 0 || l.now.Sub(l.lastTick) < tick {
		return
	}
	l.lastTick = l.now
	if l.phase == phaseDraining && !l.now.Before(l.srv.drainDeadline) {
		l.srv.stopAll(fmt.Sprintf("drain timeout %v after %s", l.srv.limits.Load().DrainTimeout, l.srv.drainWhy))
		return
	}
	idle := l.srv.limits.Load().DrainIdle
	for _, c := range l.conns {
		switch {
		case c == nil:
		case c.lingering:
			if !l.now.Before(c.lingerDeadline) {
				l.closeConn(c) // the peer never sent its FIN; everything echoed has been sent
			}
		case l.phase == phaseDraining && c.out == nil && l.now.Sub(c.lastActive) >= idle:
			l.startLinger(c)
		}
	}
}

// accept takes new connections from a readable listener.
func (l *Loop) accept() {
	l.acceptN(acceptBatch)
}

func (l *Loop) acceptN(max int) int {
	n := 0
	for n < max {
		if lim := l.srv.limits.Load().MaxConns; lim > 0 && l.srv.openConns() >= int64(lim) {
			l.pauseAccept("at -max-conns", nil)
			return n
		}
		nfd, _, err := unix.Accept4(l.lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch {
		case err == nil:
		case errors.Is(err, unix.EAGAIN):
			return n // the accept queue is empty
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.ECONNABORTED):
			continue // a signal, or a connection that died in the queue (accept(2)): take the next
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE),
			errors.Is(err, unix.ENOBUFS), errors.Is(err, unix.ENOMEM):
			// The connection stays in the accept queue and the listener stays readable:
			// retrying now would spin. Rest, and retry when a connection closes or the
			// pause ends.
			l.pauseAccept("accept4", err)
			return n
		default:
			l.srv.cfg.Log.Printf("loop %d: accept4: %v", l.id, err)
			return n
		}
		if l.pauses > 0 {
			l.srv.cfg.Log.Printf("loop %d: accepting again after %v (%d pause(s))", l.id, l.now.Sub(l.pauseSince).Round(time.Millisecond), l.pauses)
			l.pauses = 0
		}
		l.addConn(nfd)
		n++
	}
	return n
}

func (l *Loop) pauseAccept(why string, err error) {
	if l.paused || l.lfd < 0 {
		return
	}
	if l.pauses == 0 {
		l.pauseSince = l.now
		if err != nil {
			l.srv.cfg.Log.Printf("loop %d: %s: %v: accept paused, %d open", l.id, why, err, l.srv.openConns())
		} else {
			l.srv.cfg.Log.Printf("loop %d: %s: accept paused, %d open", l.id, why, l.srv.openConns())
		}
	}
	l.pauses++
	l.st.acceptPauses.Add(1)
	if e := l.ep.mod(l.lfd, 0); e != nil {
		l.srv.cfg.Log.Printf("loop %d: %v", l.id, e)
	}
	l.paused = true
	l.pausedUntil = l.now.Add(acceptPause)
}

func (l *Loop) resumeAccept() {
	if !l.paused || l.lfd < 0 {
		return
	}
	l.paused = false
	if e := l.ep.mod(l.lfd, unix.EPOLLIN); e != nil {
		l.srv.cfg.Log.Printf("loop %d: %v", l.id, e)
	}
}

func (l *Loop) addConn(fd int) {
	// An echo is one small write per read: Nagle would hold it back waiting for an ACK.
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	// Registered once: the loop never calls epoll_ctl for a connection again (backpressure is
	// not reading, not a changed interest set). Added with input already waiting, the socket is
	// reported at once (ep_insert polls it).
	c := &conn{fd: fd, writable: true, lastActive: l.now, epoch: l.epoch}
	l.activeNow++ // a storm of new connections is many connections, for the spin too
	if err := l.ep.add(fd, connEvents); err != nil {
		l.srv.cfg.Log.Printf("loop %d: %v", l.id, err)
		unix.Close(fd)
		return
	}
	for fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, len(l.conns)+64)...)
	}
	l.conns[fd] = c
	l.nconn++
	l.st.open.Add(1)
	l.st.total.Add(1)
}

func (l *Loop) closeConn(c *conn) {
	unix.Close(c.fd) // also removes it from the epoll set: nothing else holds this file
	l.conns[c.fd] = nil
	l.nconn--
	l.st.open.Add(-1)
	if c.lingering {
		l.lingering--
	}
	if c.backpressured {
		l.st.backpressured.Add(-1)
	}
	l.release(c)
	if l.paused {
		l.resumeAccept() // an fd and a -max-conns slot are free now
	}
}

func (l *Loop) release(c *conn) {
	if c.out != nil {
		if len(l.free) < 64 {
			l.free = append(l.free, c.out[:0])
		}
		c.out, c.off = nil, 0
	}
}

func (l *Loop) buffer() []byte {
	if n := len(l.free); n > 0 {
		b := l.free[n-1]
		l.free = l.free[:n-1]
		return b
	}
	return make([]byte, 0, l.srv.cfg.ConnBuf)
}

// connEvents is a connection's interest set. Edge-triggered: an event says something changed
// (data or a FIN arrived, the send buffer drained after a short send), and the loop keeps the
// state itself, so it reads a socket until it is empty and sends until it is full, and an idle
// ready socket is not reported again on every wait (level-triggered epoll re-polls every socket
// it returned, ep_send_events, fs/eventpoll.c). EPOLLRDHUP reports the peer's FIN as its own bit.
const connEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// serve handles one readiness event of c.
func (l *Loop) serve(c *conn, ev uint32) {
	if c.epoch != l.epoch {
		c.epoch = l.epoch
		l.activeNow++
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		c.readable = true
	}
	if ev&unix.EPOLLRDHUP != 0 {
		c.rdhup = true
	}
	if ev&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		c.writable = true
	}
	l.progress(c)
}

// progress does what c's state allows: send pending echo, read (or, lingering, discard) what
// waits, close it when both directions are done.
func (l *Loop) progress(c *conn) {
	if c.out != nil && c.writable {
		if !l.flush(c) {
			return
		}
	}
	if c.readable && !c.rdEOF {
		var ok bool
		if c.lingering {
			ok = l.discard(c)
		} else {
			ok = l.read(c)
		}
		if !ok {
			return
		}
	}
	l.update(c)
}

// serveReady gives the connections whose read budget ran out their next turn, after every other
// ready connection had one: no edge will come for input that is already there.
func (l *Loop) serveReady() {
	if len(l.ready) == 0 {
		return
	}
	batch := l.ready
	l.ready = nil
	for _, c := range batch {
		c.queued = false
		if c.fd >= 0 && l.conns[c.fd] == c {
			l.progress(c)
		}
	}
	if l.ready == nil {
		l.ready = batch[:0] // reuse the array
	}
}

// requeue puts c on the ready list: it stays readable after its budget ran out.
func (l *Loop) requeue(c *conn) {
	if !c.queued {
		c.queued = true
		l.ready = append(l.ready, c)
	}
}

// read echoes what c sent, at most ReadBudget bytes this turn: a connection with more waiting
// goes on the ready list, served again after every other ready connection had its turn. A
// connection whose reads come in bulk (-splice) is echoed through the loop's pipe instead of
// rbuf. It stops reading while out is full (backpressure) and goes on when flush empties it.
func (l *Loop) read(c *conn) bool {
	budget := l.srv.cfg.ReadBudget
	for !c.rdEOF {
		if budget <= 0 {
			l.requeue(c)
			return true
		}
		spliced := c.bulk && c.out == nil
		var p []byte
		var n int
		var err error
		switch {
		case spliced:
			n, err = spliceRaw(c.fd, l.pw, min(budget, len(l.rbuf)))
		case c.out != nil:
			if c.off > 0 && len(c.out) == cap(c.out) {
				k := copy(c.out, c.out[c.off:])
				c.out, c.off = c.out[:k], 0
			}
			free := cap(c.out) - len(c.out)
			if free == 0 {
				return true // full: read again once flush has sent some (c.readable stays set)
			}
			p = c.out[len(c.out) : len(c.out)+min(free, budget)]
			n, err = recvRaw(c.fd, p)
		default:
			p = l.rbuf[:min(len(l.rbuf), budget)]
			n, err = recvRaw(c.fd, p)
		}
		switch {
		case err == nil:
		case errors.Is(err, unix.EAGAIN):
			c.readable = false // empty: the next edge says when more arrives
			return true
		case errors.Is(err, unix.EINTR):
			continue
		default:
			l.fail(c, err) // ECONNRESET: the peer reset; ETIMEDOUT and friends alike
			return false
		}
		if n == 0 {
			c.rdEOF = true // half-close: flush what is pending, then close
			c.readable = false
			return true
		}
		if spliced || n == len(p) {
			l.hold.bulk = true // more may be waiting: a stream, which a hold would slow
		}
		budget -= n
		l.st.bytesIn.Add(int64(n))
		c.lastActive = l.now
		// Bulk is judged by the last read: a pipe's 16 slots can end a splice of small
		// segments early, so a small splice also means small messages.
		c.bulk = l.pw >= 0 && n >= l.srv.cfg.SpliceMin
		if spliced {
			if !l.echoPipe(c, n) {
				return false
			}
			continue // no short-read shortcut: a splice also stops when the pipe's slots run out
		}
		if c.out != nil {
			c.out = c.out[:len(c.out)+n] // queued behind bytes EPOLLOUT is waiting to send
		} else {
			w, err := l.send(c, p[:n])
			if err != nil {
				l.fail(c, err)
				return false
			}
			if w < n {
				c.out = append(l.buffer(), p[w:n]...)
				c.off = 0
			}
		}
		if n < len(p) && !c.rdhup {
			// A short read took all the socket held: skip the read that would say EAGAIN.
			// Input arriving after it raises a new edge (every arrival wakes the epoll set).
			// Not after EPOLLRDHUP: the FIN came with the data, and no edge will follow it, so
			// the next read must find it (read returns 0). Without this, a client that wrote
			// 4 bytes and shut down waited forever for its EOF (TestHalfClose).
			c.readable = false
			return true
		}
	}
	return true
}

// echoPipe sends the n bytes just spliced from c into the loop's pipe back out on c, pipe to
// socket: the kernel moves page references both ways and the payload is never copied, which is
// what net.TCPConn's ReadFrom does for io.Copy between two TCP connections. The pipe is shared by
// every connection of the loop, so it is empty again when echoPipe returns: what the socket
// cannot take now is read out of the pipe into c.out, as a partial send would leave it.
//
// splice(2) to a socket cannot pass MSG_NOSIGNAL. The kernel raises SIGPIPE only for EPIPE
// without a pending socket error (sk_stream_error, net/core/stream.c), and a reset peer's first
// error is ECONNRESET, after which the connection is closed, so no splice reaches that path. If
// one ever did, the signal would be counted and nothing else: SIGPIPE is bridged (`bridged`),
// and the stats line's PIPE= shows it (TestResetsAmidSplicing requires 0).
func (l *Loop) echoPipe(c *conn, n int) bool {
	w := 0
	for w < n {
		m, err := spliceRaw(l.pr, c.fd, n-w)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			break
		}
		if err != nil {
			if e := l.fromPipe(l.rbuf[:n-w]); e != nil {
				l.srv.cfg.Log.Printf("loop %d: %v", l.id, e)
			}
			l.fail(c, err)
			return false
		}
		w += m
		l.st.bytesOut.Add(int64(m))
		l.st.spliced.Add(int64(m))
	}
	if w < n {
		c.writable = false
		c.out, c.off = l.buffer()[:n-w], 0
		if err := l.fromPipe(c.out); err != nil {
			l.srv.cfg.Log.Printf("loop %d: %v", l.id, err)
			l.closeConn(c)
			return false
		}
	}
	return true
}

// fromPipe reads exactly len(p) bytes out of the loop's pipe, which holds at least that many.
func (l *Loop) fromPipe(p []byte) error {
	for len(p) > 0 {
		m, err := readRaw(l.pr, p)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || m == 0 {
			return fmt.Errorf("emptying the splice pipe: read %d of %d bytes: %v", m, len(p), err)
		}
		p = p[m:]
	}
	return nil
}

// send writes p (send(2) with MSG_NOSIGNAL: a dead peer is EPIPE, not SIGPIPE) until it is
// written or the socket buffer is full.
func (l *Loop) send(c *conn, p []byte) (int, error) {
	w := 0
	for w < len(p) {
		n, err := sendRaw(c.fd, p[w:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			c.writable = false // the EPOLLOUT edge comes when the send buffer drains
			l.hold.bulk = true // a full socket buffer: a stream, or a slow reader
			break
		}
		if err != nil {
			return w, err
		}
		w += n
		l.st.bytesOut.Add(int64(n))
	}
	return w, nil
}

// flush sends pending echo; a short send clears c.writable until the EPOLLOUT edge.
func (l *Loop) flush(c *conn) bool {
	w, err := l.send(c, c.out[c.off:])
	if err != nil {
		l.fail(c, err)
		return false
	}
	if w > 0 {
		// Echo still flowing is activity: a drain must not take a connection whose client was
		// slow to read for an idle one the moment its backlog is sent.
		c.lastActive = l.now
	}
	c.off += w
	if c.off == len(c.out) {
		l.release(c)
	} else {
		c.writable = false
	}
	return true
}

// discard reads and drops what a lingering connection still sends, until its FIN.
func (l *Loop) discard(c *conn) bool {
	for budget := l.srv.cfg.ReadBudget; ; {
		if budget <= 0 {
			l.requeue(c)
			return true
		}
		n, err := recvRaw(c.fd, l.rbuf)
		switch {
		case err == nil && n == 0:
			l.closeConn(c) // the FIN after ours: close without leaving unread data to cause an RST
			return false
		case err == nil:
			budget -= n
			l.st.bytesIn.Add(int64(n))
		case errors.Is(err, unix.EAGAIN):
			c.readable = false
			return true
		case errors.Is(err, unix.EINTR):
		default:
			l.fail(c, err)
			return false
		}
	}
}

// update closes c when it is done, and keeps the backpressure count.
func (l *Loop) update(c *conn) {
	if c.rdEOF && c.out == nil {
		// Everything the peer sent has been echoed and it sent its FIN: closing now sends ours
		// with no unread data left, so no RST can overtake the echo.
		l.closeConn(c)
		return
	}
	full := c.out != nil && len(c.out)-c.off >= cap(c.out)
	if full != c.backpressured {
		c.backpressured = full
		if full {
			l.st.backpressured.Add(1)
		} else {
			l.st.backpressured.Add(-1)
		}
	}
}

// startLinger closes c the lingering way: FIN first, then read to the peer's FIN (bounded by
// Linger), then close. Closing with unread input would send an RST, and an RST makes the peer's
// kernel drop echoed data it has not yet handed to the application.
func (l *Loop) startLinger(c *conn) {
	if c.rdEOF {
		l.closeConn(c)
		return
	}
	if err := unix.Shutdown(c.fd, unix.SHUT_WR); err != nil {
		l.fail(c, err)
		return
	}
	c.lingering = true
	c.lingerDeadline = l.now.Add(l.srv.cfg.Linger)
	l.lingering++
	l.progress(c)
}

func (l *Loop) fail(c *conn, err error) {
	if errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE) {
		l.st.resets.Add(1)
	} else {
		l.srv.cfg.Log.Printf("loop %d: fd %d: %v", l.id, c.fd, err)
	}
	l.closeConn(c)
}

func (l *Loop) readSignalfd() {
	infos, err := l.sfd.Read()
	if err != nil {
		l.srv.cfg.Log.Printf("%v", err)
	}
	for _, in := range infos {
		if in.Signo < len(l.srv.sigCounts) {
			l.srv.sigCounts[in.Signo].Add(1)
		}
		from := fmt.Sprintf("from pid %d uid %d", in.PID, in.UID)
		switch in.Signo {
		case sig.SIGUSR1:
			l.srv.cfg.Log.Printf("stats (SIGUSR1 %s): %s", from, l.srv.Stats())
		case sig.SIGUSR2:
			for _, o := range l.srv.loops {
				l.srv.cfg.Log.Printf("loop %d (SIGUSR2 %s): open=%d total=%d bytes in=%d out=%d backpressured=%d",
					o.id, from, o.st.open.Load(), o.st.total.Load(), o.st.bytesIn.Load(), o.st.bytesOut.Load(), o.st.backpressured.Load())
			}
		default:
			l.srv.cfg.Log.Printf("%s %s: counted, no action", sig.Name(in.Signo), from)
		}
	}
}

func (l *Loop) readBridge() {
	for _, n := range l.br.Take() {
		l.srv.sigCounts[n].Add(1)
		name := sig.Name(n)
		switch n {
		case sig.SIGTERM, sig.SIGINT:
			if l.srv.phase.Load() == phaseRunning {
				l.srv.beginDrain(name)
			} else {
				l.srv.stopAll("second signal " + name)
			}
		case sig.SIGQUIT:
			l.srv.stopAll(name)
		case sig.SIGHUP:
			l.srv.reload()
		case sig.SIGPIPE:
			// Counted and nothing else: not even a log line, which could be the write to a
			// closed stderr that raised it.
		}
	}
}
