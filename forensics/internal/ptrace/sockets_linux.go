package ptrace

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// socketDesc describes the tracee's descriptor fd, a socket, as strace -yy does:
// TCP:[127.0.0.1:22->127.0.0.1:40000], UDP:[0.0.0.0:55306], TCPv6:[[::1]:8080],
// UNIX-STREAM:[8811940,"/tmp/sock"], or PROTO:[inode] while unbound. The tracer borrows the
// descriptor with pidfd_getfd(2) (allowed to a tracer: PTRACE_MODE_ATTACH_REALCREDS) and asks
// the socket itself: SO_DOMAIN, SO_TYPE, SO_PROTOCOL, getsockname, getpeername. strace reads the
// same from sock_diag(7); a connected UNIX socket's peer inode, which only sock_diag knows, is not
// shown (strace 6.1 did not show it either in the cases tried). "" when the socket cannot be read.
func socketDesc(pid, fd int, inode string) string {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(pidfd)
	s, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(s)
	domain, err1 := unix.GetsockoptInt(s, unix.SOL_SOCKET, unix.SO_DOMAIN)
	typ, err2 := unix.GetsockoptInt(s, unix.SOL_SOCKET, unix.SO_TYPE)
	proto, err3 := unix.GetsockoptInt(s, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	switch domain {
	case unix.AF_UNIX:
		name := map[int]string{unix.SOCK_STREAM: "UNIX-STREAM", unix.SOCK_DGRAM: "UNIX-DGRAM", unix.SOCK_SEQPACKET: "UNIX-SEQPACKET"}[typ]
		if name == "" {
			name = "UNIX"
		}
		if sa, err := unix.Getsockname(s); err == nil {
			// An unbound socket's name is empty, which x/sys reports as "@" (its mark for a
			// leading NUL, the abstract namespace).
			if u, ok := sa.(*unix.SockaddrUnix); ok && u.Name != "" && u.Name != "@" {
				return name + ":[" + inode + "," + quote([]byte(u.Name), false, 0) + "]"
			}
		}
		return name + ":[" + inode + "]"
	case unix.AF_INET, unix.AF_INET6:
		name := map[int]string{unix.IPPROTO_TCP: "TCP", unix.IPPROTO_UDP: "UDP", unix.IPPROTO_SCTP: "SCTP", unix.IPPROTO_ICMP: "PING", unix.IPPROTO_ICMPV6: "PING"}[proto]
		if name == "" {
			return ""
		}
		if domain == unix.AF_INET6 {
			name += "v6"
		}
		local, port := sockaddrString(s, unix.Getsockname)
		if port == 0 {
			return name + ":[" + inode + "]"
		}
		if peer, pport := sockaddrString(s, unix.Getpeername); pport != 0 {
			return name + ":[" + local + "->" + peer + "]"
		}
		return name + ":[" + local + "]"
	}
	return ""
}

// sockaddrString prints an IPv4 or IPv6 socket address as strace -yy does (ADDR:PORT,
// [ADDR6]:PORT) and returns its port, 0 when there is none.
func sockaddrString(s int, get func(int) (unix.Sockaddr, error)) (string, int) {
	sa, err := get(s)
	if err != nil {
		return "", 0
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return strconv.Itoa(int(a.Addr[0])) + "." + strconv.Itoa(int(a.Addr[1])) + "." + strconv.Itoa(int(a.Addr[2])) + "." +
			strconv.Itoa(int(a.Addr[3])) + ":" + strconv.Itoa(a.Port), a.Port
	case *unix.SockaddrInet6:
		return "[" + ip6String(a.Addr[:]) + "]:" + strconv.Itoa(a.Port), a.Port
	}
	return "", 0
}
