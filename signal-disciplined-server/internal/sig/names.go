// Package sig installs and reads this server's signals: the set kept blocked on every thread and
// read from a signalfd, and the runtime-owned signals bridged from os/signal into an eventfd.
package sig

import "fmt"

// Linux signal numbers (signal(7), x86_64 and the generic table): kept here as plain ints so the
// names are testable on any GOOS.
const (
	SIGHUP  = 1
	SIGINT  = 2
	SIGQUIT = 3
	SIGUSR1 = 10
	SIGUSR2 = 12
	SIGPIPE = 13
	SIGTERM = 15
	// FirstRT is the first real-time signal the Go runtime leaves to the program: 32 and 33 are
	// glibc's SIGCANCEL and SIGSETXID and 34 is musl's SIGSYNCCALL, all marked _SigUnblock in
	// runtime/sigtab_linux_generic.go, so the runtime unblocks them whatever mask it inherits.
	FirstRT = 35
	// LastRT is SIGRTMAX: the kernel's _NSIG is 64.
	LastRT = 64
)

// Blocked lists the signals this server keeps blocked on every thread and reads from a signalfd:
// SIGUSR1, SIGUSR2 and the real-time signals 35..64.
func Blocked() []int {
	s := []int{SIGUSR1, SIGUSR2}
	for n := FirstRT; n <= LastRT; n++ {
		s = append(s, n)
	}
	return s
}

// Name returns the conventional name of a Linux signal number: "SIGUSR1", "SIGRTMIN+3" (counted
// from glibc's SIGRTMIN, 34, the way kill(1) and sigqueue users write it), or "signal 33".
func Name(n int) string {
	switch n {
	case SIGHUP:
		return "SIGHUP"
	case SIGINT:
		return "SIGINT"
	case SIGQUIT:
		return "SIGQUIT"
	case SIGUSR1:
		return "SIGUSR1"
	case SIGUSR2:
		return "SIGUSR2"
	case SIGPIPE:
		return "SIGPIPE"
	case SIGTERM:
		return "SIGTERM"
	}
	if n >= 34 && n <= LastRT {
		return fmt.Sprintf("SIGRTMIN+%d", n-34)
	}
	return fmt.Sprintf("signal %d", n)
}

// MaskBits returns the 64-bit mask (bit n-1 for signal n, as in /proc/PID/status SigBlk) of sigs.
func MaskBits(sigs []int) uint64 {
	var m uint64
	for _, n := range sigs {
		m |= 1 << uint(n-1)
	}
	return m
}
