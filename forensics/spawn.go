package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

func runSpawn(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics spawn", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, _ = ctx, stdin, stdout
	return errors.New("spawn: not implemented yet")
}
