package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGNURatio is `make bench`: GNU cat's time over ours, both measured in this run on
// the same 512 MiB page-cached file, best of several alternating rounds (the machine is shared,
// the minimum is the least disturbed measurement). The ratio targets of the course are printed
// next to each line. SYSCALL_CAT_BIN selects the binary (the Makefile passes bin/syscall-cat);
// SYSCALL_CAT_BENCH_MB and SYSCALL_CAT_BENCH_ROUNDS change the size and the rounds.
//
//	go test -run '^$' -bench '^BenchmarkGNURatio$' -benchtime 1x kernel-foundations/syscall-cat
func BenchmarkGNURatio(b *testing.B) {
	ours := binPath
	if p := os.Getenv("SYSCALL_CAT_BIN"); p != "" {
		ours = p
	}
	mb, rounds := envInt("SYSCALL_CAT_BENCH_MB", 512), envInt("SYSCALL_CAT_BENCH_ROUNDS", 5)
	dir := b.TempDir()
	input := filepath.Join(dir, "input.txt")
	if err := writeText(input, int64(mb)<<20); err != nil {
		b.Fatal(err)
	}
	// Page-cache the input.
	if err := exec.Command(gnuCat, input).Run(); err != nil {
		b.Fatal(err)
	}
	dd, err := exec.LookPath("dd")
	if err != nil {
		b.Fatal(err)
	}
	type scenario struct {
		name   string
		args   []string
		target float64
		run    func(bin string, args []string) (time.Duration, error)
	}
	toNull := func(bin string, args []string) (time.Duration, error) {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		cmd := exec.Command(bin, args...)
		cmd.Stdout = null
		start := time.Now()
		err = cmd.Run()
		return time.Since(start), err
	}
	toPipe := func(bin string, args []string) (time.Duration, error) {
		// The pipeline "cat FILE | dd bs=1M of=/dev/null": wall time until both have exited.
		reader := exec.Command(dd, "bs=1M", "of=/dev/null", "status=none")
		w, err := reader.StdinPipe()
		if err != nil {
			return 0, err
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout = w.(*os.File)
		start := time.Now()
		if err := reader.Start(); err != nil {
			return 0, err
		}
		err = cmd.Run()
		w.Close()
		if werr := reader.Wait(); err == nil {
			err = werr
		}
		return time.Since(start), err
	}
	toFile := func(bin string, args []string) (time.Duration, error) {
		// Each run starts from the same state: the previous output gone and nothing dirty
		// left to write back, which would otherwise compete with the copy being timed.
		path := filepath.Join(dir, "output")
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return 0, err
		}
		syscall.Sync()
		out, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		defer out.Close()
		cmd := exec.Command(bin, args...)
		cmd.Stdout = out
		start := time.Now()
		err = cmd.Run()
		return time.Since(start), err
	}
	scenarios := []scenario{
		{"FILE > /dev/null", []string{input}, 2.0, toNull},
		{"FILE | dd of=/dev/null", []string{input}, 2.0, toPipe},
		{"FILE > file", []string{input}, 0.9, toFile},
		{"-n FILE > /dev/null", []string{"-n", input}, 0.9, toNull},
		{"-A FILE > /dev/null", []string{"-A", input}, 0.9, toNull},
	}
	b.ResetTimer()
	var report strings.Builder
	fmt.Fprintf(&report, "\nsyscall-cat vs GNU cat 9.1, %d MiB cached text file, best of %d rounds\n", mb, rounds)
	fmt.Fprintf(&report, "%-24s %10s %10s %7s %7s  %s\n", "case", "GNU", "ours", "ratio", "target", "")
	for _, s := range scenarios {
		var gnu, our []time.Duration
		for r := 0; r < rounds; r++ {
			for _, side := range []struct {
				bin string
				to  *[]time.Duration
			}{{gnuCat, &gnu}, {ours, &our}} {
				d, err := s.run(side.bin, s.args)
				if err != nil {
					b.Fatalf("%s with %s: %v", s.name, side.bin, err)
				}
				*side.to = append(*side.to, d)
			}
		}
		g, o := best(gnu), best(our)
		ratio := g.Seconds() / o.Seconds()
		verdict := "ok"
		if ratio < s.target {
			verdict = "BELOW TARGET"
		}
		fmt.Fprintf(&report, "%-24s %10s %10s %7.2f %7.1f  %s\n", s.name, g.Round(time.Millisecond/10), o.Round(time.Millisecond/10), ratio, s.target, verdict)
		b.ReportMetric(ratio, strings.NewReplacer(" ", "_", "/", "-", ">", "to", "|", "pipe").Replace(s.name)+"_ratio")
	}
	fmt.Print(report.String())
}

func best(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[0]
}

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n <= 0 {
		return def
	}
	return n
}

// writeText writes size bytes of log-like text: lines of 0 to 120 printable characters with
// some tabs, a few UTF-8 letters and a few blank lines, the input -n and -A are made for.
func writeText(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewSource(1))
	words := []string{"the", "kernel", "page", "cache", "splice", "read", "write", "\t", "é", "0x7f3a", "[INFO]", "ok", "ENOSPC"}
	var line []byte
	for n := int64(0); n < size; {
		line = line[:0]
		for l := rng.Intn(120); len(line) < l; {
			line = append(line, words[rng.Intn(len(words))]...)
			line = append(line, ' ')
		}
		line = append(line, '\n')
		if rest := size - n; int64(len(line)) > rest {
			line = line[:rest]
		}
		w.Write(line)
		n += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
