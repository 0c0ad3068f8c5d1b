package spawnbench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
)

// cloneArgs is struct clone_args from include/uapi/linux/sched.h (CLONE_ARGS_SIZE_VER0 is its
// first 64 bytes; the whole VER2 struct is passed so the kernel sees every field zeroed).
type cloneArgs struct {
	flags      uint64
	pidfd      uint64
	childTID   uint64
	parentTID  uint64
	exitSignal uint64
	stack      uint64
	stackSize  uint64
	tls        uint64
	setTID     uint64
	setTIDSize uint64
	cgroup     uint64
}

// spawner creates one child per call and waits for it. The raw modes must run on one locked OS
// thread (see Run): they block every signal on that thread for the few instructions around clone.
type spawner struct {
	child Child

	// execve(2) arguments, built once; the child only reads them.
	path *byte
	argv []*byte
	envv []*byte

	ca cloneArgs
	// pidfd is where clone3 stores the new pidfd. It lives here, in the heap, not on the stack:
	// ca.pidfd holds its address as a plain integer, which the runtime does not update when it
	// moves a growing goroutine stack, so a stack variable could be written after it moved.
	pidfd int32

	poisoned bool // this thread's signal mask could not be restored
}

func newSpawner(child Child) (*spawner, error) {
	s := &spawner{child: child}
	path, err := unix.BytePtrFromString(TruePath)
	if err != nil {
		return nil, err
	}
	s.path = path
	s.argv = []*byte{path, nil}
	s.envv = []*byte{nil}
	if _, err := os.Stat(TruePath); err != nil {
		return nil, fmt.Errorf("the exec child needs %s: %w", TruePath, err)
	}
	return s, nil
}

// spawn creates one child in mode m and reaps it, returning the time from just before the child
// was created until its exit status was collected.
func (s *spawner) spawn(m Mode) (time.Duration, error) {
	switch m {
	case ModeFork:
		// fork(2) is clone(SIGCHLD): a copy of the address space (page tables copied, pages shared
		// copy-on-write), so its cost grows with the parent's resident set.
		return s.raw(m, unix.SYS_CLONE, uintptr(unix.SIGCHLD))
	case ModeVfork:
		// vfork(2) is clone(CLONE_VM|CLONE_VFORK|SIGCHLD): the child borrows the parent's memory
		// and the parent sleeps until the child execs or exits; nothing is copied.
		return s.raw(m, unix.SYS_CLONE, uintptr(unix.CLONE_VM|unix.CLONE_VFORK|unix.SIGCHLD))
	case ModeClone3:
		// clone3(2) with a pidfd, the modern spawn primitive: same memory sharing as vfork, and the
		// child is waited for through the pidfd (waitid(P_PIDFD)), never by a recyclable pid.
		return s.raw(m, unix.SYS_CLONE3, 0)
	case ModeForkExec:
		return s.forkExec()
	case ModeOSExec:
		return s.osExec()
	}
	return 0, fmt.Errorf("unknown mode %d", m)
}

func (s *spawner) raw(m Mode, trap, flags uintptr) (time.Duration, error) {
	if !rawSpawnSupported {
		return 0, fmt.Errorf("%v: raw clone is implemented for amd64 only", m)
	}
	var path, argv, envv unsafe.Pointer
	if s.child == ChildExec {
		path = unsafe.Pointer(s.path)
		argv = unsafe.Pointer(&s.argv[0])
		envv = unsafe.Pointer(&s.envv[0])
	}
	a1, a2 := flags, uintptr(0)
	if trap == unix.SYS_CLONE3 {
		s.pidfd = -1
		s.ca = cloneArgs{
			flags:      unix.CLONE_VM | unix.CLONE_VFORK | unix.CLONE_PIDFD,
			pidfd:      uint64(uintptr(unsafe.Pointer(&s.pidfd))),
			exitSignal: uint64(unix.SIGCHLD),
		}
		a1, a2 = uintptr(unsafe.Pointer(&s.ca)), unsafe.Sizeof(s.ca)
	}

	// Block every signal on this (locked) thread so that no Go signal handler can run in the
	// child between clone and execve: with CLONE_VM it would run on the parent's stack, and even
	// in a forked copy it would touch runtime state another thread may have held locked at the
	// moment of the copy. syscall.forkExec does the same through runtime_BeforeFork
	// (runtime/proc.go: "Block signals during a fork, so that the child does not run a signal
	// handler before exec", golang/go#18600). The child therefore starts /bin/true with every
	// signal blocked (a blocked mask survives execve), which is harmless for a program that only
	// exits; a general spawner resets every handler to SIG_DFL in the child before restoring the
	// mask (syscall/exec_linux.go, runtime_AfterForkInChild).
	var all, old unix.Sigset_t
	for i := range all.Val {
		all.Val[i] = ^uint64(0)
	}
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &all, &old); err != nil {
		return 0, os.NewSyscallError("rt_sigprocmask", err)
	}
	// rawSpawn enters the kernel without the runtime's entersyscall, like syscall.RawSyscall: this
	// thread keeps its P while clone copies page tables (milliseconds for a fork at 4 GiB) or waits
	// for the vfork child's execve, and a stop-the-world waits for it. Acceptable for a benchmark
	// with nothing else to schedule; sysmon's preemption signal (SIGURG) waits in the blocked mask.
	start := time.Now()
	pid, errno := rawSpawn(trap, a1, a2, path, argv, envv)
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil); err != nil {
		s.poisoned = true // every signal stays blocked on this thread: Run never unlocks it
		return 0, os.NewSyscallError("rt_sigprocmask", err)
	}
	runtime.KeepAlive(s)
	if errno != 0 {
		name := "clone"
		if trap == unix.SYS_CLONE3 {
			name = "clone3"
		}
		return 0, os.NewSyscallError(name, syscall.Errno(errno))
	}

	var status unix.WaitStatus
	if trap == unix.SYS_CLONE3 {
		var info unix.Siginfo
		err := eintr.Retry(func() error {
			return unix.Waitid(unix.P_PIDFD, int(s.pidfd), &info, unix.WEXITED, nil)
		})
		d := time.Since(start)
		unix.Close(int(s.pidfd))
		if err != nil {
			return 0, os.NewSyscallError("waitid", err)
		}
		if code := siginfoStatus(&info); code != 0 {
			return 0, fmt.Errorf("%v child (pid %d): exit status %d", m, pid, code)
		}
		return d, nil
	}
	err := eintr.Retry(func() error {
		_, err := unix.Wait4(int(pid), &status, 0, nil)
		return err
	})
	d := time.Since(start)
	if err != nil {
		return 0, os.NewSyscallError("wait4", err)
	}
	if !status.Exited() || status.ExitStatus() != 0 {
		return 0, fmt.Errorf("%v child (pid %d): wait status %#x", m, pid, uint32(status))
	}
	return d, nil
}

// siginfoStatus returns si_status of a CLD_EXITED siginfo (the exit code), or 128+signal.
func siginfoStatus(info *unix.Siginfo) int {
	// struct siginfo for SIGCHLD (include/uapi/asm-generic/siginfo.h): after si_signo, si_errno,
	// si_code (3 x int32) and padding to 16 bytes come si_pid, si_uid, si_status.
	b := (*[128]byte)(unsafe.Pointer(info))
	status := *(*int32)(unsafe.Pointer(&b[24]))
	if info.Code == 1 { // CLD_EXITED
		return int(status)
	}
	return 128 + int(status)
}

// forkExec is Go's own spawn path without os/exec: syscall.ForkExec, which on Linux clones with
// CLONE_VFORK|CLONE_VM (syscall/exec_linux.go, forkAndExecInChild1) and runs the child's setup in
// Go code written under the no-allocation, no-stack-growth rules.
func (s *spawner) forkExec() (time.Duration, error) {
	start := time.Now()
	pid, err := syscall.ForkExec(TruePath, []string{TruePath}, &syscall.ProcAttr{Env: []string{}})
	if err != nil {
		return 0, fmt.Errorf("forkexec: %w", err)
	}
	var status unix.WaitStatus
	err = eintr.Retry(func() error {
		_, err := unix.Wait4(pid, &status, 0, nil)
		return err
	})
	d := time.Since(start)
	if err != nil {
		return 0, os.NewSyscallError("wait4", err)
	}
	if !status.Exited() || status.ExitStatus() != 0 {
		return 0, fmt.Errorf("forkexec child (pid %d): wait status %#x", pid, uint32(status))
	}
	return d, nil
}

// osExec is what most Go programs do: exec.Command(...).Run(). In Go 1.26 that is
// clone(CLONE_VFORK|CLONE_VM|CLONE_PIDFD) (os/pidfd_linux.go ensurePidfd asks for the pidfd) plus
// os/exec's own work: opening /dev/null for the three unset stdio streams, the pidfd bookkeeping.
func (s *spawner) osExec() (time.Duration, error) {
	start := time.Now()
	cmd := exec.Command(TruePath)
	cmd.Env = []string{}
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("os/exec %s: %w", TruePath, err)
	}
	return d, nil
}
