package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"strconv"

	"kernel-foundations/forensics/internal/proc"
)

// runInspect prints a process as the kernel records it under /proc: every thread's TID against
// the TGID, credentials, capabilities, signal sets per thread, OOM score, limits, parent chain.
func runInspect(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: forensics inspect [-proc DIR] PID|self")
		fs.PrintDefaults()
	}
	root := fs.String("proc", "/proc", "proc filesystem root (a copied tree works too)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("inspect: want exactly one PID")
	}
	pid, err := parsePID(fs.Arg(0))
	if err != nil {
		return err
	}
	p, err := proc.Read(*root, pid)
	if errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("inspect: no process %d in %s", pid, *root)
	}
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	return proc.Format(stdout, p)
}

func parsePID(s string) (int, error) {
	if s == "self" {
		return os.Getpid(), nil
	}
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("inspect: %q is not a pid", s)
	}
	return pid, nil
}
