// Command forensics is the week-4 "Process Forensics" lab: processes, threads, signals and
// limits, each shown from the kernel's own records (/proc, pidfds, waitid).
//
// Synopsis:
//
//	forensics COMMAND [FLAGS] [ARGS]
//
// Commands:
//
//	spawn       start N CPU-bound workers, forward SIGTERM, reap them all
//	zombies     reproduce unreaped children, then show SIG_IGN auto-reaping
//	supervise   spawn rewritten on signalfd + epoll + pidfds
//	limits      RLIMIT_NPROC and RLIMIT_STACK through prlimit(2), checked in /proc
//	inspect     a process as the kernel sees it: threads, credentials, masks, limits
//	trace       a ptrace syscall tracer in strace's shape
//	spawnbench  the cost of fork, vfork, clone3 and os/exec as parent RSS grows
//
// Options of the lab commands (trace and spawnbench: "forensics trace -h"):
//
//	spawn     [-workers 4] [-duration 5s] [-interval 1s] [-observe]
//	zombies   [-children 3] [-hold 5s]
//	supervise [-workers 4] [-duration 5s] [-try-sigchld]
//	limits    [-nproc 256] [-stack 1048576]
//	inspect   [-proc /proc] PID|self
//
// Workers and helper processes are this binary re-executed under hidden command names that
// start with an underscore (see hidden); Go cannot fork without exec.
//
// Run "forensics COMMAND -h" for a command's flags.
//
// Exit status: 0 on success; 125 when forensics itself fails (bad input, a failed system call, a
// worker or drill that did not end as the lab expects), with one line on stderr. trace follows
// strace: the traced command's exit status or signal, 1 for the tracer's own failures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kernel-foundations/forensics/internal/spawn"
)

// command is one subcommand. Each lives in its own file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"spawn", "start N CPU-bound workers, forward SIGTERM, reap them all", runSpawn},
		{"zombies", "reproduce unreaped children, then show SIG_IGN auto-reaping", runZombies},
		{"supervise", "spawn rewritten on signalfd + epoll + pidfds", runSupervise},
		{"limits", "RLIMIT_NPROC and RLIMIT_STACK through prlimit(2), checked in /proc", runLimits},
		{"inspect", "a process as the kernel sees it: threads, credentials, masks, limits", runInspect},
		{"trace", "a ptrace syscall tracer in strace's shape", runTrace},
		{"spawnbench", "the cost of fork, vfork, clone3 and os/exec as parent RSS grows", runSpawnbench},
	}
}

// hidden are the re-execution entry points: the binary started by itself (Go cannot fork
// without exec), as a worker or as a process whose state must not leak into its parent. They
// are not listed in the usage.
func hidden() map[string]func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return map[string]func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error{
		spawn.WorkerCommand: func(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return spawn.RunWorker(args, stdout)
		},
		exitCommand:          runExit,
		zombiesIgnoreCommand: runZombiesIgnore,
		holdCommand:          runHold,
		nprocCommand:         runNproc,
		traceExecCommand:     runTraceExec,
	}
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if ex, ok := errors.AsType[exiter](err); ok {
		ex.passThrough() // trace: the traced command's exit status or signal becomes ours
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "forensics: %v\n", err)
		os.Exit(failureStatus(os.Args[1:]))
	}
}

// failureStatus is the exit status of a failure of forensics itself: 125, as timeout(1) and
// env(1) use, so that it cannot pass for a status of something it ran; trace's own failures
// exit 1, as strace's do (its command's status is passed through by exiter).
func failureStatus(args []string) int {
	if len(args) > 0 && args[0] == "trace" {
		return 1
	}
	return 125
}

// exiter is an error that ends the process its own way instead of with main's message and
// status: trace's commandExit, which passes the traced command's end through. passThrough does
// not return; main calls it only after run has returned and every deferred cleanup has run.
type exiter interface {
	error
	passThrough()
}

// exitCommand is a hidden entry point shared by zombies and limits: a child that exits at once.
const exitCommand = "_exit"

// runExit is a child that exits at once with -code.
func runExit(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet(exitCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.Int("code", 0, "exit status")
	if err := fs.Parse(args); err != nil {
		return err
	}
	os.Exit(*code)
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: forensics COMMAND [FLAGS] [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
}

// run dispatches args[0] to its subcommand.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errors.New("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	if h, ok := hidden()[args[0]]; ok {
		return h(ctx, args[1:], stdin, stdout, stderr)
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

// fileOf returns w as an *os.File when it is one.
func fileOf(w io.Writer) *os.File {
	f, _ := w.(*os.File)
	return f
}
