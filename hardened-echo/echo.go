package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// limits bound what one client and all clients together can hold.
type limits struct {
	maxConns int           // open TCP connections at once; more are accepted and closed at once
	idle     time.Duration // a connection that neither sends nor accepts data for this long is closed
	bufSize  int           // per-connection buffer: echo reads at most this much before writing it back
	drain    time.Duration // on stop, how long open connections may take to finish
}

// stats are the counters STATUS= and the stop log report.
type stats struct {
	open      atomic.Int64 // TCP connections open now
	accepted  atomic.Int64 // TCP connections accepted since start
	refused   atomic.Int64 // closed at once because maxConns were open
	bytes     atomic.Int64 // bytes echoed over TCP
	datagrams atomic.Int64 // UDP datagrams echoed
}

func (s *stats) String() string {
	return fmt.Sprintf("%d open, %d accepted, %d refused, %d bytes echoed, %d datagrams echoed",
		s.open.Load(), s.accepted.Load(), s.refused.Load(), s.bytes.Load(), s.datagrams.Load())
}

// server echoes on any number of stream listeners and packet sockets.
type server struct {
	lim   limits
	stats stats
	log   *logger

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open connections, for the forced close at the drain deadline
	wg    sync.WaitGroup        // one per connection handler
}

func newServer(lim limits, log *logger) *server {
	return &server{lim: lim, log: log, conns: make(map[net.Conn]struct{})}
}

// serveStream accepts on ln until ln is closed. Each connection gets its own goroutine.
func (s *server) serveStream(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// EMFILE, ENFILE, ENOBUFS: the listener reports the same error until a descriptor
			// or buffer is freed, so back off instead of spinning (net/http.Server does the same).
			s.log.warn("accept on %v: %v", ln.Addr(), err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s.stats.accepted.Add(1)
		if !s.track(c) {
			s.stats.refused.Add(1)
			s.log.warn("refused %v: %d connections open (-max-conns)", c.RemoteAddr(), s.lim.maxConns)
			c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			if err := s.echoStream(c); err != nil {
				s.log.info("%v: %v", c.RemoteAddr(), err)
			}
		}()
	}
}

// track registers c as open unless the connection limit is reached.
func (s *server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= s.lim.maxConns {
		return false
	}
	s.conns[c] = struct{}{}
	s.stats.open.Add(1)
	return true
}

func (s *server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.stats.open.Add(-1)
}

// echoStream writes back every byte c sends until the peer closes its side. On the peer's EOF it
// has already written everything read (the loop never reads ahead of its writes), so it shuts down
// its own side (FIN after the last byte) and closes: a client that half-closes gets its whole
// stream back. Memory per connection is the one buffer: a client that never reads stalls the
// write, which stops the reads, and the idle deadline ends it.
func (s *server) echoStream(c net.Conn) (err error) {
	defer func() {
		if cerr := c.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	buf := make([]byte, s.lim.bufSize)
	for {
		if err := c.SetReadDeadline(time.Now().Add(s.lim.idle)); err != nil {
			return err
		}
		n, rerr := c.Read(buf)
		if n > 0 {
			if err := c.SetWriteDeadline(time.Now().Add(s.lim.idle)); err != nil {
				return err
			}
			w, werr := c.Write(buf[:n])
			s.stats.bytes.Add(int64(w))
			if werr != nil {
				return fmt.Errorf("write: %w", werr)
			}
		}
		if rerr == io.EOF {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				return cw.CloseWrite()
			}
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read: %w", rerr)
		}
	}
}

// servePacket sends every datagram back to its sender until pc is closed. A datagram larger than
// the buffer is truncated by the kernel (MSG_TRUNC), so the buffer holds the largest UDP payload.
func (s *server) servePacket(pc net.PacketConn) error {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// An ICMP error for an earlier reply (ECONNREFUSED) surfaces on the next read:
			// the sender is gone, the socket is fine.
			s.log.info("udp read: %v", err)
			continue
		}
		if _, err := pc.WriteTo(buf[:n], from); err != nil {
			s.log.info("udp reply to %v: %v", from, err)
			continue
		}
		s.stats.datagrams.Add(1)
	}
}

// drain waits for open connections to finish, up to lim.drain, then closes those still open.
// Listeners must be closed first, so no new connection arrives.
func (s *server) drain(ctx context.Context) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(s.lim.drain)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	case <-ctx.Done():
	}
	s.mu.Lock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.log.warn("drain deadline: closed %d connections still open", n)
	<-done
}
