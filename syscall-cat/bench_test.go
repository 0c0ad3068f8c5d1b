package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGNURatio is `make bench`: whole-process wall time of GNU cat (the reference), of
// syscall-cat, and of the floor Go itself sets (testdata/floor: a bare static Go program doing
// io.Copy(os.Stdout, file), built here), each row's programs run interleaved in one process,
// the median of each quoted, and the ratios taken from those medians:
//
//   - plain copies of 0 B to 512 MiB into /dev/null, a pipe (read by this process) and a fresh
//     regular file: GNU/ours (>= 1.0 from 4 MiB up) and ours/floor (<= 1.1 up to 1 MiB);
//   - every formatting option on 512 MiB of text and of binary data: GNU/ours (>= 1.5).
//
// Every row also gives GNU/ours on CPU time (user + system of the whole process, from wait4).
// The environment of every run is PATH only: glibc then stays in the built-in C locale and
// opens no locale file, GNU's fastest start-up. SYSCALL_CAT_BIN selects the binary (the Makefile
// passes bin/syscall-cat); SYSCALL_CAT_BENCH_MB the big size (512); SYSCALL_CAT_BENCH_RUNS
// multiplies the runs per row (1); SYSCALL_CAT_BENCH_ONLY a regexp on the row names.
//
//	go test -run '^$' -bench '^BenchmarkGNURatio$' -benchtime 1x kernel-foundations/syscall-cat
func BenchmarkGNURatio(b *testing.B) {
	ours := binPath
	if p := os.Getenv("SYSCALL_CAT_BIN"); p != "" {
		ours = p
	}
	big := int64(envInt("SYSCALL_CAT_BENCH_MB", 512)) << 20
	scale := envInt("SYSCALL_CAT_BENCH_RUNS", 1)
	only := regexp.MustCompile(os.Getenv("SYSCALL_CAT_BENCH_ONLY"))
	dir := b.TempDir()

	floor := filepath.Join(dir, "floor")
	build := exec.Command("go", "build", "-trimpath", "-o", floor, "./testdata/floor")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the floor program: %v\n%s", err, out)
	}

	sizes := []struct {
		name string
		n    int64
		runs int
	}{
		{"0 B", 0, 41}, {"4 KiB", 4 << 10, 41}, {"64 KiB", 64 << 10, 41}, {"1 MiB", 1 << 20, 41},
		{"4 MiB", 4 << 20, 21}, {"16 MiB", 16 << 20, 21}, {fmt.Sprintf("%d MiB", big>>20), big, 7},
	}
	inputs := map[string]string{}
	for _, s := range sizes {
		p := filepath.Join(dir, "bin-"+strings.ReplaceAll(s.name, " ", ""))
		if err := writeRandom(p, s.n); err != nil {
			b.Fatal(err)
		}
		inputs[s.name] = p
	}
	text := filepath.Join(dir, "text")
	if err := writeText(text, big); err != nil {
		b.Fatal(err)
	}
	null, err := syscall.Open(os.DevNull, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer syscall.Close(null)
	outFile := filepath.Join(dir, "out")
	for _, p := range append(slices.Collect(mapValues(inputs)), text) {
		if _, err := timeRun([]string{gnuCat, p}, toNull, null, ""); err != nil { // page-cache it
			b.Fatal(err)
		}
	}
	syscall.Sync() // nothing of ours left dirty before the file rows

	b.ResetTimer()
	var rep strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&rep, "\nsyscall-cat vs GNU cat 9.1 and the Go floor (io.Copy), whole-process wall time, medians of interleaved runs\n")
	fmt.Fprintf(&rep, "loadavg before: %s", load)
	fmt.Fprintf(&rep, "%-8s %-9s %5s %10s %10s %10s %8s %8s %8s  %s\n", "size", "output", "runs",
		"GNU", "ours", "floor", "GNU/ours", "cpu", "us/floor", "target")
	for _, s := range sizes {
		for _, o := range []outKind{toNull, toPipe, toFile} {
			name := s.name + " " + o.String()
			if !only.MatchString(name) {
				continue
			}
			progs := [][]string{{gnuCat, inputs[s.name]}, {ours, inputs[s.name]}, {floor, inputs[s.name]}}
			m, err := measure(progs, o, null, outFile, s.runs*scale)
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			g, u, f := m[0], m[1], m[2]
			target, ok := "", true
			switch {
			case s.n <= 1<<20:
				target, ok = "us/floor <= 1.1", u.wall <= 1.1*f.wall
			default:
				target, ok = "GNU/ours >= 1.0", g.wall >= u.wall
			}
			fmt.Fprintf(&rep, "%-8s %-9s %5d %10s %10s %10s %8.2f %8.2f %8.2f  %s %s\n", s.name, o, s.runs*scale,
				ms(g.wall), ms(u.wall), ms(f.wall), g.wall/u.wall, g.cpu/u.cpu, u.wall/f.wall, target, verdict(ok))
		}
	}
	fmt.Fprintf(&rep, "\n%-12s %-7s %5s %10s %10s %8s %8s  %s\n", "option", "data", "runs", "GNU", "ours", "GNU/ours", "cpu", "target")
	for _, opt := range []string{"-n", "-b", "-s", "-v", "-E", "-T", "-A"} {
		for _, data := range []struct{ name, path string }{{"text", text}, {"binary", inputs[sizes[len(sizes)-1].name]}} {
			name := fmt.Sprintf("%s %s", opt, data.name)
			if !only.MatchString(name) {
				continue
			}
			progs := [][]string{{gnuCat, opt, data.path}, {ours, opt, data.path}}
			m, err := measure(progs, toNull, null, outFile, 5*scale)
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			g, u := m[0], m[1]
			fmt.Fprintf(&rep, "%-12s %-7s %5d %10s %10s %8.2f %8.2f  GNU/ours >= 1.5 %s\n", opt+" >/dev/null", data.name, 5*scale,
				ms(g.wall), ms(u.wall), g.wall/u.wall, g.cpu/u.cpu, verdict(g.wall >= 1.5*u.wall))
		}
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Fprintf(&rep, "loadavg after: %s", load)
	fmt.Print(rep.String())
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

func ms(s float64) string { return fmt.Sprintf("%.3f ms", s*1e3) }

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// outKind is where a timed run's standard output goes.
type outKind int

const (
	toNull outKind = iota // /dev/null
	toPipe                // a new pipe, drained by this process until EOF
	toFile                // a regular file created empty just before the run, removed after it
)

func (o outKind) String() string { return [...]string{"/dev/null", "pipe", "file"}[o] }

// median is one program's row figures, in seconds.
type median struct{ wall, cpu float64 }

// measure runs each of progs runs times, after one warm-up run each, in turn; the order rotates
// by one every round (ABC, BCA, CAB, ...), so that each program takes each place and follows
// each other program equally often, and none ever follows itself. With the order merely reversed
// every other round, the program in the middle always ran between the other two, and the place
// weighed on the ratio: on the quiet VM, 0 B into a pipe gave syscall-cat/floor 1.27/1.08 ms with
// syscall-cat in the middle and 1.23/1.30 ms with the floor there (2026-12-03).
func measure(progs [][]string, o outKind, null int, outFile string, runs int) ([]median, error) {
	walls := make([][]float64, len(progs))
	cpus := make([][]float64, len(progs))
	n := len(progs)
	for r := -1; r < runs; r++ {
		order := make([]int, n)
		for i := range order {
			order[i] = ((i+r)%n + n) % n
		}
		for _, i := range order {
			res, err := timeRun(progs[i], o, null, outFile)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", progs[i][0], err)
			}
			if r >= 0 {
				walls[i] = append(walls[i], res.wall)
				cpus[i] = append(cpus[i], res.cpu)
			}
		}
	}
	m := make([]median, len(progs))
	for i := range progs {
		m[i] = median{medianOf(walls[i]), medianOf(cpus[i])}
	}
	return m, nil
}

func medianOf(x []float64) float64 {
	slices.Sort(x)
	return x[len(x)/2]
}

// timeRun starts argv with stdin and stderr on /dev/null and stdout on o, and returns the wall
// time from just before the fork to the moment the child is reaped and, for a pipe, its last
// byte read; and the child's CPU time.
func timeRun(argv []string, o outKind, null int, outFile string) (median, error) {
	out, closeOut := null, func() {}
	var drained chan error
	switch o {
	case toFile:
		if err := os.Remove(outFile); err != nil && !os.IsNotExist(err) {
			return median{}, err
		}
		fd, err := syscall.Open(outFile, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if err != nil {
			return median{}, err
		}
		out = fd
		closeOut = func() { syscall.Close(fd); os.Remove(outFile) }
	case toPipe:
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			return median{}, err
		}
		out = p[1]
		drained = make(chan error, 1)
		go func() {
			runtime.LockOSThread() // a thread of its own blocked in read, as a reader process would be
			buf := make([]byte, 1<<20)
			for {
				n, err := syscall.Read(p[0], buf)
				if err == syscall.EINTR {
					continue
				}
				if err != nil || n == 0 {
					syscall.Close(p[0])
					drained <- err
					return
				}
			}
		}()
		closeOut = func() {
			if out >= 0 {
				syscall.Close(out)
			}
		}
	}
	defer closeOut()
	attr := &syscall.ProcAttr{Env: []string{"PATH=/usr/bin:/bin"}, Files: []uintptr{uintptr(null), uintptr(out), uintptr(null)}}
	start := time.Now()
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if o == toPipe {
		syscall.Close(out) // the child holds the only write end: EOF when it exits
		out = -1
	}
	if err != nil {
		if drained != nil {
			<-drained
		}
		return median{}, err
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	for {
		_, err = syscall.Wait4(pid, &ws, 0, &ru)
		if err != syscall.EINTR {
			break
		}
	}
	if drained != nil {
		if derr := <-drained; derr != nil && err == nil {
			err = derr
		}
	}
	wall := time.Since(start).Seconds()
	if err != nil {
		return median{}, err
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		return median{}, fmt.Errorf("%q: wait status %v", argv, ws)
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return median{wall, cpu}, nil
}

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n <= 0 {
		return def
	}
	return n
}

// writeRandom writes size pseudo-random bytes, the binary input.
func writeRandom(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(2))
	buf := make([]byte, 1<<20)
	for n := int64(0); n < size; {
		rng.Read(buf)
		k := min(int64(len(buf)), size-n)
		if _, err := f.Write(buf[:k]); err != nil {
			f.Close()
			return err
		}
		n += k
	}
	return f.Close()
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
