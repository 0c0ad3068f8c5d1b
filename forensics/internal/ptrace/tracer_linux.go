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

	"kernel-foundations/forensics/internal/eintr"
	"kernel-foundations/forensics/internal/signame"
	"kernel-foundations/forensics/internal/syscalls"
)

// Options configure a trace.
type Options struct {
	Follow      bool      // -f: trace children and threads created by tracees
	PerProcess  bool      // -ff: each process's lines go to OutPath.PID
	OutPath     string    // -o FILE (with PerProcess, the prefix of the per-process files)
	SummaryOnly bool      // -c: count, print only the summary table at the end
	Summary     bool      // -C: trace, and print the summary table at the end too
	WallTime    bool      // -w: summary times are wall-clock latency, not system CPU time
	Out         io.Writer // trace lines and the summary
	Log         io.Writer // "attached"/"detached" notices (strace prints them on stderr)

	Trace        CallSet   // -e trace=: nil traces every call
	Signals      SignalSet // -e signal=: nil prints every signal
	Status       int       // -e status=, -z, -Z: 0 prints every call
	Paths        []string  // -P: only calls that touch these paths
	StringLimit  int       // -s: bytes of a string or buffer to print (0: strace's 32)
	Verbose      bool      // -v: structures in full, envp printed
	Hex          int       // -x (1), -xx (2)
	Timestamps   int       // -t (1), -tt (2), -ttt (3)
	Relative     bool      // -r
	SyscallTimes bool      // -T
	DecodeFds    int       // -y (1), -yy (2)
	PidPrefix    bool      // "PID  " before every line: strace -f with -o FILE and no -ff
	Seccomp      bool      // --seccomp-bpf: only the traced calls stop the tracee
	Shared       bool      // Out is the tracer's stderr, which tracees write too: flushed before each resume
	Helper       []string  // argv that runs RunExecHelper (the tracer's own binary, re-executed)
}

func (o *Options) strLimit() int {
	if o.StringLimit <= 0 {
		return 32
	}
	return o.StringLimit
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
	call       call      // the call in progress, for its exit half
	shown      bool      // the call in progress passes the filters: its line is printed
	entry      string    // its entry text, kept for a deferred line (-e status=, -P)
	start      time.Time // entry time (wall), for -T and -w
	startStime time.Duration
	printed    bool // the entry line was written (possibly cut by another tracee's line)
	attached   bool // -p: detach, never kill, when we stop
	preExec    bool // the exec helper before it execs the command: nothing of it is shown
	out        *output
}

// output is one trace stream: stderr or the -o file, or with -ff one file per process.
type output struct {
	w    *bufio.Writer
	f    *os.File // the -ff file, closed when its process ends
	col  int      // bytes written on the current line
	open *tracee  // the tracee whose entry is written without its end
	last time.Time
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
	main    *output   // the shared output (all of it without -ff)
	outs    []*output // every output with something to flush
	tracees map[int]*tracee
	visible int // tracees outside the exec helper: strace's nprocs, for the [pid N] prefix
	summary *Summary
	mainPid int
	status  Status
	detach  bool // detaching everything: every stop is answered with PTRACE_DETACH
	self    int
	err     error // the first write error of a -ff file

	started   bool    // the command's first execve returned (or Attach): no exec helper left
	spin      spinner // how long wait polls before it sleeps
	needStime bool    // the summary counts system time: wait asks for the tracees' rusage

	detachRequested atomic.Bool
	wakePid         atomic.Int64 // the throwaway child RequestDetach started, reaped by Run
}

// New returns a Tracer writing to opts.Out.
func New(opts Options) *Tracer {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	t := &Tracer{
		opts:    opts,
		tracees: map[int]*tracee{},
		summary: NewSummary(),
		self:    os.Getpid(),
	}
	t.needStime = (opts.SummaryOnly || opts.Summary) && !opts.WallTime
	t.spin = newSpinner(maxSpin, cpusAllowed())
	t.main = &output{w: bufio.NewWriterSize(opts.Out, 64<<10)}
	t.outs = []*output{t.main}
	return t
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
		if t.opts.Seccomp {
			o |= unix.PTRACE_O_TRACESECCOMP
		}
	}
	return uintptr(o)
}

// traced reports whether calls numbered nr are shown and counted (-e trace=).
func (t *Tracer) traced(nr uint64) bool { return t.opts.Trace == nil || t.opts.Trace[nr] }

// Start runs the command path with argv and env traced, and returns its pid. The calling
// goroutine is locked to its thread and stays locked: that thread is the tracer.
//
// The command is started through the exec helper (RunExecHelper, this binary re-executed):
// Go cannot run code in a child between fork and exec. The helper says on one pipe that it has
// started and waits on another; the tracer then PTRACE_SEIZEs it (with PTRACE_O_EXITKILL, and
// PTRACE_O_TRACESECCOMP for --seccomp-bpf), interrupts it so that syscall-stops begin, and lets it go: the helper installs the seccomp
// filter when asked to and calls execve(2), which the tracer sees as strace does, entry and exit,
// and everything the helper did before is not shown. Its main thread is the one that execs
// (the helper locks it in init), so the command keeps the helper's pid.
func (t *Tracer) Start(path string, argv, env []string, files []uintptr) (_ int, err error) {
	runtime.LockOSThread() // never unlocked: this thread is the tracer from here on
	if err := quietSIGCHLD(); err != nil {
		return 0, err
	}
	if len(t.opts.Helper) == 0 {
		return 0, errors.New("no exec helper")
	}
	// p: the go-ahead, read by the helper on descriptor 3; ready: the helper says on
	// descriptor 4 that its runtime has started and it waits for the go-ahead.
	var p, ready [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return 0, os.NewSyscallError("pipe2", err)
	}
	defer unix.Close(p[1])
	if err := unix.Pipe2(ready[:], unix.O_CLOEXEC); err != nil {
		unix.Close(p[0])
		return 0, os.NewSyscallError("pipe2", err)
	}
	defer unix.Close(ready[0])
	filter := "-"
	if t.opts.Seccomp {
		filter = "all"
		if t.opts.Trace != nil {
			var nrs []string
			for nr := range t.opts.Trace {
				nrs = append(nrs, strconv.FormatUint(nr, 10))
			}
			filter = strings.Join(nrs, ",")
			if filter == "" {
				filter = "none"
			}
		}
	}
	hargv := append(append(append([]string{}, t.opts.Helper...), filter, path), argv...)
	pid, err := syscall.ForkExec(t.opts.Helper[0], hargv, &syscall.ProcAttr{
		Env:   env,
		Files: append(append([]uintptr{}, files...), uintptr(p[0]), uintptr(ready[1])),
	})
	unix.Close(p[0])
	unix.Close(ready[1])
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", path, err)
	}
	defer func() {
		// A half-started command must not run on untraced once the tracer gives up.
		if err != nil {
			unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WALL, nil)
		}
	}()
	// Seize only once the helper's runtime has started: seized earlier, each of its start-up
	// calls (some 300: rt_sigaction for every signal, mmap, clone) would stop it twice. A
	// helper that dies first closes the pipe (0 bytes): the seize then fails or sees it exit.
	var b [1]byte
	eintr.Retry(func() error { _, err := unix.Read(ready[0], b[:]); return err })
	if _, err := ptrace(unix.PTRACE_SEIZE, pid, 0, t.options(true)); err != nil {
		return 0, os.NewSyscallError("ptrace(PTRACE_SEIZE)", err)
	}
	if _, err := ptrace(unix.PTRACE_INTERRUPT, pid, 0, 0); err != nil {
		return 0, os.NewSyscallError("ptrace(PTRACE_INTERRUPT)", err)
	}
	if _, err := unix.Write(p[1], []byte{1}); err != nil {
		return 0, os.NewSyscallError("write", err)
	}
	t.mainPid = pid
	t.tracees[pid] = &tracee{pid: pid, preExec: true}
	return pid, nil
}

// wait returns the next state change of any tracee (or child). It first polls for up to the
// spinner's window (see spinner), so that a stop that comes within microseconds of the last
// resume is taken without the tracer thread going to sleep and being woken; then, with trace
// output pending, it flushes before it blocks, so output is prompt when the tracees are idle and
// written in batches while they are busy.
func (t *Tracer) wait() (waitResult, error) {
	var ws unix.WaitStatus
	var ru unix.Rusage
	var rup *unix.Rusage // nil unless the summary counts system time
	if t.needStime {
		rup = &ru
	}
	result := func(pid int) waitResult {
		return waitResult{pid: pid, status: ws, stime: time.Duration(ru.Stime.Nano())}
	}
	start := time.Now()
	// The polls are raw system calls: non-blocking, so the runtime need not know.
	spin := t.spin.window()
	if !t.started {
		// The exec helper's Go runtime starting up: its threads want both CPUs, and its
		// stops are the tracer's own overhead, not worth a poll.
		spin = 0
	}
	if spin > 0 || t.buffered() {
		for {
			pid, _, e := unix.RawSyscall6(unix.SYS_WAIT4, ^uintptr(0), uintptr(unsafe.Pointer(&ws)), unix.WALL|unix.WNOHANG, uintptr(unsafe.Pointer(rup)), 0, 0)
			if e != 0 && e != unix.EINTR {
				return waitResult{}, e
			}
			if e == 0 && pid > 0 {
				t.spin.done(spin, time.Since(start), true)
				return result(int(pid)), nil
			}
			if time.Since(start) >= spin {
				break
			}
			// Let a tracee thread waiting for this CPU have it (a multi-threaded program,
			// make -j): with nothing else runnable here, sched_yield returns at once.
			unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
		}
	}
	if err := t.flush(); err != nil {
		return waitResult{}, err
	}
	var pid int
	err := eintr.Retry(func() (err error) { pid, err = unix.Wait4(-1, &ws, unix.WALL, rup); return err })
	if err != nil {
		return waitResult{}, err
	}
	t.spin.done(spin, time.Since(start), false)
	return result(pid), nil
}

func (t *Tracer) buffered() bool {
	for _, o := range t.outs {
		if o.w.Buffered() > 0 {
			return true
		}
	}
	return false
}

func (t *Tracer) flush() error {
	for _, o := range t.outs {
		if err := o.w.Flush(); err != nil {
			return fmt.Errorf("write trace: %w", err)
		}
	}
	return t.err
}

// Run traces until every tracee has exited or been detached (after RequestDetach), and returns
// how the first process (the command, or the attached process) ended, if it did. It must run on
// the goroutine that called Start or Attach.
func (t *Tracer) Run() (Status, error) {
	defer t.flush()
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
	if t.opts.SummaryOnly || t.opts.Summary {
		if err := t.summary.WriteTable(t.main.w); err != nil {
			return t.status, err
		}
	}
	if err := t.flush(); err != nil {
		return t.status, err
	}
	return t.status, nil
}

func (t *Tracer) get(pid int) *tracee {
	tr := t.tracees[pid]
	if tr == nil {
		// A new child can report its first stop before its parent reports the fork event.
		// Until the command's execve has returned, every tracee is the exec helper's (a
		// thread its Go runtime started after the seize, which the exec will end): hidden,
		// as its parent is.
		tr = &tracee{pid: pid}
		if !t.started {
			tr.preExec = true
		} else {
			t.visible++
		}
		t.tracees[pid] = tr
	}
	return tr
}

func (t *Tracer) remove(tr *tracee) {
	if !tr.preExec {
		t.visible--
	}
	if o := tr.out; o != nil && o.open == tr {
		o.open = nil
	}
	if o := tr.out; o != nil && o.f != nil {
		if err := o.w.Flush(); err != nil && t.err == nil {
			t.err = fmt.Errorf("write trace: %w", err)
		}
		if err := o.f.Close(); err != nil && t.err == nil {
			t.err = fmt.Errorf("write trace: %w", err)
		}
		for i, x := range t.outs {
			if x == o {
				t.outs = append(t.outs[:i], t.outs[i+1:]...)
				break
			}
		}
	}
	delete(t.tracees, tr.pid)
}

// resumeReq is how a tracee goes on: PTRACE_SYSCALL to stop at every call, or with
// --seccomp-bpf PTRACE_CONT, and PTRACE_SYSCALL only to see the exit of a call the filter stopped.
func (t *Tracer) resumeReq(tr *tracee) int {
	if t.opts.Seccomp && !tr.preExec && !tr.inSyscall {
		return unix.PTRACE_CONT
	}
	return unix.PTRACE_SYSCALL
}

func (t *Tracer) handle(r waitResult) error {
	pid, ws := r.pid, r.status
	tr := t.tracees[pid]
	switch {
	case ws.Exited() || ws.Signaled():
		if tr == nil {
			return nil // not ours (the tracer has no other children) or already gone
		}
		if !tr.preExec && !t.opts.SummaryOnly {
			if tr.inSyscall && tr.shown {
				// exit_group, or a call cut short by the process's death: a call that did not
				// return, which a status filter shows only with "unavailable".
				if !t.deferred() {
					t.finish(tr, ")", "= ?")
				} else if t.opts.Status&StatusUnavailable != 0 {
					t.begin(tr, tr.entry)
					t.finish(tr, ")", "= ?")
				}
			}
			if ws.Exited() {
				t.line(tr, "+++ exited with "+strconv.Itoa(ws.ExitStatus())+" +++\n")
			} else {
				core := ""
				if ws.CoreDump() {
					core = " (core dumped)"
				}
				t.line(tr, "+++ killed by "+signame.Strace(int(ws.Signal()))+core+" +++\n")
			}
		}
		if pid == t.mainPid {
			t.status = Status{Exited: ws.Exited(), Code: ws.ExitStatus(), Signal: ws.Signal(), CoreDump: ws.CoreDump()}
		}
		t.remove(tr)
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
		t.flush() // the notice below goes to the log, often the same stderr
		if _, err := ptrace(unix.PTRACE_DETACH, pid, 0, uintptr(inject)); err != nil && !errors.Is(err, unix.ESRCH) {
			return os.NewSyscallError("ptrace(PTRACE_DETACH)", err)
		}
		if tr.attached || pid == t.mainPid {
			fmt.Fprintf(t.opts.Log, "trace: process %d detached\n", pid)
		}
		t.remove(tr)
		return nil
	}

	switch {
	case sig == unix.SIGTRAP|0x80:
		t.syscallStop(tr, r.stime)
		return t.resume(t.resumeReq(tr), pid, 0)

	case sig == unix.SIGTRAP && event == unix.PTRACE_EVENT_SECCOMP:
		t.syscallStop(tr, r.stime)
		return t.resume(t.resumeReq(tr), pid, 0)

	case sig == unix.SIGTRAP && event > 0:
		switch event {
		case unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK, unix.PTRACE_EVENT_CLONE:
			msg, err := unix.PtraceGetEventMsg(pid)
			if err == nil {
				child := t.get(int(msg))
				child.attached = tr.attached
				if tr.preExec && !child.preExec {
					child.preExec = true // a thread of the exec helper's Go runtime
					t.visible--
				}
				child.out = nil
			}
		case unix.PTRACE_EVENT_EXEC:
			if tr.preExec {
				// The helper's own exec of the tracer's binary, still under way when the seize
				// came (syscall.ForkExec returns once the exec has closed its descriptors):
				// not the command's. Only the helper's execve entry ends preExec.
				return t.resume(unix.PTRACE_SYSCALL, pid, 0)
			}
			// A non-leader thread that execs takes over the leader's pid; the message is its
			// former tid, whose state (the execve in progress) moves here.
			if msg, err := unix.PtraceGetEventMsg(pid); err == nil && int(msg) != pid {
				// As strace, the former thread is gone before the notice is printed (so, alone
				// again, the process's lines lose their [pid N] prefix).
				if old := t.tracees[int(msg)]; old != nil {
					o := tr.out
					*tr = *old
					tr.pid = pid
					tr.out = o
					if old.out != nil && old.out.open == old {
						old.out.open = tr
					}
					t.remove(old)
				}
				if !t.opts.SummaryOnly {
					t.line(tr, "+++ superseded by execve in pid "+strconv.FormatUint(uint64(msg), 10)+" +++\n")
				}
			}
		case unix.PTRACE_EVENT_STOP:
			// The initial stop of an auto-attached child or of an interrupt (SIGTRAP); nothing
			// to do but start it.
		}
		return t.resume(t.resumeReq(tr), pid, 0)

	case event == unix.PTRACE_EVENT_STOP:
		// A group-stop (sig is the stopping signal). PTRACE_LISTEN leaves the tracee stopped,
		// as the program's job control wants, yet lets it report the SIGCONT that ends the stop;
		// PTRACE_SYSCALL here would resume a process that should be stopped.
		if !tr.preExec && !t.opts.SummaryOnly && t.signalShown(int(sig)) {
			t.line(tr, "--- stopped by "+signame.Strace(int(sig))+" ---\n")
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
		if !tr.preExec && !t.opts.SummaryOnly && t.signalShown(int(sig)) {
			t.line(tr, "--- "+formatSiginfo(sig, &si)+" ---\n")
		}
		return t.resume(t.resumeReq(tr), pid, int(sig))
	}
}

func (t *Tracer) signalShown(sig int) bool { return t.opts.Signals == nil || t.opts.Signals[sig] }

func (t *Tracer) resume(req, pid, sig int) error {
	if t.opts.Shared && t.buffered() {
		// The tracee may write to the same stream as soon as it runs: what the trace has
		// said so far goes first, as strace's line-buffered stderr does.
		if err := t.flush(); err != nil {
			return err
		}
	}
	if _, err := ptrace(req, pid, 0, uintptr(sig)); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil // killed (SIGKILL) while stopped: its exit is on the way
		}
		return os.NewSyscallError("ptrace(restart)", err)
	}
	return nil
}

// deferred reports whether lines wait for the call's exit (a status filter needs the result).
func (t *Tracer) deferred() bool { return t.opts.Status != 0 }

func (t *Tracer) syscallStop(tr *tracee, stime time.Duration) {
	var info syscallInfo
	if _, err := ptrace(unix.PTRACE_GET_SYSCALL_INFO, tr.pid, unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info))); err != nil {
		return // the tracee is gone (ESRCH): its exit will be reported
	}
	switch info.op {
	case unix.PTRACE_SYSCALL_INFO_ENTRY, ptraceSyscallInfoSeccomp:
		if info.op == ptraceSyscallInfoSeccomp && tr.inSyscall && tr.nr == info.nr {
			return // the seccomp stop after the syscall-entry-stop of a call already seen
		}
		if tr.preExec {
			if tr.pid != t.mainPid || info.nr != unix.SYS_EXECVE {
				return // the exec helper's own calls
			}
			tr.preExec = false
			t.visible++
		}
		tr.inSyscall = true
		tr.nr = info.nr
		tr.name = syscalls.Name(info.nr)
		if info.arch != auditArchX86_64 {
			tr.name = fmt.Sprintf("syscall_%#x_arch_%#x", info.nr, info.arch)
		}
		tr.shown = t.traced(info.nr)
		if !tr.shown {
			return
		}
		tr.call = call{name: tr.name, args: info.args, t: t, pid: tr.pid, sp: info.sp}
		tr.start = time.Now()
		tr.startStime = stime
		tr.printed = false
		if !t.opts.SummaryOnly {
			tr.call.mem = t.reader(tr.pid)
			tr.entry = tr.call.entryText()
			if len(t.opts.Paths) > 0 && !tr.call.touches(t.opts.Paths) {
				tr.shown = false
				return
			}
			if !t.deferred() {
				t.begin(tr, tr.entry)
			}
		}
	case unix.PTRACE_SYSCALL_INFO_EXIT:
		if tr.preExec {
			return
		}
		rval, isErr := int64(info.nr), info.args[0]&0xff != 0
		if !tr.inSyscall {
			// Attached in the middle of a call: its entry was never seen.
			var regs unix.PtraceRegs
			if err := unix.PtraceGetRegs(tr.pid, &regs); err == nil {
				tr.name = syscalls.Name(regs.Orig_rax)
				tr.nr = regs.Orig_rax
			}
			tr.shown = t.traced(tr.nr) && len(t.opts.Paths) == 0
			tr.call = call{name: tr.name, t: t, pid: tr.pid}
			tr.printed = false
			tr.start = time.Now()
			if tr.shown && !t.opts.SummaryOnly && !t.deferred() {
				t.begin(tr, "<... "+tr.name+" resumed>")
				tr.printed = false
			}
			tr.entry = ""
		}
		if tr.pid == t.mainPid && tr.nr == unix.SYS_EXECVE && !isErr {
			t.started = true // the command runs: from here every new tracee is its own
		}
		tr.inSyscall = false
		if !tr.shown {
			return
		}
		d := stime - tr.startStime
		if t.opts.WallTime {
			d = time.Since(tr.start)
		}
		t.summary.Add(tr.name, isErr, d)
		if t.opts.SummaryOnly {
			return
		}
		c := &tr.call
		c.rval, c.isErr = rval, isErr
		c.mem = t.reader(tr.pid)
		if t.deferred() {
			st := StatusSuccessful
			if isErr {
				st = StatusFailed
			}
			if t.opts.Status&st == 0 {
				return
			}
			t.begin(tr, tr.entry)
		}
		ret := "= " + c.formatReturn()
		if t.opts.SyscallTimes {
			ret += fmt.Sprintf(" <%.6f>", time.Since(tr.start).Seconds())
		}
		if tr.entry == "" && tr.call.args == [6]uint64{} {
			t.finish(tr, ")", ret)
			return
		}
		t.finish(tr, c.exitText(), ret)
	}
}

// ptraceSyscallInfoSeccomp is PTRACE_SYSCALL_INFO_SECCOMP: the stop of a seccomp
// SECCOMP_RET_TRACE, which carries the call's number and arguments like an entry.
const ptraceSyscallInfoSeccomp = 3

// outFor returns the stream tr's lines go to, opening its -ff file on first use.
func (t *Tracer) outFor(tr *tracee) *output {
	if tr.out != nil {
		return tr.out
	}
	if !t.opts.PerProcess || t.opts.OutPath == "" {
		tr.out = t.main
		return tr.out
	}
	f, err := os.OpenFile(t.opts.OutPath+"."+strconv.Itoa(tr.pid), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err != nil {
		if t.err == nil {
			t.err = err
		}
		tr.out = t.main
		return tr.out
	}
	tr.out = &output{w: bufio.NewWriterSize(f, 16<<10), f: f}
	t.outs = append(t.outs, tr.out)
	return tr.out
}

// prefix is what strace prints before each line: "PID  " with -f -o FILE, "[pid N] " on stderr
// while more than one process is traced; then the timestamp of -t, -tt, -ttt or -r.
func (t *Tracer) prefix(tr *tracee, o *output) string {
	s := ""
	switch {
	case t.opts.PerProcess && t.opts.OutPath != "":
	case t.opts.PidPrefix:
		s = fmt.Sprintf("%-5d ", tr.pid)
	case t.visible > 1:
		s = fmt.Sprintf("[pid %5d] ", tr.pid)
	}
	if t.opts.Timestamps == 0 && !t.opts.Relative {
		return s
	}
	now := time.Now()
	if t.opts.Relative {
		if o.last.IsZero() {
			o.last = now
		}
		d := now.Sub(o.last)
		o.last = now
		return s + fmt.Sprintf("%6d.%06d ", int64(d/time.Second), int64(d%time.Second/time.Microsecond))
	}
	switch t.opts.Timestamps {
	case 1:
		return s + now.Format("15:04:05 ")
	case 2:
		return s + now.Format("15:04:05.000000 ")
	}
	return s + fmt.Sprintf("%d.%06d ", now.Unix(), now.Nanosecond()/1000)
}

// write appends to the trace, keeping track of the column for finish's alignment.
func (o *output) write(s string) {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		o.col = len(s) - i - 1
	} else {
		o.col += len(s)
	}
	o.w.WriteString(s)
}

// resultColumn is where strace starts "= result" when the call is shorter (its -a default, 40).
const resultColumn = 40

// begin writes a syscall's entry, leaving the line open for its result.
func (t *Tracer) begin(tr *tracee, s string) {
	o := t.outFor(tr)
	t.cut(o)
	o.write(t.prefix(tr, o) + s)
	o.open = tr
	tr.printed = true
}

// finish ends tr's syscall line with closing (")") and, unless ret is empty, the result aligned
// at resultColumn: on the open line if nobody wrote in between, otherwise on a
// "<... name resumed>" line, strace's convention for interleaved tracees.
func (t *Tracer) finish(tr *tracee, closing, ret string) {
	o := t.outFor(tr)
	if o.open != tr {
		t.cut(o)
		if tr.printed {
			o.write(t.prefix(tr, o) + "<... " + tr.name + " resumed>")
		} else {
			o.write(t.prefix(tr, o) + tr.name + "(")
		}
	}
	o.open = nil
	o.write(closing)
	if ret != "" {
		o.write(" ")
		if o.col < resultColumn {
			o.write(strings.Repeat(" ", resultColumn-o.col))
		}
		o.write(ret)
	}
	o.write("\n")
}

// line writes a whole line (a signal, an exit).
func (t *Tracer) line(tr *tracee, s string) {
	o := t.outFor(tr)
	t.cut(o)
	o.write(t.prefix(tr, o) + s)
}

// cut ends another tracee's open line with " <unfinished ...>".
func (t *Tracer) cut(o *output) {
	if o.open != nil {
		o.write(" <unfinished ...>\n")
		o.open = nil
	}
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
	t.started = true
	t.mainPid = pid
	seized := 0
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
					t.visible++
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
			t.visible++
			added++
		}
		seized += added
		if added == 0 {
			break
		}
	}
	if seized == 0 {
		return fmt.Errorf("attach to %d: no threads", pid)
	}
	fmt.Fprintf(t.opts.Log, "trace: process %d attached, threads: %d\n", pid, seized)
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

// startDetach interrupts every tracee; each is detached at its next stop (see handle).
func (t *Tracer) startDetach() {
	t.detach = true
	for pid := range t.tracees {
		if _, err := ptrace(unix.PTRACE_INTERRUPT, pid, 0, 0); err != nil && !errors.Is(err, unix.ESRCH) {
			fmt.Fprintf(t.opts.Log, "trace: interrupt %d: %v\n", pid, err)
		}
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
		status := strconv.Itoa(int(i32(24)))
		if code == 2 || code == 3 { // CLD_KILLED, CLD_DUMPED: the status is a signal
			status = signame.Strace(int(i32(24)))
		}
		i64 := func(off int) int64 { return *(*int64)(unsafe.Pointer(&b[off])) }
		// Clock ticks (USER_HZ, 100 on x86), with seconds in a comment when not zero, as strace.
		ticks := func(v int64) string {
			if v == 0 {
				return "0"
			}
			return fmt.Sprintf("%d /* %d.%02d s */", v, v/100, v%100)
		}
		return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_pid=%d, si_uid=%d, si_status=%s, si_utime=%s, si_stime=%s}", name, name, c, i32(16), i32(20), status, ticks(i64(32)), ticks(i64(40)))
	case code <= 0 || code == 0x80:
		codes := map[int32]string{0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -6: "SI_TKILL"}
		c, ok := codes[code]
		if !ok {
			c = strconv.Itoa(int(code))
		}
		if code == 0x80 {
			if sig == unix.SIGSEGV || sig == unix.SIGBUS {
				return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_addr=NULL}", name, name, c)
			}
			return fmt.Sprintf("%s {si_signo=%s, si_code=%s}", name, name, c)
		}
		return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_pid=%d, si_uid=%d}", name, name, c, i32(16), i32(20))
	default:
		c := strconv.Itoa(int(code))
		if names, ok := faultCodes[sig]; ok && int(code) < len(names) && names[code] != "" {
			c = names[code]
		}
		return fmt.Sprintf("%s {si_signo=%s, si_code=%s, si_addr=%s}", name, name, c, hexPtr(*(*uint64)(unsafe.Pointer(&b[16]))))
	}
}

// faultCodes name the si_code of the fault signals (include/uapi/asm-generic/siginfo.h).
var faultCodes = map[unix.Signal][]string{
	unix.SIGSEGV: {1: "SEGV_MAPERR", 2: "SEGV_ACCERR", 3: "SEGV_BNDERR", 4: "SEGV_PKUERR", 5: "SEGV_ACCADI", 6: "SEGV_ADIDERR", 7: "SEGV_ADIPERR", 8: "SEGV_MTEAERR", 9: "SEGV_MTESERR", 10: "SEGV_CPERR"},
	unix.SIGBUS:  {1: "BUS_ADRALN", 2: "BUS_ADRERR", 3: "BUS_OBJERR", 4: "BUS_MCEERR_AR", 5: "BUS_MCEERR_AO"},
	unix.SIGILL:  {1: "ILL_ILLOPC", 2: "ILL_ILLOPN", 3: "ILL_ILLADR", 4: "ILL_ILLTRP", 5: "ILL_PRVOPC", 6: "ILL_PRVREG", 7: "ILL_COPROC", 8: "ILL_BADSTK", 9: "ILL_BADIADDR"},
	unix.SIGFPE:  {1: "FPE_INTDIV", 2: "FPE_INTOVF", 3: "FPE_FLTDIV", 4: "FPE_FLTOVF", 5: "FPE_FLTUND", 6: "FPE_FLTRES", 7: "FPE_FLTINV", 8: "FPE_FLTSUB"},
	unix.SIGTRAP: {1: "TRAP_BRKPT", 2: "TRAP_TRACE", 3: "TRAP_BRANCH", 4: "TRAP_HWBKPT", 5: "TRAP_UNK"},
}
