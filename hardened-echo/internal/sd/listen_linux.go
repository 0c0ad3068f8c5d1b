package sd

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// listenFDsStart is SD_LISTEN_FDS_START: passed sockets always begin at fd 3 (sd_listen_fds(3)).
const listenFDsStart = 3

// Socket is one file descriptor passed in by the service manager.
type Socket struct {
	// File owns the descriptor. Hand it to net.FileListener or net.FilePacketConn, which dup it,
	// then close it.
	File *os.File
	// Name is the FileDescriptorName= of the socket unit (LISTEN_FDNAMES), or "unknown" when the
	// manager passed no names, as sd_listen_fds_with_names(3) reports.
	Name string
	// Type is the SO_TYPE of the socket: unix.SOCK_STREAM, unix.SOCK_DGRAM, unix.SOCK_SEQPACKET.
	Type int
	// Listening is SO_ACCEPTCONN: true for a socket in the listen state, false for a datagram
	// socket and for the connected stream socket an Accept=yes unit passes.
	Listening bool
}

// ListenFDs returns the sockets passed by socket activation (LISTEN_PID, LISTEN_FDS,
// LISTEN_FDNAMES) and removes those variables from the environment, so nothing this process starts
// later mistakes them for its own. It returns no sockets and no error when the process was not
// socket-activated, including when LISTEN_PID names another process: the variables were inherited
// from a parent that was activated, and the descriptors are not ours.
//
// Every returned descriptor is marked close-on-exec at once: systemd passes them without it.
func ListenFDs() (sockets []Socket, err error) {
	pidEnv, fdsEnv, namesEnv := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES")
	defer func() {
		for _, k := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
			os.Unsetenv(k)
		}
	}()
	n, names, ours, err := parseListenEnv(pidEnv, fdsEnv, namesEnv, os.Getpid())
	if !ours || err != nil {
		return nil, err
	}
	return listenSockets(listenFDsStart, n, names)
}

// listenSockets takes ownership of the n descriptors first, first+1, ..., named by names, or
// "unknown" when names is nil.
func listenSockets(first, n int, names []string) (sockets []Socket, err error) {
	defer func() {
		if err != nil {
			for _, s := range sockets {
				s.File.Close()
			}
			sockets = nil
		}
	}()
	for i := range n {
		fd := first + i
		name := "unknown"
		if names != nil {
			name = names[i]
		}
		// EBADF here means LISTEN_FDS counts descriptors that were never passed.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
			return sockets, fmt.Errorf("passed fd %d (%q): %w", fd, name, os.NewSyscallError("fcntl F_SETFD", err))
		}
		// ENOTSOCK: a plain file or pipe (FileDescriptorStoreMax=, inetd style); this service
		// only serves sockets, so that is a configuration error, not something to skip.
		typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
		if err != nil {
			return sockets, fmt.Errorf("passed fd %d (%q): %w", fd, name, os.NewSyscallError("getsockopt SO_TYPE", err))
		}
		acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
		if err != nil {
			return sockets, fmt.Errorf("passed fd %d (%q): %w", fd, name, os.NewSyscallError("getsockopt SO_ACCEPTCONN", err))
		}
		sockets = append(sockets, Socket{File: os.NewFile(uintptr(fd), name), Name: name, Type: typ, Listening: acc != 0})
	}
	return sockets, nil
}
