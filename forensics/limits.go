package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

func runLimits(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics limits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, _ = ctx, stdin, stdout
	return errors.New("limits: not implemented yet")
}
