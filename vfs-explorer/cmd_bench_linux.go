package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"kernel-foundations/vfs-explorer/internal/workload"
)

// cmdBench measures what each tracepoint recipe costs the program it watches: the workload's
// measured phase, untraced (the reference, run in the same invocation) and traced by each recipe,
// as the median of -runs runs. It prints the ratio to the reference and the added time per
// system call, and how long bpftrace took to start and finish around the workload.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 5, "runs per row (the median is reported)")
	files := fs.Int("files", 4, "workload files")
	size := fs.Int("size", 1<<20, "workload bytes per file")
	chunk := fs.Int("chunk", 1024, "workload bytes per read and write")
	only := fs.String("only", "", "comma-separated `recipes` (default: all tracepoint recipes)")
	// tmpfs by default: fsync there is a no-op and no disk is involved, so what is left is the
	// cost of the probes on each system call. ext4-only probes (filelife's unlink side,
	// writeback's ext4_writepages_result) then do not fire; -base /var/tmp includes them.
	base := fs.String("base", "/dev/shm", "`directory` the workload's directories are made in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("bench: -runs %d, want at least 1", *runs)
	}
	cfg := workload.Config{Dir: "/", Files: *files, Size: *size, Chunk: *chunk}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	rs, err := recipes(Tracepoint)
	if err != nil {
		return err
	}
	if *only != "" {
		rs = slices.DeleteFunc(rs, func(r Recipe) bool { return !slices.Contains(strings.Split(*only, ","), r.Name) })
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
		return err
	}
	wargs := []string{"workload", "-json", "-files", fmt.Sprint(*files), "-size", fmt.Sprint(*size),
		"-chunk", fmt.Sprint(*chunk), "-delay", "0"}

	// one runs the workload once, untraced (r == nil) or under recipe r, and returns the
	// measured phase and the whole wall time.
	one := func(r *Recipe) (phase, wall time.Duration, calls int, err error) {
		dir, err := os.MkdirTemp(*base, "vfs-explorer-bench-")
		if err != nil {
			return 0, 0, 0, err
		}
		defer os.RemoveAll(dir)
		argv := append([]string{self}, append(wargs, "-dir", dir)...)
		var out, errb bytes.Buffer
		start := time.Now()
		if r == nil {
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			cmd.Stdout, cmd.Stderr = &out, &errb
			err = cmd.Run()
		} else {
			var prog, child string
			if prog, err = program(*r, PreludeWindow); err != nil {
				return 0, 0, 0, err
			}
			if child, err = childCommand(argv); err != nil {
				return 0, 0, 0, err
			}
			b := bpftraceRun{Bin: bin, Program: prog, Name: r.Name, Child: child,
				Args: []string{"-f", "json", "-o", dir + "/bpftrace.json"}, Stdout: &out, Stderr: &errb}
			err = b.Run(ctx)
		}
		wall = time.Since(start)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%w: %s", err, strings.TrimSpace(errb.String()))
		}
		var c workload.Counts
		if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &c); err != nil {
			return 0, 0, 0, fmt.Errorf("workload report: %w", err)
		}
		calls = c.Openat + c.Write + c.Pwrite64 + c.Read + c.Pread64 + c.Fsync + c.Fdatasync + c.Close + c.Renameat + c.Unlinkat
		return time.Duration(c.ElapsedMicros) * time.Microsecond, wall, calls, nil
	}
	median := func(r *Recipe) (phase, wall time.Duration, calls int, err error) {
		var ps, ws []time.Duration
		for range *runs {
			p, w, n, err := one(r)
			if err != nil {
				return 0, 0, 0, err
			}
			ps, ws, calls = append(ps, p), append(ws, w), n
		}
		slices.Sort(ps)
		slices.Sort(ws)
		return ps[len(ps)/2], ws[len(ws)/2], calls, nil
	}

	ref, refWall, calls, err := median(nil)
	if err != nil {
		return fmt.Errorf("bench: untraced workload: %w", err)
	}
	fmt.Fprintf(stdout, "workload: %d files x %d B in %d B chunks in %s, %d system calls, median of %d runs\n",
		*files, *size, *chunk, *base, calls, *runs)
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "recipe\tphase\tvs untraced\tadded/call\twall (bpftrace start+stop)\t")
	fmt.Fprintf(tw, "untraced\t%v\t1.00x\t-\t%v\t\n", ref.Round(time.Microsecond), refWall.Round(time.Millisecond))
	for i := range rs {
		p, w, _, err := median(&rs[i])
		if err != nil {
			return fmt.Errorf("bench: %s: %w", rs[i].Name, err)
		}
		added := (p - ref) / time.Duration(calls)
		fmt.Fprintf(tw, "%s\t%v\t%.2fx\t%v\t%v\t\n", rs[i].Name, p.Round(time.Microsecond),
			float64(p)/float64(ref), added, w.Round(time.Millisecond))
	}
	return tw.Flush()
}
