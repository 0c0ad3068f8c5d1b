// Command syscall-cat: gNU cat 9.1, byte for byte, on raw syscalls inside its own seccomp filter.
//
// Synopsis:
//
//	syscall-cat [OPTION]... [FILE]...
//
// Options are GNU cat's (-A -b -e -E -n -s -t -T -u -v and their long forms).
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
		fmt.Fprintf(os.Stderr, "syscall-cat: %v\n", err)
		os.Exit(1)
	}
}

// run parses args and runs the command. It is the whole program behind main.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("syscall-cat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: syscall-cat [OPTION]... [FILE]...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, _ = ctx, stdin, stdout
	return errors.New("not implemented yet")
}
