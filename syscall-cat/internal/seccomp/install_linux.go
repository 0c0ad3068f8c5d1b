package seccomp

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Install confines the whole process to prog: it sets no_new_privs and loads the filter with
// SECCOMP_FILTER_FLAG_TSYNC, so every existing thread gets it and threads created later inherit
// it. There is no way back. Nothing is done thread by thread.
//
// First it disarms two traps of the Go runtime that would otherwise make unlisted system calls
// later, at a moment nobody chose:
//   - Since Go 1.25 sysmon re-reads the CPU limit every second (runtime/proc.go sysmon calls
//     sysmonUpdateGOMAXPROCS, which calls defaultGOMAXPROCS: sched_getaffinity plus cgroup file
//     reads). An explicit runtime.GOMAXPROCS(n) sets sched.customGOMAXPROCS, after which sysmon
//     skips the update (runtime/debug.go GOMAXPROCS, proc.go sysmonUpdateGOMAXPROCS); with n the
//     current value it stops no world (debug.go: "no need to actually STW"). The program's
//     //go:debug updatemaxprocs=0 already says so, but a GODEBUG variable in the environment
//     overrides that directive, and this does not depend on it.
//
// The runtime's netpoller is not made here: its first timer creates it (runtime/time.go addHeap
// calls netpollGenericInit: epoll_create1, eventfd2, epoll_ctl), and cat sets none. The
// scavenger may sleep on one after a collection (mgcscavenge.go sleep), so the policy allows
// those three calls for that moment rather than paying for them at every start.
func Install(prog []Instruction) error {
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))

	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}

	// no_new_privs is per thread and seccomp(2) without CAP_SYS_ADMIN requires it on the
	// calling thread; TSYNC then sets it on every thread it synchronises (kernel/seccomp.c
	// seccomp_sync_threads). The two calls are raw (a goroutine never leaves its thread inside
	// one, nor at its end), and runtime.LockOSThread is not used: the first lock starts the
	// runtime's template thread, one clone more at every start, and a locked thread that parks
	// hands its P to yet another. Only a preemption between the two calls could move the
	// goroutine to a thread without no_new_privs; seccomp then fails with EACCES, and both
	// calls are made again.
	var r uintptr
	var errno unix.Errno
	for try := 0; ; try++ {
		if _, _, errno = unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); errno != 0 {
			return os.NewSyscallError("prctl(PR_SET_NO_NEW_PRIVS)", errno)
		}
		r, _, errno = unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
			unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
		if errno != unix.EACCES || try == 100 {
			break
		}
	}
	runtime.KeepAlive(&fprog)
	runtime.KeepAlive(filter)
	if errno != 0 {
		return os.NewSyscallError("seccomp(SECCOMP_SET_MODE_FILTER)", errno)
	}
	if r != 0 {
		// With TSYNC a positive result is the id of a thread that could not be synchronised.
		return errors.New("seccomp: thread " + strconv.Itoa(int(r)) + " could not take the filter")
	}
	return nil
}
