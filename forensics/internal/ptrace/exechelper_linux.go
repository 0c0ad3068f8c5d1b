package ptrace

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RunExecHelper is the exec helper Start runs (the tracer's binary re-executed, with args
// FILTER PATH ARGV...): it says it has started (a byte on descriptor 4), waits until the tracer
// has seized it (a byte on descriptor 3), then,
// with FILTER a comma list of syscall numbers or "all", installs a seccomp filter that stops
// only those calls (SECCOMP_RET_TRACE) and lets every other one through, and execs PATH. It
// must run on the main thread (the caller locks it in an init function): the main thread's
// execve keeps the process's pid, and a seccomp filter belongs to the thread that installed it.
// It returns only on failure.
func RunExecHelper(args []string) error {
	if len(args) < 3 {
		return errors.New("exec helper: want FILTER PATH ARGV")
	}
	filter, path, argv := args[0], args[1], args[2:]
	// Ready: the runtime has started; the tracer seizes now. Failure (no descriptor 4, a tracer
	// gone) is met by the read of the go-ahead below.
	var b [1]byte
	syscall.Write(4, b[:])
	syscall.Close(4)
	for {
		n, err := syscall.Read(3, b[:])
		if err == syscall.EINTR {
			continue
		}
		if n != 1 {
			return fmt.Errorf("exec helper: no go-ahead from the tracer: %v", err)
		}
		break
	}
	syscall.Close(3)
	// Everything execve needs is built before the filter is in place: after it, any traced call
	// the helper made would stop (or, untraced, fail with ENOSYS).
	argv0, err := syscall.BytePtrFromString(path)
	if err != nil {
		return err
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(os.Environ())
	if err != nil {
		return err
	}
	if filter != "-" {
		prog, err := seccompProgram(filter)
		if err != nil {
			return err
		}
		if err := installFilter(prog); err != nil {
			return err
		}
	}
	_, _, e := syscall.RawSyscall(unix.SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	return fmt.Errorf("exec %s: %w", path, e)
}

// seccompProgram builds the classic BPF program: x86-64 calls whose number is listed return
// SECCOMP_RET_TRACE, everything else SECCOMP_RET_ALLOW (and so never stops the tracee).
func seccompProgram(filter string) ([]unix.SockFilter, error) {
	const (
		ld  = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret = unix.BPF_RET | unix.BPF_K
		// struct seccomp_data: int nr; __u32 arch; ...
		offNr, offArch = 0, 4
	)
	allow := unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_ALLOW}
	trace := unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_TRACE}
	prog := []unix.SockFilter{
		{Code: ld, K: offArch},
		{Code: jeq, K: auditArchX86_64, Jt: 1},
		allow, // another ABI: let it run, as the tracer decodes x86-64 only
		{Code: ld, K: offNr},
	}
	switch filter {
	case "all":
		return append(prog, trace), nil
	case "none":
		return append(prog, allow), nil
	}
	for _, f := range strings.Split(filter, ",") {
		nr, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("seccomp filter: bad syscall number %q", f)
		}
		// Equal: fall through to the RET_TRACE just after; not equal: skip it.
		prog = append(prog, unix.SockFilter{Code: jeq, K: uint32(nr), Jt: 0, Jf: 1}, trace)
	}
	if len(prog) >= 4096 {
		return nil, errors.New("seccomp filter: too many calls")
	}
	return append(prog, allow), nil
}

// installFilter loads prog with seccomp(2). Without CAP_SYS_ADMIN the kernel wants no_new_privs
// first (strace sets it only then too: it changes what a set-user-ID program may do).
func installFilter(prog []unix.SockFilter) error {
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	load := func() error {
		_, _, e := syscall.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
		if e != 0 {
			return e
		}
		return nil
	}
	err := load()
	if errors.Is(err, unix.EACCES) {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return os.NewSyscallError("prctl(PR_SET_NO_NEW_PRIVS)", err)
		}
		err = load()
	}
	if err != nil {
		return os.NewSyscallError("seccomp(SECCOMP_SET_MODE_FILTER)", err)
	}
	return nil
}
