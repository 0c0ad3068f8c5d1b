package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/vfs-explorer/internal/workload"
)

// cmdCheck runs each recipe of the chosen family (auto: the one run would load, recipe by
// recipe) against its own run of the workload, started by bpftrace
// (-c) and wrapped in the window prelude, and compares every figure the recipe prints with the
// workload's report. It prints one line per figure and ends with "N passed, M failed".
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", "", "comma-separated `recipes` to check (default: all)")
	verbose := fs.Bool("v", false, "also print each recipe's raw bpftrace output")
	delay := fs.Duration("delay", workload.Default("").Delay, "workload unlink `delay` (longer spreads the measured phase over more time)")
	family := fs.String("family", "auto", "recipe `family`: auto (what run would load), tracepoint or kprobe")
	record := fs.String("record", "", "also write each recipe's bpftrace output and workload report into `DIR` (NAME.json, NAME.workload.json: what testdata/check holds)")
	base := fs.String("dir", "", "`directory` the workload's directories are made in, on ext4 (default: /var/tmp, else $TMPDIR or /tmp, whichever is ext4)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("check: unexpected argument %q", fs.Arg(0))
	}
	all, err := recipes(Tracepoint)
	if err != nil {
		return err
	}
	var names []string
	for _, r := range all {
		names = append(names, r.Name)
	}
	if *only != "" {
		names = strings.Split(*only, ",")
		for _, name := range names {
			if _, err := lookup(Tracepoint, name); err != nil {
				return err
			}
		}
	}
	if _, _, err := chooseFamily(*family); err != nil {
		return err
	}
	bin, err := requireBpftrace()
	if err != nil {
		return err
	}
	if err := ensureTracefs(stderr); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("check: find own binary to run the workload: %w", err)
	}
	if *base == "" {
		*base = ext4Dir()
	}

	var passed, failed int
	start := time.Now()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, why, err := pickRecipe(*family, name)
		if err != nil {
			// An explicit -family kprobe whose recipe cannot be exact here: a failed figure.
			failed++
			fmt.Fprintf(stdout, "FAIL %-9s %-34s got %s, want %s\n", name, "run", err, "the recipe loads")
			continue
		}
		fmt.Fprintf(stderr, "check: %s/%s (%s)\n", r.Family, r.Name, why)
		t0 := time.Now()
		figs, raw, err := checkRecipe(ctx, bin, self, r, *base, *delay, *record)
		if err != nil {
			figs = append(figs, figure{Recipe: r.Name, Name: "run", Want: "bpftrace and the workload succeed", Got: err.Error()})
		}
		if *verbose || err != nil {
			fmt.Fprintf(stdout, "--- %s: bpftrace output\n%s", r.Name, raw)
		}
		for _, f := range figs {
			status := "PASS"
			if f.OK {
				passed++
			} else {
				status = "FAIL"
				failed++
			}
			fmt.Fprintf(stdout, "%s %-9s %-34s got %s, want %s\n", status, f.Recipe, f.Name, f.Got, f.Want)
		}
		fmt.Fprintf(stderr, "check: %s took %v\n", r.Name, time.Since(t0).Round(time.Millisecond))
	}
	fmt.Fprintf(stderr, "check: %d recipes in %v\n", len(names), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitError(1)
	}
	return nil
}

// checkRecipe runs recipe r around one workload and returns its figures and bpftrace's raw
// output (for -v and for failures).
func checkRecipe(ctx context.Context, bin, self string, r Recipe, base string, delay time.Duration, record string) ([]figure, []byte, error) {
	dir, err := os.MkdirTemp(base, "vfs-explorer-check-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	var figs []figure
	if note := fsNote(dir); note != "" && (r.Name == "filelife" || r.Name == "writeback") {
		figs = append(figs, figure{Recipe: r.Name, Name: "workload directory", Want: "on ext4 (this recipe reads ext4 tracepoints; choose one with -dir)", Got: note})
	}
	prog, err := program(r, PreludeWindow)
	if err != nil {
		return nil, nil, err
	}
	child, err := childCommand([]string{self, "workload", "-json", "-dir", dir, "-delay", delay.String()})
	if err != nil {
		return nil, nil, err
	}
	outFile := filepath.Join(dir, "bpftrace.json")
	var wout, berr bytes.Buffer
	b := bpftraceRun{Bin: bin, Program: prog, Name: r.Name, Child: child,
		Args:   []string{"-f", "json", "-o", outFile},
		Stdin:  nil, // the workload reads nothing
		Stdout: &wout, Stderr: &berr}
	runErr := b.Run(ctx)
	jsonOut, _ := os.ReadFile(outFile)
	raw := append(slices.Clip(jsonOut), berr.Bytes()...) // what -v and failures show
	if runErr != nil {
		return figs, raw, fmt.Errorf("bpftrace: %w: %s", runErr, strings.TrimSpace(berr.String()))
	}
	var got workload.Counts
	lines := bytes.Split(bytes.TrimSpace(wout.Bytes()), []byte("\n"))
	if record != "" {
		if err := os.MkdirAll(record, 0o755); err != nil {
			return figs, raw, err
		}
		if err := os.WriteFile(filepath.Join(record, r.Name+".json"), jsonOut, 0o644); err != nil {
			return figs, raw, err
		}
		if err := os.WriteFile(filepath.Join(record, r.Name+".workload.json"), append(lines[len(lines)-1], '\n'), 0o644); err != nil {
			return figs, raw, err
		}
	}
	if err := json.Unmarshal(lines[len(lines)-1], &got); err != nil {
		return figs, raw, fmt.Errorf("workload report: %w: %q %s", err, wout.Bytes(), strings.TrimSpace(berr.String()))
	}
	o, err := parseBpftraceJSON(bytes.NewReader(jsonOut))
	if err != nil {
		return figs, raw, err
	}
	want := workload.Expect(workload.Default(got.Dir))
	figs = append(figs, workloadFigure(r.Name, got, want))
	figs = append(figs, figuresFor(r.Name, r.Family, o, got)...)
	return figs, raw, nil
}

// ext4Dir picks where check's workloads run. filelife and writeback read ext4 tracepoints, so
// the directory must be on ext4: /var/tmp is disk-backed on most systems where /tmp may be a
// tmpfs, but not everywhere (a container's /var/tmp may be an overlay or a tmpfs). When neither
// is ext4 it returns /var/tmp, and those two recipes then fail with a note saying why.
func ext4Dir() string {
	for _, d := range []string{"/var/tmp", os.TempDir()} {
		if fsNote(d) == "" {
			return d
		}
	}
	return "/var/tmp"
}

// fsNote says why dir is not on ext4, or "" when it is.
func fsNote(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return os.NewSyscallError("statfs", err).Error()
	}
	if st.Type == unix.EXT4_SUPER_MAGIC {
		return ""
	}
	return fmt.Sprintf("%s is on file system type %#x, not ext4", dir, st.Type)
}
