// Package ptrace is a syscall tracer in strace's shape, built on ptrace(2): PTRACE_SEIZE,
// PTRACE_O_TRACESYSGOOD and the fork/clone/exec events, PTRACE_GET_SYSCALL_INFO to tell a
// syscall's entry from its exit, PTRACE_LISTEN for group-stops and PTRACE_INTERRUPT to detach.
//
// Every ptrace request must come from the tracer thread: the kernel records a task, not a process,
// as the tracer (kernel/ptrace.c ptrace_check_attach: child->parent == current; /proc/PID/status
// TracerPid shows that thread's id). So a Tracer runs on one goroutine locked to its OS thread for
// good, and that thread also blocks in wait4(2) for the next stop: handing each stop over from a
// waiter goroutine costs a scheduler hand-off to the locked thread per stop, which measured 8x
// slower than strace. A thread blocked in wait4 cannot be woken by a signal (the Go runtime
// installs every handler with SA_RESTART, so wait4 restarts), so a detach request wakes it with
// what wait4 does wait for: the exit of a throwaway child of the tracer process.
package ptrace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/syscalls"
)

// Options configure a trace.
type Options struct {
	Follow      bool      // -f: trace children and threads created by tracees
	SummaryOnly bool      // -c: count, print only the summary table at the end
	WallTime    bool      // -w: summary times are wall-clock latency, not system CPU time
	Out         io.Writer // trace lines and the summary
	Log         io.Writer // "attached"/"detached" notices (strace prints them on stderr)
}

// Status is how the traced command ended: an exit code, or the signal that killed it.
type Status struct {
	Exited   bool
	Code     int
	Signal   unix.Signal
	CoreDump bool
}

const auditArchX86_64 = 0xc000003e // AUDIT_ARCH_X86_64, include/uapi/linux/audit.h

// syscallInfo is struct ptrace_syscall_info (include/uapi/linux/ptrace.h), filled by
// PTRACE_GET_SYSCALL_INFO (Linux 5.3). For op == PTRACE_SYSCALL_INFO_EXIT the union holds
// rval (s64) in nr's place and is_error (u8) in the low byte of args[0].
type syscallInfo struct {
	op      uint8
	_       [3]uint8
	arch    uint32
	ip      uint64
	sp      uint64
	nr      uint64
	args    [6]uint64
	retData uint32
	_       uint32
}

type tracee struct {
	pid        int
	inSyscall  bool
	nr         uint64
	name       string
	args       [6]uint64
	start      time.Time
	startStime time.Duration
	printed    bool // the entry line was written (possibly cut by another tracee's line)
	attached   bool // -p: detach, never kill, when we stop
	hideStart  bool // the SIGSTOP/SIGCONT of our own start-up handshake: not the program's
}

type waitResult struct {
	pid    int
	status unix.WaitStatus
	stime  time.Duration // the tracee's system CPU time (wait4's rusage), for -c
}

// Tracer holds one trace session. Create it with New, start it with Start (a command) or Attach
// (a running process), then call Run, all from the same goroutine: Start and Attach lock it to
// its OS thread for good.
type Tracer struct {
	opts    Options
	out     *bufio.Writer
	tracees map[int]*tracee
	open    *tracee // the tracee whose entry line is written without its end
	col     int     // bytes written on the current output line
	summary *Summary
	mainPid int
	status  Status
	detach  bool // detaching everything: every stop is answered with PTRACE_DETACH
	self    int

	detachRequested atomic.Bool
	wakePid         atomic.Int64 // the throwaway child RequestDetach started, reaped by Run
}

// New returns a Tracer writing to opts.Out.
func New(opts Options) *Tracer {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return &Tracer{
		opts:    opts,
		out:     bufio.NewWriterSize(opts.Out, 64<<10),
		tracees: map[int]*tracee{},
		summary: NewSummary(),
		self:    os.Getpid(),
	}
}

// Summary returns the counts collected so far.
func (t *Tracer) Summary() *Summary { return t.summary }

func (t *Tracer) options(spawned bool) uintptr {
	o := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_TRACEEXIT
	if t.opts.Follow {
		o |= unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACECLONE
	}
	if spawned {
		// A command we started dies with us rather than run on untraced (or, worse, stay
		// stopped) if the tracer is killed.
		o |= unix.PTRACE_O_EXITKILL
	}
	return uintptr(o)
}

// quietSIGCHLD adds SA_NOCLDSTOP to SIGCHLD's disposition with rt_sigaction(2), keeping the Go
// runtime's handler, mask and restorer as they are. Every ptrace-stop of every tracee notifies the
// tracer with SIGCHLD (kernel/signal.c do_notify_parent_cldstop, called from ptrace_stop), and
// with the handler the runtime installs at start-up (runtime/signal_unix.go:127-150 initsig; SIGCHLD
// is _SigNotify+_SigIgn in runtime/sigtab_linux_generic.go:27) each one is a real delivery: wait4
// interrupted, the handler run, wait4 restarted. That made the tracer 1.3x slower than strace.
// do_notify_parent_cldstop sends nothing when SA_NOCLDSTOP is set, yet still wakes wait4
// (__wake_up_parent); exits still raise SIGCHLD (do_notify_parent), one per tracee, not per stop.
//
// Why a flag and not the disposition: the runtime believes it handles SIGCHLD (handlingSig is 1),
// so it never looks again: a later signal.Notify(SIGCHLD) keeps working with the flag
// (sigenable, runtime/signal_unix.go:205, re-installs nothing), while under SIG_DFL it would
// silently never fire; and if the runtime ever re-installs its handler (setsig,
// runtime/os_linux.go:478-480, always the same four flags) the flag is dropped and the tracer is merely
// slower, never wrong. SIG_IGN is no option at all: the kernel would auto-reap the command
// (do_notify_parent) and take its exit status with it. The read-modify-write is not atomic with
// respect to os/signal, which this process never uses for SIGCHLD.
func quietSIGCHLD() error {
	var sa kernelSigaction
	if err := rtSigaction(unix.SIGCHLD, nil, &sa); err != nil {
		return err
	}
	sa.flags |= saNoCldStop
	return rtSigaction(unix.SIGCHLD, &sa, nil)
}

// saNoCldStop is SA_NOCLDSTOP (arch/x86/include/uapi/asm/signal.h); x/sys does not export it.
const saNoCldStop = 0x1

// kernelSigaction is struct sigaction as rt_sigaction(2) reads and writes it on x86-64 (the
// kernel's layout, not glibc's: handler, flags, restorer, then a 64-bit mask).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// rtSigaction wraps rt_sigaction(2) for the kernel's 8-byte signal set.
func rtSigaction(sig unix.Signal, act, old *kernelSigaction) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if e != 0 {
		return os.NewSyscallError("rt_sigaction", e)
	}
	return nil
}

// SetDefaultAction wraps rt_sigaction(2): sig's disposition becomes SIG_DFL, whatever handler the
// Go runtime installed (os/signal's Reset keeps the runtime's handler for most signals). It is for
// a process about to die by sig (see passThrough in trace.go): the runtime is not told.
func SetDefaultAction(sig unix.Signal) error {
	return rtSigaction(sig, &kernelSigaction{}, nil) // handler 0 is SIG_DFL
}

// ptrace issues one request. x/sys has no wrapper that takes options (SEIZE), a signal (DETACH,
// LISTEN) or a size (GET_SYSCALL_INFO), so all go through here. Apart from PTRACE_SEIZE, which
// waits for a stopped tracee to enter its trap (kernel/ptrace.c ptrace_attach, wait_on_bit), the
// requests used never block: the tracee is already stopped, or is only told to stop. Those go
// through RawSyscall6, without the runtime's entersyscall/exitsyscall bookkeeping, which two or
// three requests per syscall-stop would otherwise pay.
func ptrace(req, pid int, addr, data uintptr) (uintptr, error) {
	call := unix.RawSyscall6
	if req == unix.PTRACE_SEIZE {
		call = unix.Syscall6
	}
	r, _, e := call(unix.SYS_PTRACE, uintptr(req), uintptr(pid), addr, data, 0, 0)
	if e != 0 {
		return r, e
	}
	return r, nil
}

// Start starts path traced and returns its pid. The calling goroutine is locked to its thread and
// stays locked: that thread is the tracer of the new process (poisoned for any other use), because
// syscall.ForkExec clones on the calling thread and the child's PTRACE_TRACEME names its parent
// thread as tracer ("Call runtime.LockOSThread before starting a process with this set",
// syscall/exec_linux.go:70-72). Run must follow on the same goroutine.
//
// Go can only start a traced child through PTRACE_TRACEME (SysProcAttr.Ptrace, syscall/
// exec_linux.go), which attaches it in the old PTRACE_ATTACH mode: no PTRACE_LISTEN, no
// PTRACE_INTERRUPT, and children inherit that mode. So the child is converted to a seized tracee
// before it runs one instruction of the new program: at its post-exec SIGTRAP stop it is detached
// with SIGSTOP (it stops in the kernel, on the way out of signal delivery), PTRACE_SEIZEd while
// stopped, and sent SIGCONT, which is strace's own start-up handshake (strace.c startup_child).
func (t *Tracer) Start(path string, argv, env []string, files []uintptr) (_ int, err error) {
	runtime.LockOSThread() // never unlocked: this thread is the tracer from here on
	if err := quietSIGCHLD(); err != nil {
		return 0, err
	}

	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", path, err)
	}
	defer func() {
		// A half-started command must not run on untraced once the tracer gives up (it is
		// not yet PTRACE_O_EXITKILL): kill it and reap it.
		if err != nil {
			unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WALL, nil)
		}
	}()
	var ws unix.WaitStatus
	if err := waitPid(pid, &ws, unix.WALL); err != nil {
		return 0, err
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return 0, fmt.Errorf("start %s: unexpected first stop: wait status %#x", path, uint32(ws))
	}
	if _, err := ptrace(unix.PTRACE_DETACH, pid, 0, uintptr(unix.SIGSTOP)); err != nil {
		return 0, os.NewSyscallError("ptrace(PTRACE_DETACH)", err)
	}
	if err := waitPid(pid, &ws, unix.WALL|unix.WUNTRACED); err != nil {
		return 0, err
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGSTOP {
		return 0, fmt.Errorf("start %s: expected a SIGSTOP stop, got wait status %#x", path, uint32(ws))
	}
	if _, err := ptrace(unix.PTRACE_SEIZE, pid, 0, t.options(true)); err != nil {
		return 0, os.NewSyscallError("ptrace(PTRACE_SEIZE)", err)
	}
	if err := unix.Kill(pid, unix.SIGCONT); err != nil {
		return 0, os.NewSyscallError("kill", err)
	}
	t.mainPid = pid
	t.tracees[pid] = &tracee{pid: pid, hideStart: true}

	// The execve that started the program ran before we could see it: print and count it as
	// strace does (its exit, = 0, happened in the new image).
	if !t.opts.SummaryOnly {
		args := make([]string, len(argv))
		for i, a := range argv {
			args[i] = quote([]byte(a), false)
		}
		t.line(t.tracees[pid], fmt.Sprintf("execve(%s, [%s], /* %d vars */) = 0\n", quote([]byte(path), false), strings.Join(args, ", "), len(env)))
	}
	t.summary.Add("execve", false, 0)
	return pid, nil
}

// Attach seizes every thread of process pid (re-reading /proc/pid/task until no new thread
// appears) and interrupts each so that Run can start tracing it. Like Start, it locks the calling
// goroutine to its thread for good. Threads the process creates after a thread was seized are
// traced only with Follow (PTRACE_O_TRACECLONE), as with strace -p: a Go program, for one, starts
// a new thread whenever its running threads are held in a ptrace-stop for long (the runtime's
// sysmon hands their Ps to new Ms), so without -f its later syscalls may happen out of sight.
func (t *Tracer) Attach(pid int) error {
	runtime.LockOSThread() // never unlocked: this thread is the tracer from here on
	if err := quietSIGCHLD(); err != nil {
		return err
	}
	t.mainPid = pid
	for {
		tids, err := threads(pid)
		if err != nil {
			return err
		}
		added := 0
		for _, tid := range tids {
			if _, ok := t.tracees[tid]; ok {
				continue
			}
			if _, err := ptrace(unix.PTRACE_SEIZE, tid, 0, t.options(false)); err != nil {
				if errors.Is(err, unix.ESRCH) {
					continue // the thread exited meanwhile
				}
				if errors.Is(err, unix.EPERM) && t.opts.Follow && tracedBy(tid, unix.Gettid()) {
					// With -f a thread seized in an earlier round may have cloned this one
					// before its interrupt-stop: PTRACE_O_TRACECLONE attached it to us already
					// (EPERM: kernel/ptrace.c ptrace_attach refuses a task with a tracer). Its
					// first stop, PTRACE_EVENT_STOP, is already on its way to Run.
					t.tracees[tid] = &tracee{pid: tid, attached: true}
					added++
					continue
				}
				t.detachAllNow()
				return fmt.Errorf("attach to %d: %w", tid, os.NewSyscallError("ptrace(PTRACE_SEIZE)", err))
			}
			if _, err := ptrace(unix.PTRACE_INTERRUPT, tid, 0, 0); err != nil && !errors.Is(err, unix.ESRCH) {
				return os.NewSyscallError("ptrace(PTRACE_INTERRUPT)", err)
			}
			t.tracees[tid] = &tracee{pid: tid, attached: true}
			added++
		}
		if added == 0 {
			break
		}
	}
	if len(t.tracees) == 0 {
		return fmt.Errorf("attach to %d: no threads", pid)
	}
	fmt.Fprintf(t.opts.Log, "trace: process %d attached, threads: %d\n", pid, len(t.tracees))
	return nil
}

// detachAllNow undoes a partial Attach: the threads seized so far are running (or about to
// trap), so they are interrupted and detached at their next stop by Run's loop. Here, before the
// loop exists, simply detach those already stopped and leave the rest to the kernel: a tracee
// whose tracer thread exits is detached (kernel/ptrace.c exit_ptrace).
func (t *Tracer) detachAllNow() {
	for pid := range t.tracees {
		ptrace(unix.PTRACE_DETACH, pid, 0, 0)
	}
}

// tracedBy reports whether /proc/tid/status names tracer as tid's TracerPid.
func tracedBy(tid, tracer int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return false
	}
	for ln := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(ln, "TracerPid:"); ok {
			return strings.TrimSpace(v) == strconv.Itoa(tracer)
		}
	}
	return false
}

func threads(pid int) ([]int, error) {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil, fmt.Errorf("list threads of %d: %w", pid, err)
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

func waitPid(pid int, ws *unix.WaitStatus, opts int) error {
	for {
		_, err := unix.Wait4(pid, ws, opts, nil)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EINTR) {
			return os.NewSyscallError("wait4", err)
		}
	}
}

// wait returns the next state change of any tracee (or child). With trace output pending it
// polls first and flushes before it blocks, so output is prompt when the tracees are idle and
// written in batches while they are busy; with nothing to flush it blocks at once (one syscall
// per stop instead of two).
func (t *Tracer) wait() (waitResult, error) {
	var ws unix.WaitStatus
	var ru unix.Rusage
	tries := []int{unix.WALL}
	if t.out.Buffered() > 0 {
		tries = []int{unix.WALL | unix.WNOHANG, unix.WALL}
	}
	for _, opts := range tries {
		if opts&unix.WNOHANG == 0 {
			if err := t.out.Flush(); err != nil {
				return waitResult{}, fmt.Errorf("write trace: %w", err)
			}
		}
		for {
			pid, err := unix.Wait4(-1, &ws, opts, &ru)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				return waitResult{}, err
			}
			if pid > 0 {
				return waitResult{pid: pid, status: ws, stime: time.Duration(ru.Stime.Nano())}, nil
			}
			break // WNOHANG and nothing yet
		}
	}
	panic("unreachable: a blocking wait4 returned no child")
}

// RequestDetach asks Run, from any goroutine, to detach every tracee and return. It starts a
// child that exits at once: its exit wakes the tracer thread from wait4 (see the package doc).
func (t *Tracer) RequestDetach() error {
	if t.detachRequested.Swap(true) {
		return nil
	}
	pid, err := syscall.ForkExec("/proc/self/exe", []string{"forensics-trace-wake", "-h"}, &syscall.ProcAttr{})
	if err != nil {
		return fmt.Errorf("wake the tracer: %w", err)
	}
	t.wakePid.Store(int64(pid))
	return nil
}

// Run traces until every tracee has exited or been detached (after RequestDetach), and returns
// how the first process (the command, or the attached process) ended, if it did. It must run on
// the goroutine that called Start or Attach.
func (t *Tracer) Run() (Status, error) {
	defer t.out.Flush()
	for len(t.tracees) > 0 {
		r, err := t.wait()
		if errors.Is(err, unix.ECHILD) {
			break
		}
		if err != nil {
			return t.status, os.NewSyscallError("wait4", err)
		}
		if t.detachRequested.Load() && !t.detach {
			t.startDetach()
		}
		if int64(r.pid) == t.wakePid.Load() && t.tracees[r.pid] == nil {
			continue // the wake-up child: reaped, nothing else to do
		}
		if err := t.handle(r); err != nil {
			return t.status, err
		}
	}
	if t.opts.SummaryOnly {
		if err := t.summary.WriteTable(t.out); err != nil {
			return t.status, err
		}
	}
	if err := t.out.Flush(); err != nil {
		return t.status, fmt.Errorf("write trace: %w", err)
	}
	return t.status, nil
}

// startDetach interrupts every tracee; each is detached at its next stop (see handle).
func (t *Tracer) startDetach() {
	t.detach = true
	for pid := range t.tracees {
		if _, err := ptrace(unix.PTRACE_INTERRUPT, pid, 0, 0); err != nil && !errors.Is(err, unix.ESRCH) {
			fmt.Fprintf(t.opts.Log, "trace: interrupt %d: %v\n", pid, err)
		}
	}
}

func (t *Tracer) get(pid int) *tracee {
	tr := t.tracees[pid]
	if tr == nil {
		// A new child can report its first stop before its parent reports the fork event.
		tr = &tracee{pid: pid}
		t.tracees[pid] = tr
	}
	return tr
}

func (t *Tracer) handle(r waitResult) error {
	pid, ws := r.pid, r.status
	tr := t.tracees[pid]
	switch {
	case ws.Exited() || ws.Signaled():
		if tr == nil {
			return nil // not ours (the tracer has no other children) or already gone
		}
		if tr.inSyscall && !t.opts.SummaryOnly {
			t.finish(tr, ")", "= ?") // exit_group, or a call cut short by the process's death
		}
		if !t.opts.SummaryOnly {
			if ws.Exited() {
				t.line(tr, fmt.Sprintf("+++ exited with %d +++\n", ws.ExitStatus()))
			} else {
				core := ""
				if ws.CoreDump() {
					core = " (core dumped)"
				}
				t.line(tr, fmt.Sprintf("+++ killed by %s%s +++\n", signalName(int(ws.Signal())), core))
			}
		}
		if pid == t.mainPid {
			t.status = Status{Exited: ws.Exited(), Code: ws.ExitStatus(), Signal: ws.Signal(), CoreDump: ws.CoreDump()}
		}
		if t.open == tr {
			t.open = nil
		}
		delete(t.tracees, pid)
		return nil
	case !ws.Stopped():
		return nil
	}
	tr = t.get(pid)
	sig := ws.StopSignal()
	// The event is in bits 16-23 of the status (ptrace(2): status>>8 == (SIGTRAP | PTRACE_EVENT_foo<<8)).
	// Not ws.TrapCause(): it reports -1 unless the stop signal is SIGTRAP, and a group-stop's
	// PTRACE_EVENT_STOP comes with the stopping signal.
	event := int(uint32(ws)>>16) & 0xff

	if t.detach {
		inject := 0
		if sig != unix.SIGTRAP|0x80 && event == 0 {
			inject = int(sig) // a signal-delivery-stop: hand the signal over as we leave
		}
		switch event {
		case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
			// The new task is auto-attached already: keep Run waiting for its first stop,
			// where it is detached in turn, rather than leave it traced and stopped.
			if msg, err := unix.PtraceGetEventMsg(pid); err == nil {
				t.get(int(msg)).attached = tr.attached
			}
		}
		if tr.inSyscall && tr.printed && !t.opts.SummaryOnly {
			t.finish(tr, " <detached ...>", "")
		}
		t.out.Flush() // the notice below goes to the log, often the same stderr
		if _, err := ptrace(unix.PTRACE_DETACH, pid, 0, uintptr(inject)); err != nil && !errors.Is(err, unix.ESRCH) {
			return os.NewSyscallError("ptrace(PTRACE_DETACH)", err)
		}
		if tr.attached || pid == t.mainPid {
			fmt.Fprintf(t.opts.Log, "trace: process %d detached\n", pid)
		}
		delete(t.tracees, pid)
		return nil
	}

	switch {
	case sig == unix.SIGTRAP|0x80:
		t.syscallStop(tr, r.stime)
		return t.resume(unix.PTRACE_SYSCALL, pid, 0)

	case sig == unix.SIGTRAP && event > 0:
		switch event {
		case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
			msg, err := unix.PtraceGetEventMsg(pid)
			if err == nil {
				child := t.get(int(msg))
				child.attached = tr.attached
			}
		case unix.PTRACE_EVENT_EXEC:
			// A non-leader thread that execs takes over the leader's pid; the message is its
			// former tid, whose state (the execve in progress) moves here.
			if msg, err := unix.PtraceGetEventMsg(pid); err == nil && int(msg) != pid {
				if !t.opts.SummaryOnly {
					t.line(tr, fmt.Sprintf("+++ superseded by execve in pid %d +++\n", msg))
				}
				if old := t.tracees[int(msg)]; old != nil {
					*tr = *old
					tr.pid = pid
					delete(t.tracees, int(msg))
					if t.open == old {
						t.open = tr
					}
				}
			}
		case unix.PTRACE_EVENT_STOP:
			// The initial stop of an auto-attached child or of an interrupt (SIGTRAP); nothing
			// to do but start it.
		}
		return t.resume(unix.PTRACE_SYSCALL, pid, 0)

	case event == unix.PTRACE_EVENT_STOP:
		// A group-stop (sig is the stopping signal). PTRACE_LISTEN leaves the tracee stopped,
		// as the program's job control wants, yet lets it report the SIGCONT that ends the stop;
		// PTRACE_SYSCALL here would resume a process that should be stopped.
		if !tr.hideStart && !t.opts.SummaryOnly {
			t.line(tr, fmt.Sprintf("--- stopped by %s ---\n", signalName(int(sig))))
		}
		return t.resume(unix.PTRACE_LISTEN, pid, 0)

	default:
		// A signal-delivery-stop: show it and deliver it (the tracee never sees it otherwise).
		var si unix.Siginfo
		if _, err := ptrace(unix.PTRACE_GETSIGINFO, pid, 0, uintptr(unsafe.Pointer(&si))); err != nil {
			if errors.Is(err, unix.ESRCH) {
				return nil
			}
			return os.NewSyscallError("ptrace(PTRACE_GETSIGINFO)", err)
		}
		if tr.hideStart && sig == unix.SIGCONT && siginfoPid(&si) == t.self {
			tr.hideStart = false // our SIGCONT from the start-up handshake: swallow it
			return t.resume(unix.PTRACE_SYSCALL, pid, 0)
		}
		if !t.opts.SummaryOnly {
			t.line(tr, "--- "+formatSiginfo(sig, &si)+" ---\n")
		}
		return t.resume(unix.PTRACE_SYSCALL, pid, int(sig))
	}
}

func (t *Tracer) resume(req, pid, sig int) error {
	if _, err := ptrace(req, pid, 0, uintptr(sig)); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil // killed (SIGKILL) while stopped: its exit is on the way
		}
		return os.NewSyscallError("ptrace(restart)", err)
	}
	return nil
}

func (t *Tracer) syscallStop(tr *tracee, stime time.Duration) {
	var info syscallInfo
	if _, err := ptrace(unix.PTRACE_GET_SYSCALL_INFO, tr.pid, unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info))); err != nil {
		return // the tracee is gone (ESRCH): its exit will be reported
	}
	switch info.op {
	case unix.PTRACE_SYSCALL_INFO_ENTRY:
		tr.inSyscall = true
		tr.nr = info.nr
		tr.args = info.args
		tr.name = syscalls.Name(info.nr)
		if info.arch != auditArchX86_64 {
			tr.name = fmt.Sprintf("syscall_%#x_arch_%#x", info.nr, info.arch)
		}
		tr.start = time.Now()
		tr.startStime = stime
		tr.printed = false
		if !t.opts.SummaryOnly {
			mem := t.reader(tr.pid)
			t.begin(tr, tr.name+"("+formatArgs(tr.name, tr.args, mem))
		}
	case unix.PTRACE_SYSCALL_INFO_EXIT:
		rval, isErr := int64(info.nr), info.args[0]&0xff != 0
		if !tr.inSyscall {
			// Attached in the middle of a call: its entry was never seen.
			var regs unix.PtraceRegs
			if err := unix.PtraceGetRegs(tr.pid, &regs); err == nil {
				tr.name = syscalls.Name(regs.Orig_rax)
			}
			tr.printed = false
			if !t.opts.SummaryOnly {
				t.begin(tr, "<... "+tr.name+" resumed>")
				tr.printed = false
			}
		}
		tr.inSyscall = false
		d := stime - tr.startStime
		if t.opts.WallTime {
			d = time.Since(tr.start)
		}
		t.summary.Add(tr.name, isErr, d)
		if !t.opts.SummaryOnly {
			closing := ")"
			if (tr.name == "pipe" || tr.name == "pipe2") && !isErr {
				closing = pipeFds(t.reader(tr.pid), tr.args[0]) + closing
			}
			t.finish(tr, closing, "= "+formatReturn(tr.name, rval, isErr))
		}
	}
}

// pipeFds decodes the int[2] pipe(2) wrote, for the end of the line: ", [3, 4]" is not strace's
// placement (it prints the array in the first argument), so it is shown as a comment.
func pipeFds(mem memReader, addr uint64) string {
	var b [8]byte
	if n, _ := mem(addr, b[:]); n != 8 {
		return ""
	}
	return fmt.Sprintf(" /* [%d, %d] */", int32(uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24),
		int32(uint32(b[4])|uint32(b[5])<<8|uint32(b[6])<<16|uint32(b[7])<<24))
}

func (t *Tracer) prefix(tr *tracee) string {
	if t.opts.Follow || len(t.tracees) > 1 {
		return "[pid " + strconv.Itoa(tr.pid) + "] "
	}
	return ""
}

// write appends to the trace, keeping track of the column for finish's alignment.
func (t *Tracer) write(s string) {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		t.col = len(s) - i - 1
	} else {
		t.col += len(s)
	}
	t.out.WriteString(s)
}

// resultColumn is where strace starts "= result" when the call is shorter (its -a default, 40).
const resultColumn = 40

// begin writes a syscall's entry, leaving the line open for its result.
func (t *Tracer) begin(tr *tracee, s string) {
	t.cut()
	t.write(t.prefix(tr) + s)
	t.open = tr
	tr.printed = true
}

// finish ends tr's syscall line with closing (")") and, unless ret is empty, the result aligned
// at resultColumn: on the open line if nobody wrote in between, otherwise on a
// "<... name resumed>" line, strace's convention for interleaved tracees.
func (t *Tracer) finish(tr *tracee, closing, ret string) {
	if t.open != tr {
		t.cut()
		if tr.printed {
			t.write(t.prefix(tr) + "<... " + tr.name + " resumed>")
		} else {
			t.write(t.prefix(tr) + tr.name + "(")
		}
	}
	t.open = nil
	t.write(closing)
	if ret != "" {
		t.write(" ")
		if t.col < resultColumn {
			t.write(strings.Repeat(" ", resultColumn-t.col))
		}
		t.write(ret)
	}
	t.write("\n")
}

// line writes a whole line (a signal, an exit).
func (t *Tracer) line(tr *tracee, s string) {
	t.cut()
	t.write(t.prefix(tr) + s)
}

// cut ends another tracee's open line with " <unfinished ...>".
func (t *Tracer) cut() {
	if t.open != nil {
		t.write(" <unfinished ...>\n")
		t.open = nil
	}
}

// reader reads tracee memory with process_vm_readv(2) (one syscall for any length), falling back
// to PTRACE_PEEKDATA (a word per syscall) where process_vm_readv is refused.
func (t *Tracer) reader(pid int) memReader {
	return func(addr uint64, p []byte) (int, error) {
		if len(p) == 0 {
			return 0, nil
		}
		local := []unix.Iovec{{Base: &p[0]}}
		local[0].SetLen(len(p))
		remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(p)}}
		n, err := unix.ProcessVMReadv(pid, local, remote, 0)
		if err == nil || errors.Is(err, unix.EFAULT) {
			return n, err
		}
		return unix.PtracePeekData(pid, uintptr(addr), p)
	}
}

// siginfoPid is si_pid of a kill(2)-style siginfo (offset 16 on 64-bit: after si_signo,
// si_errno, si_code and padding).
func siginfoPid(si *unix.Siginfo) int {
	b := (*[128]byte)(unsafe.Pointer(si))
	return int(*(*int32)(unsafe.Pointer(&b[16])))
}

func formatSiginfo(sig unix.Signal, si *unix.Siginfo) string {
	b := (*[128]byte)(unsafe.Pointer(si))
	i32 := func(off int) int32 { return *(*int32)(unsafe.Pointer(&b[off])) }
	name := signalName(int(sig))
	code := si.Code
	switch {
	case sig == unix.SIGCHLD && code > 0:
		codes := []string{"", "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"}
		c := strconv.Itoa(int(code))
		if int(code) < len(codes) {
			c = codes[code]
		}
		return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_pid=%d, si_uid=%d, si_status=%d}", name, name, c, i32(16), i32(20), i32(24))
	case code <= 0 || code == 0x80:
		codes := map[int32]string{0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -6: "SI_TKILL"}
		c, ok := codes[code]
		if !ok {
			c = strconv.Itoa(int(code))
		}
		if code == 0x80 {
			return fmt.Sprintf("%s {si_signo=%s, si_code=%s} ", name, name, c)
		}
		return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_pid=%d, si_uid=%d}", name, name, c, i32(16), i32(20))
	default:
		return fmt.Sprintf("%s {si_signo=%s, si_code=%d, si_addr=%#x}", name, name, code, *(*uint64)(unsafe.Pointer(&b[16])))
	}
}
