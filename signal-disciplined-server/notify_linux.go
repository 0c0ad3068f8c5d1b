package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// sdNotify sends state to $NOTIFY_SOCKET (sd_notify(3)); without it, it does nothing. A name
// starting with '@' is an abstract socket, which unix.SockaddrUnix maps to the leading NUL.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	return os.NewSyscallError("sendto", unix.Sendto(fd, []byte(state), unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: path}))
}
