//go:build linux

// Command echo-load drives a TCP echo server and checks every byte it gets back.
//
// Synopsis:
//
//	echo-load [-addr HOST:PORT] [-conns N] [-size BYTES] [-mode reqresp|pipeline] [-depth N]
//	          [-duration D | -count N] [-warmup D] [-io auto|blocking|netpoll] [-server-pid PID]
//
// Each connection sends messages of -size bytes cut from its own pseudo-random byte stream, so a
// byte echoed out of order, twice, or from another connection is caught. In reqresp mode a
// connection sends one message and reads its echo before the next (the latency of one round
// trip); in pipeline mode it keeps up to -depth messages in flight. It prints msgs/s, MiB/s (one
// direction) and the round-trip latency p50/p99/p999 of the messages completed in the measured
// window, then a machine-readable line starting with "result". Any error or mismatch: exit 1.
//
// -io blocking runs each connection on a blocking socket with plain read/write system calls
// (one thread per connection while it waits: the least client overhead for a latency test);
// netpoll uses net.Conn. auto picks blocking for reqresp with at most 16 connections.
//
// -server-pid PID adds the server's CPU time over the measured window (utime+stime of all its
// threads, /proc/PID/stat) and its RSS at the end (/proc/PID/status) to both lines.
//
// Exit status: 0 every byte came back; 1 the load failed (a connection refused or reset, a byte
// wrong); 125 bad usage, or buffers larger than the memory available.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo-load: %v\n", err)
		if errors.As(err, new(usageError)) {
			os.Exit(125)
		}
		os.Exit(1)
	}
}

// usageError is a bad option: the tool's own failure, exit status 125 (README.md, Exit
// statuses); a load that fails (a refused connection, a wrong byte) exits 1.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// run parses args and runs the load.
func run(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: echo-load [-addr HOST:PORT] [-conns N] [-size BYTES] [-mode reqresp|pipeline] [-duration D | -count N]\n")
		fs.PrintDefaults()
	}
	var o options
	fs.StringVar(&o.addr, "addr", "127.0.0.1:7008", "echo server `HOST:PORT`")
	fs.IntVar(&o.conns, "conns", 1, "connections")
	fs.IntVar(&o.size, "size", 64, "message size in `bytes`")
	fs.StringVar(&o.mode, "mode", "reqresp", "reqresp (one message in flight) or pipeline (-depth in flight)")
	fs.IntVar(&o.depth, "depth", 16, "messages in flight per connection in pipeline mode")
	fs.DurationVar(&o.duration, "duration", 0, "measure for this long (default 5s unless -count)")
	fs.Int64Var(&o.count, "count", 0, "send this many messages per connection instead of running for -duration")
	fs.DurationVar(&o.warmup, "warmup", 0, "run this long before measuring (duration mode only)")
	fs.StringVar(&o.io, "io", "auto", "client sockets: auto, blocking (read/write syscalls) or netpoll (net.Conn)")
	fs.IntVar(&o.srvPid, "server-pid", 0, "report this `pid`'s CPU time over the measured window and its RSS at the end (from /proc)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := o.check(); err != nil {
		return usageError{err}
	}
	res, err := load(o)
	if err != nil {
		return err
	}
	res.print(stdout, o)
	return nil
}
