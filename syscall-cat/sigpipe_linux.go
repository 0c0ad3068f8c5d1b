package main

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dieOfSIGPIPE terminates the process by SIGPIPE, as the kernel would have if Go's runtime had
// not installed its own handler (runtime/signal_unix.go initsig): the disposition goes back to
// SIG_DFL and the signal is sent to this thread, which dies when tgkill returns. It returns only
// if SIGPIPE is blocked in this thread's mask, inherited from the parent and kept by the
// runtime (SIGPIPE is not one of the signals the runtime unblocks: blockableSig).
func dieOfSIGPIPE() {
	runtime.LockOSThread() // the mask checked and the thread signalled must be the same
	var mask unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, nil, &mask); err == nil {
		if mask.Val[(unix.SIGPIPE-1)/64]&(1<<((unix.SIGPIPE-1)%64)) != 0 {
			return
		}
	}
	// struct kernel_sigaction for x86-64: handler, flags, restorer, mask. All zero: SIG_DFL.
	var act [4]uint64
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGPIPE), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	runtime.KeepAlive(&act)
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), unix.SIGPIPE)
}

// signalsGoSwallows are the asynchronous signals whose default action ends GNU cat but which Go's
// runtime catches and then ignores or turns into a goroutine dump and exit 2, when the program
// has not asked for them with os/signal (runtime/sigtab_linux_generic.go: plain _SigNotify, or
// _SigNotify+_SigThrow for SIGQUIT and SIGABRT, _SigThrow for SIGSTKFLT; sighandler only dies
// by a signal marked _SigKill). Left out: SIGHUP, SIGINT, SIGTERM (_SigKill: the runtime already
// dies by them), SIGPIPE (dieOfSIGPIPE, which honours a blocked SIGPIPE), the synchronous
// faults the runtime turns into panics, SIGTRAP (debuggers), SIGURG (goroutine preemption),
// signals 32-34 (never handled by a static binary) and 33 (sigPerThreadSyscall,
// runtime/os_linux.go:19, which the runtime itself sends).
var signalsGoSwallows = func() []unix.Signal {
	s := []unix.Signal{unix.SIGQUIT, unix.SIGABRT, unix.SIGUSR1, unix.SIGUSR2, unix.SIGALRM,
		unix.SIGSTKFLT, unix.SIGXCPU, unix.SIGXFSZ, unix.SIGVTALRM, unix.SIGPROF, unix.SIGIO, unix.SIGPWR}
	for sig := unix.Signal(35); sig <= 64; sig++ {
		s = append(s, sig)
	}
	return s
}()

// restoreDefaultSignals gives back to the kernel the default action of signalsGoSwallows, so
// kill -USR1, an expired alarm, RLIMIT_FSIZE's SIGXFSZ or SIGQUIT end syscall-cat the way they
// end GNU cat. It wraps rt_sigaction(2) directly: os/signal can only hand a signal back to the
// runtime's handler, never to SIG_DFL. Nothing in this program uses os/signal, so the runtime's
// belief that it still handles these signals is never consulted. It runs before the seccomp
// filter, which allows rt_sigaction only for the signals cat dies by later.
func restoreDefaultSignals() error {
	var act [4]uint64 // struct kernel_sigaction on x86-64, all zero: SIG_DFL, no flags, empty mask
	for _, sig := range signalsGoSwallows {
		_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
		if errno != 0 {
			return &os.SyscallError{Syscall: "reset " + unix.SignalName(sig) + " to its default action: rt_sigaction", Err: errno}
		}
	}
	runtime.KeepAlive(&act)
	return nil
}
