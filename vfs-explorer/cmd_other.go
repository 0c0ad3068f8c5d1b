//go:build !linux

package main

import (
	"context"
	"errors"
	"io"
)

// errLinuxOnly: bpftrace, tracepoints and the workload's system calls are Linux's. The pure
// parts of this package (recipe parsing, bpftrace output parsing, the figure tables) still build
// and test elsewhere.
var errLinuxOnly = errors.New("vfs-explorer runs on Linux only")

func cmdList(args []string, stdout, stderr io.Writer) error { return errLinuxOnly }
func cmdShow(args []string, stdout, stderr io.Writer) error { return errLinuxOnly }
func cmdRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errLinuxOnly
}
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errLinuxOnly
}
func cmdVM(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errLinuxOnly
}
func cmdWorkload(args []string, stdout, stderr io.Writer) error { return errLinuxOnly }
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errLinuxOnly
}

const (
	execArgvCommand = "exec-argv"
	runChildCommand = "run-child"
)

func execArgv(args []string) error { return errLinuxOnly }
func runChild(args []string) error { return errLinuxOnly }
