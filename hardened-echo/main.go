// Command hardened-echo: rFC 862 echo service (TCP and UDP) built for maximal systemd hardening.
//
// Synopsis:
//
//	hardened-echo [-listen HOST:PORT] [-udp HOST:PORT]
//
// Standalone it listens on 127.0.0.1:7007; under systemd it takes its sockets from
// LISTEN_FDS and reports READY=1, STATUS=, STOPPING=1 and WATCHDOG=1 over NOTIFY_SOCKET.
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
		fmt.Fprintf(os.Stderr, "hardened-echo: %v\n", err)
		os.Exit(1)
	}
}

// run parses args and runs the command. It is the whole program behind main.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hardened-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hardened-echo [-listen HOST:PORT] [-udp HOST:PORT]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, _ = ctx, stdin, stdout
	return errors.New("not implemented yet")
}
