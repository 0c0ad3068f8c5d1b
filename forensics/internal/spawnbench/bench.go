// Package spawnbench measures what it costs to create a process from Go, by mechanism, as the
// parent's resident memory grows: a real fork (clone without CLONE_VM), vfork-style clone
// (CLONE_VM|CLONE_VFORK), clone3 with CLONE_VM|CLONE_VFORK|CLONE_PIDFD, Go's syscall.ForkExec
// and os/exec.
//
// The expected shape, and the reason to measure it: fork copies the parent's page tables (and
// write-protects every private page for copy-on-write), so its cost grows with the resident set;
// the vfork family shares the address space and copies nothing, so it stays flat.
package spawnbench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TruePath is the program an exec child runs.
const TruePath = "/bin/true"

// Mode is one way of creating a child.
type Mode int

const (
	ModeFork     Mode = iota // clone(SIGCHLD): fork(2)
	ModeVfork                // clone(CLONE_VM|CLONE_VFORK|SIGCHLD): vfork(2)
	ModeClone3               // clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD), waited through the pidfd
	ModeForkExec             // syscall.ForkExec: Go's spawn path (CLONE_VM|CLONE_VFORK)
	ModeOSExec               // exec.Command(...).Run()
)

// AllModes lists every mode in table order.
var AllModes = []Mode{ModeFork, ModeVfork, ModeClone3, ModeForkExec, ModeOSExec}

var modeNames = map[Mode]string{
	ModeFork:     "fork",
	ModeVfork:    "vfork",
	ModeClone3:   "clone3",
	ModeForkExec: "forkexec",
	ModeOSExec:   "os/exec",
}

func (m Mode) String() string {
	if n, ok := modeNames[m]; ok {
		return n
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseModes parses a comma-separated list of mode names.
func ParseModes(s string) ([]Mode, error) {
	var modes []Mode
	for _, f := range strings.Split(s, ",") {
		found := false
		for _, m := range AllModes {
			if m.String() == f {
				modes = append(modes, m)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown mode %q (want fork, vfork, clone3, forkexec, os/exec)", f)
		}
	}
	return modes, nil
}

// Child is what the child does once it exists.
type Child int

const (
	ChildExec Child = iota // execve /bin/true
	ChildExit              // exit_group(0) at once (raw modes only: Go's spawners always exec)
)

func (c Child) String() string {
	if c == ChildExit {
		return "exit"
	}
	return "exec"
}

// Supports reports whether mode m can run a child that does c.
func (m Mode) Supports(c Child) bool {
	return c == ChildExec || m == ModeFork || m == ModeVfork || m == ModeClone3
}

// ParseSize parses "0", "256M", "1G", "512K" or a plain byte count.
func ParseSize(s string) (int64, error) {
	mult := int64(1)
	t := strings.TrimSuffix(strings.TrimSuffix(s, "iB"), "B")
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, strings.TrimSuffix(t, "G")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("bad size %q (want e.g. 0, 256M, 4G)", s)
	}
	return n * mult, nil
}

// Config is one benchmark run.
type Config struct {
	Sizes  []int64 // ballast levels in bytes, ascending
	Modes  []Mode
	Child  Child
	Runs   int // measured spawns per cell
	Rounds int // the modes take turns this many times per level, Runs/Rounds spawns each time
	Warmup int // unmeasured spawns before each turn
}

// Stats summarises one cell's samples.
type Stats struct {
	N                int
	Min, P10, Median time.Duration
	P90, Max         time.Duration
	Samples          []time.Duration // sorted
}

// Summarise sorts samples and computes the order statistics (nearest-rank percentiles).
func Summarise(samples []time.Duration) Stats {
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return Stats{}
	}
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return s[i]
	}
	return Stats{N: len(s), Min: s[0], P10: rank(0.10), Median: rank(0.50), P90: rank(0.90), Max: s[len(s)-1], Samples: s}
}

// Row is one ballast level: the resident set actually measured and a cell per mode.
type Row struct {
	Ballast int64 // bytes touched
	RSS     int64 // VmRSS of the parent, bytes, read from /proc/self/status
	Cells   map[Mode]Stats
}

// Result is a whole run.
type Result struct {
	Config Config
	Rows   []Row
}

func us(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 0, 64) }

// WriteTable prints the result: median and p10-p90 per cell in microseconds, then fork's median
// as a multiple of vfork's measured in the same run.
func (r *Result) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "spawnbench: child %s, %d runs per cell in %d rounds (%d warm-up each), microseconds: median [p10-p90]\n",
		r.Config.Child, r.Config.Runs, max(1, min(r.Config.Rounds, r.Config.Runs)), r.Config.Warmup)
	fmt.Fprintf(&b, "%-10s %-9s", "ballast", "VmRSS")
	for _, m := range r.Config.Modes {
		fmt.Fprintf(&b, " %-24s", m)
	}
	hasRatio := contains(r.Config.Modes, ModeFork) && contains(r.Config.Modes, ModeVfork)
	if hasRatio {
		fmt.Fprintf(&b, " %s", "fork/vfork")
	}
	b.WriteString("\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "%-10s %-9s", mib(row.Ballast), mib(row.RSS))
		for _, m := range r.Config.Modes {
			st, ok := row.Cells[m]
			if !ok {
				fmt.Fprintf(&b, " %-24s", "-")
				continue
			}
			fmt.Fprintf(&b, " %-24s", fmt.Sprintf("%s [%s-%s]", us(st.Median), us(st.P10), us(st.P90)))
		}
		if hasRatio {
			f, v := row.Cells[ModeFork], row.Cells[ModeVfork]
			if v.Median > 0 {
				fmt.Fprintf(&b, " %.1fx", float64(f.Median)/float64(v.Median))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func contains(ms []Mode, m Mode) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func mib(n int64) string {
	return strconv.FormatInt(n>>20, 10) + "MiB"
}
