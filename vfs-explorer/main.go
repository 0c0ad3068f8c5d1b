// Command vfs-explorer: bpftrace recipes for VFS activity, a launcher and a self-check that proves them.
//
// Synopsis:
//
//	vfs-explorer list | run NAME [-- CMD ARGS...] | check | workload
//
// It picks the recipe family (tracepoint or kprobe) that the running kernel supports.
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "vfs-explorer: %v\n", err)
		os.Exit(1)
	}
}

// run parses args and runs the command. It is the whole program behind main.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vfs-explorer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: vfs-explorer list | run NAME [-- CMD ARGS...] | check | workload\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, _ = ctx, stdin, stdout
	return errors.New("not implemented yet")
}
