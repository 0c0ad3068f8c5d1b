package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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

	// The chart's file is created (as a temporary beside it) before the benchmark, which takes
	// minutes: a path that cannot be written fails now, in one line, not after the run.
	var chart *pendingFile
	if *svgPath != "" {
		if chart, err = createPending(*svgPath); err != nil {
			return fmt.Errorf("spawnbench: -svg: %w", err)
		}
		defer chart.discard()
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
	if chart != nil {
		if err := chart.commit(res.WriteSVG); err != nil {
			return fmt.Errorf("spawnbench: write chart: %w", err)
		}
	}
	return nil
}

// pendingFile is a file written through a temporary one in the same directory and renamed into
// place by commit, so a failed run never leaves a half-written file behind.
type pendingFile struct {
	path string
	f    *os.File // nil once committed or discarded
}

// createPending checks that path can be replaced (it is not a directory) and creates the
// temporary file beside it.
func createPending(path string) (*pendingFile, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return nil, err
	}
	return &pendingFile{path: path, f: f}, nil
}

// commit writes the content, then renames the temporary file over path.
func (p *pendingFile) commit(write func(io.Writer) error) error {
	f := p.f
	p.f = nil
	err := write(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// discard removes the temporary file unless commit has run; a second call does nothing.
func (p *pendingFile) discard() {
	if p.f != nil {
		p.f.Close()
		os.Remove(p.f.Name())
		p.f = nil
	}
}
