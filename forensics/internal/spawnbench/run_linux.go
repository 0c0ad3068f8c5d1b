package spawnbench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Run measures every mode at every ballast level. The ballast grows in place, level by level,
// and stays mapped until Run returns. progress, if not nil, gets one line per level.
//
// Run locks its goroutine to its OS thread for the whole run: the raw modes block signals on the
// current thread around clone, which only means something if the clone happens on that thread.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Result, error) {
	if cfg.Runs < 1 {
		return nil, fmt.Errorf("runs must be at least 1, got %d", cfg.Runs)
	}
	for i := 1; i < len(cfg.Sizes); i++ {
		if cfg.Sizes[i] < cfg.Sizes[i-1] {
			return nil, fmt.Errorf("ballast sizes must be ascending: %d after %d", cfg.Sizes[i], cfg.Sizes[i-1])
		}
	}
	runtime.LockOSThread()
	s, err := newSpawner(cfg.Child)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	defer func() {
		// The mask is restored after every raw spawn; if a restore ever failed, the thread
		// keeps every signal blocked and must die with this goroutine instead of going back to
		// the scheduler (a goroutine that exits locked takes its thread with it).
		if !s.poisoned {
			runtime.UnlockOSThread()
		}
	}()
	var max int64
	if len(cfg.Sizes) > 0 {
		max = cfg.Sizes[len(cfg.Sizes)-1]
	}
	b, err := newBallast(max)
	if err != nil {
		return nil, err
	}
	defer b.release()

	res := &Result{Config: cfg}
	for _, size := range cfg.Sizes {
		b.touch(size)
		rss, err := vmRSS()
		if err != nil {
			return nil, err
		}
		row := Row{Ballast: size, RSS: rss, Cells: map[Mode]Stats{}}
		samples := map[Mode][]time.Duration{}
		// Modes take turns in blocks, rounds times over: a burst of noise from the other
		// tenants of a shared machine then lands on every mode alike. Not run by run: a fork
		// leaves work behind (the write-protected parent takes copy-on-write faults on the
		// pages it touches next, the child's page tables are freed after it is reaped), which
		// measured 30 us per vfork at every RSS alone but up to 140 us right after a 4 GiB fork.
		// Each block's warm-up spawns absorb the previous block's aftermath.
		rounds := min(cfg.Rounds, cfg.Runs)
		if rounds < 1 {
			rounds = 1
		}
		for r := 0; r < rounds; r++ {
			n := cfg.Runs/rounds + btoi(r < cfg.Runs%rounds)
			for _, m := range cfg.Modes {
				if !m.Supports(cfg.Child) {
					continue
				}
				for i := 0; i < cfg.Warmup+n; i++ {
					if err := ctx.Err(); err != nil {
						return nil, err
					}
					d, err := s.spawn(m)
					if err != nil {
						return nil, fmt.Errorf("%v at %s ballast: %w", m, mib(size), err)
					}
					if i >= cfg.Warmup {
						samples[m] = append(samples[m], d)
					}
				}
			}
		}
		for m, ds := range samples {
			row.Cells[m] = Summarise(ds)
		}
		res.Rows = append(res.Rows, row)
		if progress != nil {
			fmt.Fprintf(progress, "spawnbench: ballast %s (VmRSS %s) done\n", mib(size), mib(rss))
		}
	}
	return res, nil
}

// ballast is anonymous private memory the parent really has resident: every page written once.
type ballast struct {
	mem     []byte
	touched int64
}

func newBallast(size int64) (*ballast, error) {
	if size == 0 {
		return &ballast{}, nil
	}
	mem, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("map %s of ballast: %w", mib(size), os.NewSyscallError("mmap", err))
	}
	// 4 KiB pages, not transparent huge pages: with THP every 2 MiB is one PMD entry and fork
	// copies 512 times fewer entries. A Go heap is THP-eligible only where the kernel's policy
	// allows ("madvise" here: /sys/kernel/mm/transparent_hugepage/enabled), so small pages are
	// the common case this benchmark stands for.
	if err := unix.Madvise(mem, unix.MADV_NOHUGEPAGE); err != nil {
		unix.Munmap(mem)
		return nil, os.NewSyscallError("madvise", err)
	}
	return &ballast{mem: mem}, nil
}

// touch writes one byte per page up to size, so the pages are resident (not just mapped).
func (b *ballast) touch(size int64) {
	page := int64(os.Getpagesize())
	for off := b.touched; off < size; off += page {
		b.mem[off] = 1
	}
	if size > b.touched {
		b.touched = size
	}
}

func (b *ballast) release() {
	if b.mem != nil {
		unix.Munmap(b.mem)
		b.mem = nil
	}
}

// vmRSS reads VmRSS from /proc/self/status.
func vmRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
