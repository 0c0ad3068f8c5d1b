package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/spawnbench"
)

// runSpawnbench measures fork, vfork, clone3, syscall.ForkExec and os/exec as the parent's
// resident set grows, and prints a table (and, with -svg, writes a line chart).
func runSpawnbench(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("forensics spawnbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("rss", "0,256M,1G,4G", "parent ballast levels (touched anonymous memory), ascending, comma-separated")
	modes := fs.String("modes", "fork,vfork,clone3,forkexec,os/exec", "spawn mechanisms to measure")
	child := fs.String("child", "exec", `what the child does: "exec" (execve /bin/true) or "exit" (exit_group at once; raw modes only)`)
	runs := fs.Int("runs", 40, "measured spawns per mode and level")
	rounds := fs.Int("rounds", 4, "the modes take turns this many times per level")
	warmup := fs.Int("warmup", 2, "unmeasured spawns before each turn")
	svgPath := fs.String("svg", "", "also write the chart as SVG to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: forensics spawnbench [-rss 0,256M,1G,4G] [-modes LIST] [-child exec|exit] [-runs N] [-rounds N] [-svg FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("spawnbench: unexpected argument %q", fs.Arg(0))
	}
	cfg := spawnbench.Config{Runs: *runs, Rounds: *rounds, Warmup: *warmup}
	if *runs < 1 || *rounds < 1 || *warmup < 0 {
		return fmt.Errorf("spawnbench: -runs and -rounds must be >= 1, -warmup >= 0")
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := spawnbench.ParseSize(s)
		if err != nil {
			return fmt.Errorf("spawnbench: -rss: %w", err)
		}
		cfg.Sizes = append(cfg.Sizes, n)
	}
	var err error
	if cfg.Modes, err = spawnbench.ParseModes(*modes); err != nil {
		return fmt.Errorf("spawnbench: -modes: %w", err)
	}
	switch *child {
	case "exec":
		cfg.Child = spawnbench.ChildExec
	case "exit":
		cfg.Child = spawnbench.ChildExit
	default:
		return fmt.Errorf("spawnbench: -child must be exec or exit, got %q", *child)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, unix.SIGTERM)
	defer stop()
	res, err := spawnbench.Run(ctx, cfg, stderr)
	if err != nil {
		return fmt.Errorf("spawnbench: %w", err)
	}
	if err := res.WriteTable(stdout); err != nil {
		return err
	}
	if *svgPath != "" {
		if err := writeFileAtomic(*svgPath, res.WriteSVG); err != nil {
			return fmt.Errorf("spawnbench: write chart: %w", err)
		}
	}
	return nil
}

// writeFileAtomic writes through a temporary file in the same directory and renames it into
// place, so a failed run never leaves a half-written file behind.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := ".", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, base = path[:i+1], path[i+1:]
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
