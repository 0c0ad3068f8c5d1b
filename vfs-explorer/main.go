// Command vfs-explorer: bpftrace recipes for VFS activity, a launcher and a self-check that proves them.
//
// Synopsis:
//
//	vfs-explorer list [-family F] [-all]
//	vfs-explorer run [-family F] [-f text|json] NAME [-- CMD ARGS...]
//	vfs-explorer check [-family F] [-only NAME,...] [-delay D] [-dir D] [-v]
//	vfs-explorer workload [-dir D] [-files N] [-size K] [-chunk C] [-delay D] [-json]
//	vfs-explorer show [-family F] [-prelude follow|window] NAME
//	vfs-explorer bench [-runs N] [-only NAME,...]
//	vfs-explorer vm run [-kernel 6.1|6.12] [-timeout D] [-console FILE] -- SHELL-COMMAND
//	vfs-explorer vm check [-kernel 6.1,6.12] [-parallel N] [-timeout D] [-save DIR]
//
// The recipes (recipes/tracepoint/*.bt and recipes/kprobe/*.bt, embedded in the binary) come in
// two families with the same names and output shapes. The tracepoint family uses syscall and
// filesystem tracepoints and walks kernel structs through BTF; it runs on every kernel with
// tracepoints, including ones built without CONFIG_KPROBES. The kprobe family hooks the vfs_*
// functions the classic bcc/bpftrace tools use.
//
// Commands:
//
//	list      which families can run here and why, then the recipes of the chosen family:
//	          name, family, one-line description
//	run       run recipe NAME with bpftrace. With -- CMD, the recipe counts only CMD and the
//	          processes it forks, and run exits with CMD's status (128+N if signal N killed it;
//	          125 if run itself failed); without, system-wide until Ctrl-C
//	show      print the bpftrace program run would load, preludes included
//	check     run every recipe of the family against the workload and compare each figure with
//	          the workload's own counts; one line per figure, then "N passed, M failed" (exit 1
//	          when M > 0)
//	workload  the deterministic file workload check measures (prints its exact counts)
//	vm        boot Debian's stock kernels (6.1, 6.12) under QEMU: run one shell command as root
//	          there (the project's binaries on PATH), exiting with its status; or check every
//	          family there, one "kernel R family F: N passed, M failed" line each (internal/vm)
//	bench     what each recipe costs the traced program: the workload's time untraced and
//	          under each recipe, as a ratio and as time added per system call
//
// Options:
//
//	-family auto|tracepoint|kprobe   recipe family (default auto: kprobe where the kernel can
//	                                 attach kprobes, else tracepoint; kprobe is refused where it
//	                                 cannot attach, instead of printing zeros). The kprobe
//	                                 recipes' functions are looked up in the running kernel
//	                                 (renamed ones have alternatives); where one is missing,
//	                                 auto runs the tracepoint twin and says why
//
// Exit status: 0; 1 when check finds a failed figure; 125 when vfs-explorer itself fails (bad
// usage, bpftrace missing or refusing); run -- CMD leaves with CMD's status.
//
// run, check and bench need bpftrace (0.17 or later) and root; when tracefs is not mounted they
// mount it on /sys/kernel/tracing, where bpftrace looks for tracepoints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Like signal.NotifyContext, but the context's cause keeps the signal, for vm's 128+N.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		s := <-sigs
		cancel(signalCause{s.(syscall.Signal)})
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	var exit exitError
	if errors.As(err, &exit) {
		os.Exit(int(exit))
	}
	if err != nil {
		code := 125 // the project's convention for a tool's own failure (README, Exit status)
		var coded statusError
		if errors.As(err, &coded) {
			code = coded.code
		}
		fmt.Fprintf(os.Stderr, "vfs-explorer: %v\n", err)
		os.Exit(code)
	}
}

// signalCause is the cause of main's context when a signal cancelled it.
type signalCause struct{ sig syscall.Signal }

func (c signalCause) Error() string { return "received " + c.sig.String() }

// interruptSignal is the signal that cancelled ctx, SIGINT if it was cancelled otherwise.
func interruptSignal(ctx context.Context) syscall.Signal {
	var c signalCause
	if errors.As(context.Cause(ctx), &c) {
		return c.sig
	}
	return syscall.SIGINT
}

// exitError is an exit status to leave with, without a message: the command has already said
// what went wrong (check's "N passed, M failed").
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// statusError is an error to report before leaving with code. run -- CMD leaves with CMD's
// status, so its own failures leave with 125, as timeout(1) and env(1) do: a failed trace does
// not pass for a command that exited 1.
type statusError struct {
	err  error
	code int
}

func (e statusError) Error() string { return e.err.Error() }
func (e statusError) Unwrap() error { return e.err }

const usage = `usage: vfs-explorer list [-family F] [-all]
       vfs-explorer run [-family F] [-f text|json] NAME [-- CMD ARGS...]
       vfs-explorer show [-family F] [-prelude follow|window] NAME
       vfs-explorer bench [-runs N] [-only NAME,...]
       vfs-explorer check [-family F] [-only NAME,...] [-delay D] [-dir D] [-v]
       vfs-explorer workload [-dir D] [-files N] [-size K] [-chunk C] [-delay D] [-json]
       vfs-explorer vm run [-kernel 6.1|6.12] [-timeout D] [-console FILE] -- SHELL-COMMAND
       vfs-explorer vm check [-kernel 6.1,6.12] [-parallel N] [-timeout D] [-save DIR]
`

// run parses args and runs the command. It is the whole program behind main.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vfs-explorer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no command given")
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "list":
		return cmdList(rest, stdout, stderr)
	case "show":
		return cmdShow(rest, stdout, stderr)
	case "run":
		return cmdRun(ctx, rest, stdin, stdout, stderr)
	case "check":
		return cmdCheck(ctx, rest, stdout, stderr)
	case "workload":
		return cmdWorkload(rest, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, stdout, stderr)
	case "vm":
		return cmdVM(ctx, rest, stdout, stderr)
	case execArgvCommand:
		return execArgv(rest)
	case runChildCommand:
		return runChild(rest)
	case "help":
		fs.Usage()
		return nil
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", cmd)
}
