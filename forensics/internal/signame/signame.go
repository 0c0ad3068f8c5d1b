// Package signame is forensics' one table of signal names, with one numbering of the real-time
// signals: the kernel's, SIGRTMIN being 32 (include/uapi/asm-generic/signal.h, _NSIG 64).
//
// Two tools name them from that numbering, differently, and output that mimics a tool uses that
// tool's names:
//   - kill -l (bash, util-linux) counts from the C library's SIGRTMIN, 34 under glibc and musl,
//     which keep 32 and 33 for thread cancellation and setxid broadcasts: SIGRTMIN,
//     SIGRTMIN+1 .. SIGRTMIN+15, SIGRTMAX-14 .. SIGRTMAX, and SIG32, SIG33 for the reserved two.
//     Name renders this, for /proc signal sets and every line of the lab.
//   - strace counts from the kernel's 32: SIGRTMIN for 32 itself, then SIGRT_1 .. SIGRT_32
//     (RTMIN and RT_N inside a signal set). Strace renders this, for the tracer's output.
package signame

import (
	"os"
	"strconv"
	"syscall"
)

// classic are the x86_64 Linux signal numbers 1..31 (signal(7), arch/x86/include/uapi/asm/signal.h).
var classic = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
	14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
	20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}

const (
	kernelRTMin = 32 // the kernel's first real-time signal
	libcRTMin   = 34 // glibc's and musl's SIGRTMIN: 32 and 33 are theirs
	rtMax       = 64 // _NSIG
)

// Name names signal n the way kill -l does: SIGTERM, SIGRTMIN+3 (= 37), SIGRTMAX-2 (= 62),
// SIG32; "SIG?N" outside 1..64.
func Name(n int) string {
	switch {
	case n >= 1 && n < len(classic):
		return classic[n]
	case n >= kernelRTMin && n < libcRTMin:
		return "SIG" + strconv.Itoa(n)
	case n == libcRTMin:
		return "SIGRTMIN"
	case n > libcRTMin && n <= (libcRTMin+rtMax)/2:
		return "SIGRTMIN+" + strconv.Itoa(n-libcRTMin)
	case n > (libcRTMin+rtMax)/2 && n < rtMax:
		return "SIGRTMAX-" + strconv.Itoa(rtMax-n)
	case n == rtMax:
		return "SIGRTMAX"
	}
	return "SIG?" + strconv.Itoa(n)
}

// Strace names signal n the way strace 6.1 does: SIGTERM, SIGRTMIN (= 32), SIGRT_5 (= 37), or
// the bare number.
func Strace(n int) string {
	switch {
	case n >= 1 && n < len(classic):
		return classic[n]
	case n == kernelRTMin:
		return "SIGRTMIN"
	case n > kernelRTMin && n <= rtMax:
		return "SIGRT_" + strconv.Itoa(n-kernelRTMin)
	}
	return strconv.Itoa(n)
}

// Of names an os.Signal with Name; a signal that is not a syscall.Signal keeps its String.
func Of(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		return Name(int(n))
	}
	return s.String()
}
