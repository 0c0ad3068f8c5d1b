package main

import (
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
