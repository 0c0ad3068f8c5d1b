// Package loop is the server's engine: one or more epoll loops, each a goroutine locked to its OS
// thread, owning its listener (SO_REUSEPORT when there are several) and its connections. Loop 0
// also owns the signal descriptors: a signalfd for the signals kept blocked on every thread and
// the eventfd that os/signal's runtime-owned signals are bridged into.
package loop

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/signal-disciplined-server/internal/sig"
)

// Limits are the settings SIGHUP reloads.
type Limits struct {
	MaxConns     int           // open connections across all loops; 0: only RLIMIT_NOFILE bounds them
	DrainTimeout time.Duration // how long a graceful drain may take before the rest are cut
	DrainIdle    time.Duration // during a drain, a connection quiet this long gets the lingering close
}

// Config is everything a Server needs.
type Config struct {
	Addr       string
	Loops      int
	ConnBuf    int           // bytes of echo a connection may hold before it stops being read
	ReadBudget int           // bytes read from one connection per wakeup
	Linger     time.Duration // how long a lingering close reads to EOF before it closes anyway
	SpliceMin  int           // a read of at least this many bytes sends the next ones through a pipe with splice(2); 0: never
	Wait       WaitMode
	Spin       time.Duration // after an event, poll (epoll_pwait with timeout 0) this long before sleeping; 0: never
	Coalesce   time.Duration // longest hold of a loop with many connections out of work before it polls again (hold.go); 0: never
	Slice      time.Duration // EEVDF slice each loop thread asks for (sched_setattr sched_runtime); 0: the kernel's
	RawTimeout time.Duration // bound of one WaitRaw epoll_pwait when async preemption is off
	Limits     Limits
	Log        *log.Logger
	// Reload returns fresh limits on SIGHUP; nil keeps the current ones.
	Reload func() (Limits, error)
	// Ready is called once every listener is up, with the address they are bound to.
	Ready func(addr string)
	// Stopping is called when a drain or an immediate stop begins.
	Stopping func()
}

const (
	phaseRunning int32 = iota
	phaseDraining
	phaseStopping
)

// Server runs the loops.
type Server struct {
	cfg    Config
	limits atomic.Pointer[Limits]
	loops  []*Loop
	phase  atomic.Int32
	live   atomic.Int32
	cut    atomic.Int64
	// drainWhy and drainDeadline are written by loop 0 before it stores the phase that makes
	// other loops read them; why is written once, by whoever moves the phase to stopping (the
	// only phase that cuts connections), and read by Run after every loop has returned.
	drainWhy      string
	drainDeadline time.Time
	why           string
	sigCounts     [sig.LastRT + 1]atomic.Int64
}

// stats are one loop's counters, read by loop 0 for SIGUSR1.
type stats struct {
	open, total, bytesIn, bytesOut, spliced, resets, backpressured, acceptPauses atomic.Int64
	spinPolls                                                                    atomic.Int64 // empty polls while spinning (-spin)
	holds                                                                        atomic.Int64 // sleeps before a poll (-coalesce)
}

// New checks cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Loops < 1 {
		return nil, fmt.Errorf("loops %d: need at least 1", cfg.Loops)
	}
	if cfg.ConnBuf < 1 || cfg.ReadBudget < 1 {
		return nil, fmt.Errorf("conn-buf %d and read-budget %d must be positive", cfg.ConnBuf, cfg.ReadBudget)
	}
	if cfg.Spin < 0 {
		return nil, fmt.Errorf("spin %v: want 0 (never) or a duration", cfg.Spin)
	}
	if cfg.Coalesce < 0 || cfg.Coalesce > maxCoalesce {
		return nil, fmt.Errorf("coalesce %v: want 0 (never) to %v", cfg.Coalesce, maxCoalesce)
	}
	if cfg.Slice != 0 && (cfg.Slice < minSlice || cfg.Slice > maxSlice) {
		return nil, fmt.Errorf("slice %v: want 0 (the kernel's) or %v to %v", cfg.Slice, minSlice, maxSlice)
	}
	if cfg.Linger < 0 {
		return nil, fmt.Errorf("linger %v: want 0 or more", cfg.Linger)
	}
	if cfg.SpliceMin < 0 {
		return nil, fmt.Errorf("splice %d: want 0 (never) or a size in bytes", cfg.SpliceMin)
	}
	if cfg.Log == nil {
		cfg.Log = log.New(os.Stderr, "", log.LstdFlags)
	}
	s := &Server{cfg: cfg}
	lim := cfg.Limits
	s.limits.Store(&lim)
	return s, nil
}

// Run listens, serves until a drain or stop finishes, and reports connections it had to cut.
func (s *Server) Run() (err error) {
	// The runtime creates its own epoll fd and eventfd on the first timer (runtime/time.go
	// addHeap calls netpollGenericInit). If that first timer came while this process sits at
	// RLIMIT_NOFILE, netpollinit would throw ("runtime: netpollinit failed"): force it now.
	time.AfterFunc(time.Hour, func() {}).Stop()

	// A loop in WaitRaw mode keeps its P even while it waits: with as many loops as Ps nothing
	// else (the os/signal relay, GC workers, timers) could run until sysmon preempted a loop
	// (10ms, runtime/proc.go forcePreemptNS). Leave one P for the rest of the program, unless
	// $GOMAXPROCS says otherwise.
	if n := runtime.GOMAXPROCS(0); s.cfg.Wait == WaitRaw && n < s.cfg.Loops+1 && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(s.cfg.Loops + 1)
		s.cfg.Log.Printf("GOMAXPROCS %d -> %d: each raw-wait loop holds a P, one is left for the runtime", n, s.cfg.Loops+1)
	}
	tcp, err := net.ResolveTCPAddr("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen address: %w", err)
	}
	defer func() {
		for _, l := range s.loops {
			l.closeAll()
		}
	}()
	var bound unix.Sockaddr
	for i := 0; i < s.cfg.Loops; i++ {
		l, err := s.newLoop(i)
		s.loops = append(s.loops, l) // appended first so the defer closes what it holds
		if err != nil {
			return err
		}
		lfd, sa, err := listen(tcp, bound, s.cfg.Loops > 1)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
		}
		l.lfd = lfd
		bound = sa
		if err := l.ep.add(lfd, unix.EPOLLIN); err != nil {
			return err
		}
	}
	if err := s.loops[0].addSignals(); err != nil {
		return err
	}
	addr := sockaddrString(bound)
	s.cfg.Log.Printf("listening on %s (%d loop(s), wait %s, pid %d)", addr, s.cfg.Loops, s.cfg.Wait, os.Getpid())
	if s.cfg.Ready != nil {
		s.cfg.Ready(addr)
	}

	errs := make(chan error, len(s.loops))
	s.live.Store(int32(len(s.loops)))
	for _, l := range s.loops {
		go func() {
			// Locked for good: the loop's thread is its identity (one epoll, one P while it
			// waits in WaitRaw mode). The goroutine exits locked, which ends the thread too.
			runtime.LockOSThread()
			if s.cfg.Slice > 0 {
				if err := setSlice(s.cfg.Slice); err != nil {
					s.cfg.Log.Printf("loop %d: %v; the thread keeps the kernel's slice", l.id, err)
				}
			}
			if s.cfg.Coalesce > 0 {
				if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(holdSlack), 0, 0, 0); err != nil {
					s.cfg.Log.Printf("loop %d: prctl PR_SET_TIMERSLACK: %v; holds may run up to 50us longer", l.id, err)
				}
			}
			err := l.run()
			s.live.Add(-1)
			if err != nil {
				s.stopAll(fmt.Sprintf("loop %d failed", l.id))
			}
			s.wake(0)
			errs <- err
		}()
	}
	for range s.loops {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	if err != nil {
		return err
	}
	if n := s.cut.Load(); n > 0 {
		return &CutError{Why: s.why, N: n}
	}
	s.cfg.Log.Printf("drain complete: every connection closed cleanly")
	return nil
}

func (s *Server) newLoop(id int) (*Loop, error) {
	// One read never exceeds -conn-buf, so what a partial write leaves behind always fits the
	// connection's buffer: the bound on a connection's memory is exactly -conn-buf.
	l := &Loop{id: id, srv: s, lfd: -1, ctl: -1, pr: -1, pw: -1, hold: holder{max: s.cfg.Coalesce}, rbuf: make([]byte, min(s.cfg.ReadBudget, s.cfg.ConnBuf, maxRead))}
	ep, err := newEpoll()
	if err != nil {
		return l, err
	}
	l.ep = ep
	l.ctl, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		l.ctl = -1
		return l, os.NewSyscallError("eventfd2", err)
	}
	if s.cfg.SpliceMin > 0 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
			return l, os.NewSyscallError("pipe2", err)
		}
		l.pr, l.pw = p[0], p[1]
	}
	return l, l.ep.add(l.ctl, unix.EPOLLIN)
}

// wake makes loop i look at the shared phase.
func (s *Server) wake(i int) {
	one := [8]byte{1}
	for {
		if _, err := unix.Write(s.loops[i].ctl, one[:]); !errors.Is(err, unix.EINTR) {
			return // EAGAIN: the counter is already non-zero, the loop will look
		}
	}
}

// beginDrain is called by loop 0. A stop already under way (a loop failed and called stopAll)
// wins: the phase never moves back from stopping to draining.
func (s *Server) beginDrain(why string) {
	if s.phase.Load() != phaseRunning {
		return
	}
	lim := s.limits.Load()
	s.drainWhy = why
	s.drainDeadline = time.Now().Add(lim.DrainTimeout)
	if !s.phase.CompareAndSwap(phaseRunning, phaseDraining) {
		return
	}
	s.cfg.Log.Printf("%s: draining: accept stopped, echoing what is in flight, deadline %v", why, lim.DrainTimeout)
	if s.cfg.Stopping != nil {
		s.cfg.Stopping()
	}
	for i := range s.loops {
		s.wake(i)
	}
}

// stopAll ends every loop now: connections still open are cut.
func (s *Server) stopAll(why string) {
	if s.phase.Swap(phaseStopping) == phaseStopping {
		return
	}
	s.why = why
	s.cfg.Log.Printf("%s: stopping now", why)
	if s.cfg.Stopping != nil {
		s.cfg.Stopping()
	}
	for i := range s.loops {
		s.wake(i)
	}
}

// Stats formats the SIGUSR1 line.
func (s *Server) Stats() string {
	var open, total, in, out, spliced, resets, bp, pauses, spins, holds int64
	for _, l := range s.loops {
		open += l.st.open.Load()
		total += l.st.total.Load()
		in += l.st.bytesIn.Load()
		out += l.st.bytesOut.Load()
		spliced += l.st.spliced.Load()
		resets += l.st.resets.Load()
		bp += l.st.backpressured.Load()
		pauses += l.st.acceptPauses.Load()
		spins += l.st.spinPolls.Load()
		holds += l.st.holds.Load()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "conns open=%d total=%d bytes in=%d out=%d spliced=%d resets=%d backpressured=%d accept_pauses=%d spin_polls=%d holds=%d cut=%d signals",
		open, total, in, out, spliced, resets, bp, pauses, spins, holds, s.cut.Load())
	for _, n := range []int{sig.SIGTERM, sig.SIGINT, sig.SIGHUP, sig.SIGQUIT, sig.SIGPIPE, sig.SIGUSR1, sig.SIGUSR2} {
		fmt.Fprintf(&b, " %s=%d", strings.TrimPrefix(sig.Name(n), "SIG"), s.sigCounts[n].Load())
	}
	var rt int64
	for n := sig.FirstRT; n <= sig.LastRT; n++ {
		rt += s.sigCounts[n].Load()
	}
	fmt.Fprintf(&b, " RT=%d", rt)
	return b.String()
}

func (s *Server) openConns() int64 {
	var n int64
	for _, l := range s.loops {
		n += l.st.open.Load()
	}
	return n
}

// reload runs on SIGHUP in loop 0.
func (s *Server) reload() {
	var rl unix.Rlimit
	nofile := "unknown"
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err == nil {
		nofile = fmt.Sprintf("%d/%d", rl.Cur, rl.Max)
	}
	if s.cfg.Reload == nil {
		lim := s.limits.Load()
		s.cfg.Log.Printf("SIGHUP: reload: no -config file; max-conns=%d drain-timeout=%v drain-idle=%v RLIMIT_NOFILE=%s",
			lim.MaxConns, lim.DrainTimeout, lim.DrainIdle, nofile)
		return
	}
	lim, err := s.cfg.Reload()
	if err != nil {
		s.cfg.Log.Printf("SIGHUP: reload failed, keeping the current limits: %v", err)
		return
	}
	old := s.limits.Swap(&lim)
	s.cfg.Log.Printf("SIGHUP: reloaded: max-conns=%d (was %d) drain-timeout=%v (was %v) drain-idle=%v (was %v) RLIMIT_NOFILE=%s",
		lim.MaxConns, old.MaxConns, lim.DrainTimeout, old.DrainTimeout, lim.DrainIdle, old.DrainIdle, nofile)
}

func (m WaitMode) String() string {
	if m == WaitRaw {
		return "raw"
	}
	return "blocking"
}

// listen makes a non-blocking, close-on-exec listener. With bound set, it binds that address
// (the port the first listener got when the flag said port 0).
func listen(a *net.TCPAddr, bound unix.Sockaddr, reuseport bool) (fd int, sa unix.Sockaddr, err error) {
	family := unix.AF_INET
	var bindTo unix.Sockaddr
	if ip4 := a.IP.To4(); ip4 != nil || a.IP == nil {
		s4 := &unix.SockaddrInet4{Port: a.Port}
		copy(s4.Addr[:], ip4)
		bindTo = s4
	} else {
		family = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: a.Port}
		copy(s6.Addr[:], a.IP.To16())
		bindTo = s6
	}
	if bound != nil {
		bindTo = bound
	}
	fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, os.NewSyscallError("socket", err)
	}
	defer func() {
		if err != nil {
			unix.Close(fd)
		}
	}()
	// SO_REUSEADDR: a restarted server must not wait out TIME_WAIT of its previous connections.
	if err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return -1, nil, os.NewSyscallError("setsockopt SO_REUSEADDR", err)
	}
	if reuseport {
		if err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return -1, nil, os.NewSyscallError("setsockopt SO_REUSEPORT", err)
		}
	}
	if err = unix.Bind(fd, bindTo); err != nil {
		return -1, nil, os.NewSyscallError("bind", err)
	}
	if err = unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return -1, nil, os.NewSyscallError("listen", err)
	}
	sa, err = unix.Getsockname(fd)
	if err != nil {
		return -1, nil, os.NewSyscallError("getsockname", err)
	}
	return fd, sa, nil
}

func sockaddrString(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.JoinHostPort(net.IP(a.Addr[:]).String(), fmt.Sprint(a.Port))
	case *unix.SockaddrInet6:
		return net.JoinHostPort(net.IP(a.Addr[:]).String(), fmt.Sprint(a.Port))
	}
	return fmt.Sprint(sa)
}

// bridged are the signals os/signal relays into loop 0: the runtime keeps the first four
// unblocked. SIGPIPE is only counted: every send passes MSG_NOSIGNAL, and splice(2), which cannot,
// never reaches the path that raises it (echoPipe), so the count is the proof; and with Notify a
// write to a closed stderr fails with EPIPE instead of killing a draining server (os/signal/doc.go
// "SIGPIPE").
var bridged = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE}

// CutError is Run's error when the server stopped with connections still open and cut them:
// the work was done and found something wrong, as opposed to the server failing to run.
type CutError struct {
	Why string // what ended the drain: the drain timeout or a second signal
	N   int64  // connections cut
}

func (e *CutError) Error() string { return fmt.Sprintf("%s: cut %d connection(s)", e.Why, e.N) }
