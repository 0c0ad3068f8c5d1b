package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/proc"
)

// Hidden entry points of limits.
const (
	holdCommand  = "_hold"  // a target process that waits for stdin to close
	nprocCommand = "_nproc" // the RLIMIT_NPROC drill, in a process of its own
)

// nobodyUID is the unprivileged uid the RLIMIT_NPROC drill runs as when started by root: an id
// no account uses, so that its task count is only the drill's own.
const nobodyUID = 64321

var rlimitNames = map[int]string{unix.RLIMIT_NPROC: "Max processes", unix.RLIMIT_STACK: "Max stack size"}

// runLimits sets RLIMIT_NPROC and RLIMIT_STACK with prlimit(2), on itself and on another
// process, checks every change in /proc/<pid>/limits, and shows what the limits do.
func runLimits(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics limits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nproc := fs.Uint64("nproc", 256, "RLIMIT_NPROC to set (soft and hard on the target, soft on itself)")
	stack := fs.Uint64("stack", 1<<20, "RLIMIT_STACK in bytes to set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("limits: unexpected argument %q", fs.Arg(0))
	}
	if *nproc == 0 || *stack < 64<<10 {
		return fmt.Errorf("limits: -nproc must be positive and -stack at least 65536")
	}
	// Step 1 lowers only the soft limits, which cannot exceed the hard ones (setrlimit(2):
	// EINVAL): refuse such a value here, in one line, rather than clamp it and report a
	// mismatch later.
	for _, l := range []struct {
		flag     string
		resource int
		value    uint64
	}{{"-nproc", unix.RLIMIT_NPROC, *nproc}, {"-stack", unix.RLIMIT_STACK, *stack}} {
		var cur unix.Rlimit
		if err := unix.Prlimit(0, l.resource, nil, &cur); err != nil {
			return fmt.Errorf("limits: %w", os.NewSyscallError("prlimit64", err))
		}
		if l.value > cur.Max {
			return fmt.Errorf("limits: %s %d is above this process's hard %s limit (%s): a soft limit cannot exceed it",
				l.flag, l.value, rlimitNames[l.resource], proc.FormatValue(cur.Max))
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	self := os.Getpid()

	fmt.Fprintf(stdout, "1. prlimit(2) on this process (pid %d): lower the soft limits, check /proc, restore\n", self)
	var oldNproc, oldStack unix.Rlimit
	if err := prlimit(0, unix.RLIMIT_NPROC, &unix.Rlimit{Cur: *nproc, Max: unix.RLIM_INFINITY}, &oldNproc, true); err != nil {
		return err
	}
	if err := prlimit(0, unix.RLIMIT_STACK, &unix.Rlimit{Cur: *stack, Max: unix.RLIM_INFINITY}, &oldStack, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "   before: %s\n", showLimits(oldNproc, oldStack))
	if err := verifyLimits(stdout, self, unix.Rlimit{Cur: *nproc, Max: oldNproc.Max}, unix.Rlimit{Cur: *stack, Max: oldStack.Max}); err != nil {
		return err
	}
	// Soft limits may go back up to the hard ones without privilege: the process is unchanged.
	if err := prlimit(0, unix.RLIMIT_NPROC, &oldNproc, nil, false); err != nil {
		return err
	}
	if err := prlimit(0, unix.RLIMIT_STACK, &oldStack, nil, false); err != nil {
		return err
	}
	if err := verifyLimits(stdout, self, oldNproc, oldStack); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\n2. prlimit(2) on another process: soft and hard, which it cannot raise back\n")
	hold := exec.CommandContext(ctx, exe, holdCommand)
	in, err := hold.StdinPipe()
	if err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	ready, err := hold.StdoutPipe()
	if err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	if err := hold.Start(); err != nil {
		return fmt.Errorf("limits: start target: %w", err)
	}
	target := hold.Process.Pid
	err = func() error {
		defer func() {
			in.Close() // EOF ends the target
			hold.Wait()
		}()
		// Wait until the target runs its new image. A prlimit that lands while it is still
		// inside execve(2) is lost for RLIMIT_STACK: execve copies the stack limit when it starts
		// and stores that copy back in finalize_exec (fs/exec.c), undoing the change.
		line, err := bufio.NewReader(ready).ReadString('\n')
		if err != nil || line != "ready\n" {
			return fmt.Errorf("limits: target did not start: %q %v", line, err)
		}
		nl := unix.Rlimit{Cur: *nproc, Max: *nproc}
		sl := unix.Rlimit{Cur: *stack, Max: *stack}
		if err := prlimit(target, unix.RLIMIT_NPROC, &nl, nil, false); err != nil {
			return err
		}
		if err := prlimit(target, unix.RLIMIT_STACK, &sl, nil, false); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "   target pid %d (a re-execution of this binary waiting on stdin)\n", target)
		if err := verifyLimits(stdout, target, nl, sl); err != nil {
			return err
		}
		if out, err := exec.Command("prlimit", "-p", strconv.Itoa(target), "--nproc", "--stack").CombinedOutput(); err == nil {
			fmt.Fprintf(stdout, "   prlimit -p %d --nproc --stack (util-linux) agrees:\n", target)
			for line := range strings.Lines(string(out)) {
				fmt.Fprintf(stdout, "     %s", line)
			}
		} else {
			fmt.Fprintf(stdout, "   (prlimit -p: %v)\n", err)
		}
		return nil
	}()
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\n3. RLIMIT_STACK also bounds execve's arguments and environment: a quarter of the soft\n"+
		"   limit, but never less than 32 pages (fs/exec.c bprm_stack_limits)\n")
	if err := stackDrill(stdout, exe); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "\n4. hitting RLIMIT_NPROC: the limit counts the tasks (threads too) of the real uid\n")
	if os.Geteuid() == 0 {
		if err := runNprocDrill(ctx, stdout, exe, 0); err != nil {
			return err
		}
		return runNprocDrill(ctx, stdout, exe, nobodyUID)
	}
	return runNprocDrill(ctx, stdout, exe, -1)
}

// prlimit wraps prlimit(2) on pid (0: the caller). With softOnly, new.Max is replaced by the
// current hard limit.
func prlimit(pid, resource int, new, old *unix.Rlimit, softOnly bool) error {
	if softOnly {
		var cur unix.Rlimit
		if err := unix.Prlimit(pid, resource, nil, &cur); err != nil {
			return fmt.Errorf("limits: %w", os.NewSyscallError("prlimit64", err))
		}
		n := *new
		n.Max = cur.Max
		if n.Cur > n.Max {
			n.Cur = n.Max
		}
		new = &n
	}
	if err := unix.Prlimit(pid, resource, new, old); err != nil {
		return fmt.Errorf("limits: set %s of pid %d: %w", rlimitNames[resource], pid, os.NewSyscallError("prlimit64", err))
	}
	return nil
}

func showLimits(nproc, stack unix.Rlimit) string {
	return fmt.Sprintf("Max processes %s/%s, Max stack size %s/%s",
		proc.FormatValue(nproc.Cur), proc.FormatValue(nproc.Max), proc.FormatValue(stack.Cur), proc.FormatValue(stack.Max))
}

// verifyLimits reads /proc/<pid>/limits and fails unless both rows hold the wanted values.
func verifyLimits(w io.Writer, pid int, nproc, stack unix.Rlimit) error {
	limits, err := proc.ReadLimits("/proc", pid)
	if err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	for _, c := range []struct {
		name string
		want unix.Rlimit
	}{{"Max processes", nproc}, {"Max stack size", stack}} {
		l, ok := proc.FindLimit(limits, c.name)
		if !ok {
			return fmt.Errorf("limits: /proc/%d/limits has no %q row", pid, c.name)
		}
		verdict := "ok"
		if l.Soft != c.want.Cur || l.Hard != c.want.Max {
			verdict = "MISMATCH"
		}
		fmt.Fprintf(w, "   /proc/%d/limits: %-16s soft %-10s hard %-10s %s\n", pid, c.name, proc.FormatValue(l.Soft), proc.FormatValue(l.Hard), verdict)
		if verdict != "ok" {
			return fmt.Errorf("limits: pid %d %s = %s/%s, want %s/%s", pid, c.name,
				proc.FormatValue(l.Soft), proc.FormatValue(l.Hard), proc.FormatValue(c.want.Cur), proc.FormatValue(c.want.Max))
		}
	}
	return nil
}

// stackDrill execs a child with 200 KiB of arguments, first under a 256 KiB soft RLIMIT_STACK
// (room: max(64 KiB, 128 KiB) = 128 KiB: E2BIG), then under the original limit.
func stackDrill(w io.Writer, exe string) error {
	arg := strings.Repeat("x", 100<<10)
	try := func() error {
		cmd := exec.Command(exe, exitCommand, "-code", "0", arg, arg)
		return cmd.Run()
	}
	var old unix.Rlimit
	// The child inherits the limit at fork and execve checks it: lowered in this process for
	// the duration of one exec, then restored (a soft limit may go back up to the hard one).
	if err := prlimit(0, unix.RLIMIT_STACK, &unix.Rlimit{Cur: 256 << 10}, &old, true); err != nil {
		return err
	}
	err := try()
	if rerr := prlimit(0, unix.RLIMIT_STACK, &old, nil, false); rerr != nil {
		return rerr
	}
	fmt.Fprintf(w, "   soft RLIMIT_STACK 262144, execve with 200 KiB of arguments: %v\n", err)
	if !errors.Is(err, unix.E2BIG) {
		return fmt.Errorf("limits: exec under a 256 KiB stack limit: %v, want E2BIG", err)
	}
	err = try()
	fmt.Fprintf(w, "   soft RLIMIT_STACK %s, the same execve: %s\n", proc.FormatValue(old.Cur), errOrOK(err))
	if err != nil {
		return fmt.Errorf("limits: exec under the original stack limit: %w", err)
	}
	return nil
}

func errOrOK(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// runNprocDrill runs the RLIMIT_NPROC drill in a child: as root (uid 0), as nobodyUID, or
// (uid -1) as whoever we are. Lowered limits and a changed uid stay in that child.
func runNprocDrill(ctx context.Context, w io.Writer, exe string, uid int) error {
	cmd := exec.CommandContext(ctx, exe, nprocCommand, "-uid", strconv.Itoa(uid))
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("limits: RLIMIT_NPROC drill: %w", err)
	}
	return nil
}

// runHold says "ready" and waits for stdin to reach EOF: a process for prlimit to act on.
func runHold(_ context.Context, _ []string, stdin io.Reader, stdout, _ io.Writer) error {
	if _, err := fmt.Fprintln(stdout, "ready"); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, stdin)
	return err
}

// runNproc is the RLIMIT_NPROC drill. It switches to -uid if asked (Go's syscall.Setuid applies
// to every thread: runtime AllThreadsSyscall, Go 1.16+), sets the soft RLIMIT_NPROC to exactly the
// number of tasks its uid has, and tries to start one more process, then one more thread.
func runNproc(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(nprocCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	uid := fs.Int("uid", -1, "switch to this uid and gid first (-1: stay)")
	threads := fs.Bool("threads", false, "internal: the thread step, expected to die")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *uid >= 0 && *uid != os.Getuid() {
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := syscall.Setresgid(*uid, *uid, *uid); err != nil {
			return fmt.Errorf("setresgid: %w", err)
		}
		if err := syscall.Setresuid(*uid, *uid, *uid); err != nil {
			return fmt.Errorf("setresuid: %w", err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	me := os.Getuid()
	if !*threads {
		// Spare threads first: at the limit, any thread the runtime wants to add (to hand off a
		// P while a syscall blocks) would fail and the runtime would throw. Threads of goroutines
		// that blocked and returned stay parked as idle Ms, ready for reuse.
		warmThreads(8)
	}
	tasks, err := tasksOfUID(me)
	if err != nil {
		return err
	}
	st, err := proc.ReadStatus("/proc", os.Getpid())
	if err != nil {
		return err
	}
	if *threads {
		return threadStep(stdout, me, tasks)
	}
	fmt.Fprintf(stdout, "   pid %d uid %d: this Go process has %d threads; uid %d has %d tasks; CapEff %s\n",
		os.Getpid(), me, st.Threads, me, tasks, proc.DescribeCaps(st.CapEff))
	limit := tasks
	if me == 0 {
		limit = 1
	}
	if err := prlimit(0, unix.RLIMIT_NPROC, &unix.Rlimit{Cur: uint64(limit)}, nil, true); err != nil {
		return err
	}
	err = exec.Command(exe, exitCommand).Run()
	// Room again at once, for this runtime's own threads.
	if rerr := prlimit(0, unix.RLIMIT_NPROC, &unix.Rlimit{Cur: uint64(tasks + 64)}, nil, true); rerr != nil {
		return rerr
	}
	fmt.Fprintf(stdout, "   soft RLIMIT_NPROC %d (uid %d has %d tasks), start one more process: %s\n", limit, me, tasks, errOrOK(err))
	switch {
	case me == 0 && err == nil:
		fmt.Fprintf(stdout, "   uid 0 is exempt: copy_process (kernel/fork.c) enforces RLIMIT_NPROC only for a user other than\n"+
			"   the initial root user that holds neither CAP_SYS_RESOURCE nor CAP_SYS_ADMIN\n")
		return nil
	case me == 0:
		return fmt.Errorf("uid 0 start under RLIMIT_NPROC: %w", err)
	case !errors.Is(err, unix.EAGAIN):
		return fmt.Errorf("start under RLIMIT_NPROC: %v, want EAGAIN", err)
	}
	fmt.Fprintf(stdout, "   clone(2) failed with EAGAIN: the fork never happened\n")

	// The thread step runs in a process of its own (same uid, same limit, inherited): the Go
	// runtime cannot survive a failed thread creation, it throws. It inherits tasks+64, room
	// for its runtime to start, and lowers the limit itself.
	cmd := exec.Command(exe, nprocCommand, "-threads")
	cmd.Stdout = stdout
	errOut, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the thread step: %w", err)
	}
	var runtimeLines []string
	sc := bufio.NewScanner(errOut)
	for sc.Scan() {
		l := sc.Text()
		if (strings.HasPrefix(l, "runtime:") || strings.HasPrefix(l, "fatal error:")) && !slices.Contains(runtimeLines, l) {
			runtimeLines = append(runtimeLines, l)
		}
	}
	err = cmd.Wait()
	fmt.Fprintf(stdout, "   the thread step ended: %v; the Go runtime said:\n", err)
	for _, l := range runtimeLines {
		fmt.Fprintf(stdout, "     %s\n", l)
	}
	if len(runtimeLines) == 0 {
		return fmt.Errorf("thread step: no runtime error seen (%v)", err)
	}
	return nil
}

// threadStep sets the soft RLIMIT_NPROC to the uid's task count and then makes the runtime need
// more threads: goroutines locked to their threads and blocked in a syscall each hold a thread.
func threadStep(w io.Writer, uid, tasks int) error {
	if err := prlimit(0, unix.RLIMIT_NPROC, &unix.Rlimit{Cur: uint64(tasks)}, nil, true); err != nil {
		return err
	}
	fmt.Fprintf(w, "   pid %d: soft RLIMIT_NPROC %d (= tasks of uid %d); now 16 goroutines each lock a thread and sleep in nanosleep(2)\n",
		os.Getpid(), tasks, uid)
	for range 16 {
		go func() {
			runtime.LockOSThread()
			ts := unix.NsecToTimespec(int64(10 * time.Second))
			unix.Nanosleep(&ts, nil)
		}()
	}
	time.Sleep(10 * time.Second) // not reached: the runtime throws when clone fails
	return errors.New("thread step: the runtime created every thread it needed")
}

// warmThreads makes the runtime create n threads and park them as idle Ms: n goroutines
// block in nanosleep(2) at the same time, each holding its thread, and then return.
func warmThreads(n int) {
	done := make(chan struct{})
	for range n {
		go func() {
			ts := unix.NsecToTimespec(int64(20 * time.Millisecond))
			unix.Nanosleep(&ts, nil)
			done <- struct{}{}
		}()
	}
	for range n {
		<-done
	}
}

// tasksOfUID counts the tasks (threads) whose real uid is uid, from /proc/*/status: the count
// RLIMIT_NPROC is checked against (the per-user ucounts of kernel/ucount.c).
func tasksOfUID(uid int) (int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := proc.ReadStatus("/proc", pid)
		if err != nil {
			continue // exited while we looked
		}
		if st.Uid[0] == uid {
			n += st.Threads
		}
	}
	return n, nil
}
