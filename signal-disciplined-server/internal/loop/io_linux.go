package loop

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A loop's sockets are non-blocking, so read(2) and send(2) on them never sleep: they copy what
// the socket buffer holds or has room for, or fail with EAGAIN. They are issued with RawSyscall,
// like the raw epoll wait (epoll_linux.go), rather than through unix.Read, which brackets the
// call with entersyscall/exitsyscall (runtime/proc.go). That bookkeeping buys nothing for a call
// that cannot block, and it has a cost beyond its instructions: a goroutine marked in a syscall
// can lose its P to sysmon (retake, runtime/proc.go:6630) when the kernel preempts the loop
// thread inside the call, as it does on a CPU shared with other work, and must win one back in
// exitsyscall. Measured with bpftrace (README.md, Performance, "Raw reads and sends"): sysmon,
// which keeps polling every 20 us while retake finds Ps to take and backs off towards 10 ms
// otherwise, slept 4-5 times less often per echoed message.
//
// The race detector does not see the kernel's writes into the buffer (unix.Read annotates
// them); the buffers are only ever touched by the loop's own goroutine.

// readRaw wraps read(2) on a non-blocking descriptor (the loop's pipe; sockets use recvRaw).
func readRaw(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// recvRaw wraps recv(2) (recvfrom(2) without an address) on a connected, non-blocking socket.
// It is read(2) without the file layer: read on a socket goes through vfs_read (the file
// position lock of fdget_pos, rw_verify_area, the file-permission hook, fsnotify_access) before
// sock_read_iter reaches the same tcp_recvmsg; recvfrom goes to sock_recvmsg directly.
func recvRaw(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// sendRaw wraps send(2) (sendto(2) without an address) with MSG_NOSIGNAL on a connected,
// non-blocking socket: a dead peer is EPIPE, never SIGPIPE. send is also cheaper in the kernel
// than sendmsg, which copies in a msghdr and an iovec array for one buffer.
func sendRaw(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), unix.MSG_NOSIGNAL, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// spliceRaw wraps splice(2) between a socket and a pipe, both non-blocking, with no offsets:
// SPLICE_F_NONBLOCK keeps the pipe side from sleeping, O_NONBLOCK the socket side.
func spliceRaw(in, out, n int) (int, error) {
	r, _, errno := unix.RawSyscall6(unix.SYS_SPLICE, uintptr(in), 0, uintptr(out), 0, uintptr(n), unix.SPLICE_F_NONBLOCK|unix.SPLICE_F_MOVE)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// sleepRaw sleeps for d with nanosleep(2), through RawSyscall like the loop's other calls: the
// goroutine stays running to the runtime and keeps its P, and a hold (at most 1 ms) is far below
// the 10 ms after which sysmon preempts a goroutine that has not been rescheduled. A signal
// (SIGURG) ends it early, which only makes the hold shorter.
func sleepRaw(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}
