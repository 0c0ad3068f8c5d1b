package main

import (
	"errors"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// fdConn is a blocking TCP socket used with plain read(2)/write(2).
type fdConn struct{ fd int }

func dialBlocking(addr string) (c *fdConn, err error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, err
	}
	family := unix.AF_INET
	var sa unix.Sockaddr
	if ip4 := ta.IP.To4(); ip4 != nil {
		s4 := &unix.SockaddrInet4{Port: ta.Port}
		copy(s4.Addr[:], ip4)
		sa = s4
	} else {
		family = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: ta.Port}
		copy(s6.Addr[:], ta.IP.To16())
		sa = s6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	defer func() {
		if err != nil {
			unix.Close(fd)
		}
	}()
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		return nil, os.NewSyscallError("setsockopt TCP_NODELAY", err)
	}
	if err := unix.Connect(fd, sa); err != nil {
		return nil, os.NewSyscallError("connect", err)
	}
	return &fdConn{fd: fd}, nil
}

// Read retries EINTR: the runtime's preemption signal (SIGURG) interrupts blocking reads.
func (c *fdConn) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(c.fd, p)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, os.NewSyscallError("read", err)
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p, retrying EINTR and short writes; MSG_NOSIGNAL keeps a dead server from
// raising SIGPIPE.
func (c *fdConn) Write(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		n, err := unix.SendmsgN(c.fd, p[w:], nil, nil, unix.MSG_NOSIGNAL)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return w, os.NewSyscallError("sendmsg", err)
		}
		w += n
	}
	return w, nil
}

func (c *fdConn) Close() error { return unix.Close(c.fd) }
