// Command hardened-echo is an RFC 862 echo service, TCP and UDP, built to run under the tightest
// systemd sandbox a network service can have.
//
// Synopsis:
//
//	hardened-echo [-listen HOST:PORT] [-udp HOST:PORT] [-max-conns N] [-idle D] [-buf N] [-drain D]
//
// Standalone it listens on 127.0.0.1:7007 for TCP and UDP; port 0 picks a free port and logs the
// address it got. Under systemd (hardened-echo.socket) it serves the sockets passed in
// LISTEN_FDS instead, telling stream from datagram sockets by SO_TYPE, and reports READY=1,
// STATUS=, STOPPING=1 and, when WatchdogSec= is set, WATCHDOG=1 over NOTIFY_SOCKET.
//
// Options:
//
//	-listen ADDR   TCP address to echo on when not socket-activated ("" for none; default 127.0.0.1:7007)
//	-udp ADDR      UDP address to echo on when not socket-activated ("" for none; default 127.0.0.1:7007)
//	-max-conns N   TCP connections open at once; further ones are accepted and closed (default 1024)
//	-idle D        close a TCP connection idle (no byte read or written) for D (default 5m)
//	-buf N         per-connection buffer in bytes, the most one connection holds (default 32768)
//	-drain D       on SIGTERM, how long open connections may take to finish (default 10s)
//
// SIGTERM or SIGINT stops it gracefully: STOPPING=1, listeners closed, open connections finish
// (up to -drain), exit 0. A second signal exits at once, status 1. When hardened-echo itself
// fails (bad usage, an unusable passed socket, a socket it cannot open) it prints one line and
// exits 125, the project's status for "the tool itself failed" (README "Exit statuses").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/hardened-echo/internal/sd"
)

func main() {
	// The first SIGTERM or SIGINT starts the graceful stop; a second one ends the process at once,
	// for an operator who will not wait for the drain (systemd itself escalates with SIGKILL
	// after TimeoutStopSec=).
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		<-sigs
		stop()
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "hardened-echo: second signal (%v): exiting without draining\n", sig)
		os.Exit(1)
	}()
	err := run(ctx, os.Args[1:], os.Stderr) // a network service: no stdin, no stdout
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "hardened-echo: %v\n", err)
		os.Exit(125)
	}
}

// run parses args and runs the service until ctx is cancelled. It is the whole program behind main;
// its only stream is stderr, the log (the journal under systemd).
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("hardened-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tcpAddr := fs.String("listen", "127.0.0.1:7007", "TCP `address` to echo on when not socket-activated (\"\" for none)")
	udpAddr := fs.String("udp", "127.0.0.1:7007", "UDP `address` to echo on when not socket-activated (\"\" for none)")
	maxConns := fs.Int("max-conns", 1024, "TCP connections open at once; further ones are accepted and closed")
	idle := fs.Duration("idle", 5*time.Minute, "close a TCP connection idle for this long")
	bufSize := fs.Int("buf", 32<<10, "per-connection buffer in bytes")
	drain := fs.Duration("drain", 10*time.Second, "on SIGTERM, how long open connections may take to finish")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hardened-echo [-listen HOST:PORT] [-udp HOST:PORT] [-max-conns N] [-idle D] [-buf N] [-drain D]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *maxConns < 1:
		return fmt.Errorf("-max-conns %d: must be at least 1", *maxConns)
	case *idle <= 0:
		return fmt.Errorf("-idle %v: must be positive", *idle)
	case *bufSize < 1 || *bufSize > 16<<20:
		return fmt.Errorf("-buf %d: must be between 1 and %d", *bufSize, 16<<20)
	case *drain < 0:
		return fmt.Errorf("-drain %v: must not be negative", *drain)
	}
	log := newLogger(stderr, sd.StderrIsJournal())

	notifier, err := sd.NewNotifier()
	if err != nil {
		return err
	}
	defer notifier.Close()
	watchdog, err := sd.WatchdogInterval()
	if err != nil {
		return err
	}

	listeners, packets, err := openSockets(fs, *tcpAddr, *udpAddr, log)
	if err != nil {
		return err
	}
	if len(listeners)+len(packets) == 0 {
		return errors.New("nothing to serve: no socket passed in and -listen and -udp are both empty")
	}

	srv := newServer(limits{maxConns: *maxConns, idle: *idle, bufSize: *bufSize, drain: *drain}, log)
	var serving sync.WaitGroup
	for _, ln := range listeners {
		serving.Go(func() { srv.serveStream(ln) })
	}
	for _, pc := range packets {
		serving.Go(func() { srv.servePacket(pc) })
	}

	// Serving from here: the listening sockets exist and the accept loops run, so a client
	// that connects after READY=1 is served (it waits in the backlog if it is fast).
	last := srv.stats.String() // what STATUS= says now; updates go out when it changes
	if err := notifier.Notify("READY=1\nSTATUS=serving: " + last); err != nil {
		log.warn("%v", err)
	}
	log.info("ready")

	// STATUS= follows the counters once a second, only when they changed; WATCHDOG=1 goes at
	// half the interval systemd set (sd_watchdog_enabled(3)).
	statusTick := time.NewTicker(time.Second)
	defer statusTick.Stop()
	var watchdogC <-chan time.Time
	if watchdog > 0 {
		wt := time.NewTicker(watchdog / 2)
		defer wt.Stop()
		watchdogC = wt.C
		if err := notifier.Notify("WATCHDOG=1"); err != nil {
			log.warn("%v", err)
		}
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-statusTick.C:
			if now := srv.stats.String(); now != last {
				last = now
				if err := notifier.Notify("STATUS=serving: " + now); err != nil {
					log.warn("%v", err)
				}
			}
		case <-watchdogC:
			if err := notifier.Notify("WATCHDOG=1"); err != nil {
				log.warn("%v", err)
			}
		}
	}

	// WATCHDOG=1 ends with the loop, and the drain may outlast WatchdogSec=: systemd disarms the
	// watchdog in every state but start-post, running and reload (src/core/service.c,
	// service_set_state), and STOPPING=1 (or its own SIGTERM) moves the unit to stop-sigterm,
	// where TimeoutStopSec= bounds the drain instead.
	if err := notifier.Notify("STOPPING=1\nSTATUS=stopping: " + srv.stats.String()); err != nil {
		log.warn("%v", err)
	}
	for _, ln := range listeners {
		ln.Close()
	}
	for _, pc := range packets {
		pc.Close()
	}
	serving.Wait()
	log.info("stopping, sockets closed: %s", srv.stats.String())
	// The drain gets its own context: ctx is already cancelled, and the drain deadline (not a
	// second signal) decides when open connections are cut.
	srv.drain(context.Background())
	log.info("stopped: %s", srv.stats.String())
	return nil
}

// openSockets returns the sockets passed by socket activation or, without them, opens -listen and
// -udp. Port 0 gets a free port; the address actually bound is logged either way.
func openSockets(fs *flag.FlagSet, tcpAddr, udpAddr string, log *logger) (lns []net.Listener, pcs []net.PacketConn, err error) {
	defer func() {
		if err != nil {
			lns, pcs = closeSockets(lns, pcs)
		}
	}()
	passed, err := sd.ListenFDs()
	if err != nil {
		return nil, nil, fmt.Errorf("socket activation: %w", err)
	}
	if len(passed) > 0 {
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "listen" || f.Name == "udp" {
				log.warn("-%s ignored: serving the %d sockets passed by socket activation", f.Name, len(passed))
			}
		})
		return fromPassed(passed, log)
	}
	if tcpAddr != "" {
		ln, err := net.Listen("tcp", tcpAddr)
		if err != nil {
			return lns, pcs, err
		}
		lns = append(lns, ln)
		log.info("listening on tcp %v", ln.Addr())
	}
	if udpAddr != "" {
		pc, err := net.ListenPacket("udp", udpAddr)
		if err != nil {
			return lns, pcs, err
		}
		pcs = append(pcs, pc)
		log.info("listening on udp %v", pc.LocalAddr())
	}
	return lns, pcs, nil
}

// fromPassed serves the sockets passed by socket activation. It takes ownership of every passed
// File and closes them all, whatever happens: on success net has its own dups, and after a
// socket it refuses, the ones not reached yet must not stay open either.
func fromPassed(passed []sd.Socket, log *logger) (lns []net.Listener, pcs []net.PacketConn, err error) {
	defer func() {
		for _, s := range passed {
			s.File.Close()
		}
		if err != nil {
			lns, pcs = closeSockets(lns, pcs)
		}
	}()
	for _, s := range passed {
		// net.FileListener and net.FilePacketConn dup the descriptor (F_DUPFD_CLOEXEC) and
		// learn the family from getsockname: no socket(2) call, so the service keeps working
		// under RestrictAddressFamilies=AF_UNIX with PrivateNetwork=yes.
		switch {
		case s.Type == unix.SOCK_STREAM && !s.Listening:
			// net.FileListener would take it, and every accept(2) would then fail with
			// EINVAL: a connected socket is what an Accept=yes .socket unit passes.
			return lns, pcs, fmt.Errorf("passed socket %q: a connected stream socket, not a listening one (Accept=yes in the .socket unit? this service wants Accept=no)", s.Name)
		case s.Type == unix.SOCK_STREAM:
			ln, err := net.FileListener(s.File)
			if err != nil {
				return lns, pcs, fmt.Errorf("passed socket %q: %w", s.Name, err)
			}
			lns = append(lns, ln)
			log.info("serving passed stream socket %q on %v", s.Name, ln.Addr())
		case s.Type == unix.SOCK_DGRAM:
			pc, err := net.FilePacketConn(s.File)
			if err != nil {
				return lns, pcs, fmt.Errorf("passed socket %q: %w", s.Name, err)
			}
			pcs = append(pcs, pc)
			log.info("serving passed datagram socket %q on %v", s.Name, pc.LocalAddr())
		default:
			return lns, pcs, fmt.Errorf("passed socket %q: type %d is neither SOCK_STREAM nor SOCK_DGRAM", s.Name, s.Type)
		}
	}
	return lns, pcs, nil
}

// closeSockets closes what an error path had opened so far, and returns nil slices for the
// caller's results.
func closeSockets(lns []net.Listener, pcs []net.PacketConn) ([]net.Listener, []net.PacketConn) {
	for _, ln := range lns {
		ln.Close()
	}
	for _, pc := range pcs {
		pc.Close()
	}
	return nil, nil
}
