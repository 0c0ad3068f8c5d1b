package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"kernel-foundations/vfs-explorer/internal/workload"
)

// cmdWorkload runs the deterministic workload and prints what it did: a table for people, or one
// JSON object (-json) for check and scripts.
func cmdWorkload(args []string, stdout, stderr io.Writer) error {
	def := workload.Default("")
	fs := flag.NewFlagSet("workload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory to work in (default: a new directory under /var/tmp, removed afterwards)")
	fs.IntVar(&def.Files, "files", def.Files, "`N` files to create")
	fs.IntVar(&def.Size, "size", def.Size, "`bytes` written to each file (a multiple of -chunk)")
	fs.IntVar(&def.Chunk, "chunk", def.Chunk, "`bytes` per read and write")
	fs.DurationVar(&def.Delay, "delay", def.Delay, "file i is unlinked (i+1)*`delay` after its creation")
	asJSON := fs.Bool("json", false, "print the counts as one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("workload: unexpected argument %q", fs.Arg(0))
	}
	cfg := def
	cfg.Dir = *dir
	if cfg.Dir == "" {
		// /var/tmp rather than /tmp: it is disk-backed (ext4 here) where /tmp may be tmpfs, and
		// the filesystem tracepoints (ext4:*, writeback:*) need a real filesystem.
		d, err := os.MkdirTemp("/var/tmp", "vfs-explorer-workload-")
		if err != nil {
			return err
		}
		cfg.Dir = d
	}
	got, err := workload.Run(cfg)
	if *dir == "" {
		// Removed before the report is printed: a reader that goes away (| head) ends this
		// process with SIGPIPE at the first write, and a deferred remove would never run.
		if rerr := os.Remove(cfg.Dir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("workload: %w", err)
	}
	if *asJSON {
		b, err := json.Marshal(got)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(stdout, "workload pid %d (%s) in %s\n", got.PID, got.Comm, got.Dir)
	fmt.Fprintf(stdout, "  openat %d (failed %d, created %d)  close %d\n", got.Openat, got.OpenFailed, got.Creates, got.Close)
	fmt.Fprintf(stdout, "  write %d  pwrite64 %d  bytes written %d\n", got.Write, got.Pwrite64, got.BytesWritten)
	fmt.Fprintf(stdout, "  read %d (%d at EOF)  pread64 %d  bytes read %d\n", got.Read, got.EOFReads, got.Pread64, got.BytesRead)
	fmt.Fprintf(stdout, "  fsync %d  fdatasync %d  renameat %d  unlinkat %d\n", got.Fsync, got.Fdatasync, got.Renameat, got.Unlinkat)
	for _, f := range got.Files {
		fmt.Fprintf(stdout, "  %s -> %s inode %d (fd %d, then %d): wrote %d B in %d calls, read %d B in %d calls, %s, lived %d us\n",
			f.Created, f.Final, f.Inode, f.CreateFD, f.ReadFD, f.BytesWritten, f.Writes, f.BytesRead, f.Reads, f.Synced, f.AgeMicros)
	}
	_, err = fmt.Fprintf(stdout, "  failed open: %s/%s (ENOENT)\n", got.Dir, workload.MissingName)
	return err
}
