package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Thread is one entry of /proc/<pid>/task: a kernel task. Its TID is the task's own pid; every
// thread of a process shares the process's TGID (the pid userspace sees).
type Thread struct {
	TID    int
	Stat   Stat
	Status Status
}

// Ancestor is one step of the parent chain.
type Ancestor struct {
	PID   int
	Comm  string
	State byte
}

// Process is a snapshot of one process read from a proc root.
type Process struct {
	PID         int
	Cmdline     []string
	Stat        Stat
	Status      Status
	Threads     []Thread
	OOMScore    int
	OOMScoreAdj int
	Limits      []Limit
	Parents     []Ancestor // parent first, ending at pid 1 (or where the chain leaves the pid namespace)
}

// Read snapshots process pid from root ("/proc" on a live system, a testdata directory in tests).
// Threads that exit while it reads are left out; the process itself vanishing is an error that
// wraps fs.ErrNotExist.
func Read(root string, pid int) (*Process, error) {
	dir := filepath.Join(root, strconv.Itoa(pid))
	p := &Process{PID: pid}
	var err error
	if p.Stat, err = readStat(filepath.Join(dir, "stat")); err != nil {
		return nil, err
	}
	if p.Status, err = readStatus(filepath.Join(dir, "status")); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
		p.Cmdline = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(p.Cmdline) == 1 && p.Cmdline[0] == "" {
			p.Cmdline = nil // kernel threads and zombies have an empty cmdline
		}
	}
	if p.OOMScore, err = readInt(filepath.Join(dir, "oom_score")); err != nil {
		return nil, err
	}
	if p.OOMScoreAdj, err = readInt(filepath.Join(dir, "oom_score_adj")); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "limits"))
	if err != nil {
		return nil, err
	}
	if p.Limits, err = ParseLimits(b); err != nil {
		return nil, err
	}
	if p.Threads, err = readThreads(filepath.Join(dir, "task")); err != nil {
		return nil, err
	}
	for ppid, seen := p.Stat.PPID, 0; ppid > 0 && seen < 64; seen++ {
		st, err := readStat(filepath.Join(root, strconv.Itoa(ppid), "stat"))
		if err != nil {
			break // the parent exited while we walked: the chain ends here
		}
		p.Parents = append(p.Parents, Ancestor{PID: st.PID, Comm: st.Comm, State: st.State})
		ppid = st.PPID
	}
	return p, nil
}

func readThreads(taskDir string) ([]Thread, error) {
	entries, err := os.ReadDir(taskDir)
	if err != nil {
		return nil, err
	}
	var threads []Thread
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		t := Thread{TID: tid}
		if t.Stat, err = readStat(filepath.Join(taskDir, e.Name(), "stat")); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		if t.Status, err = readStatus(filepath.Join(taskDir, e.Name(), "status")); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		threads = append(threads, t)
	}
	slices.SortFunc(threads, func(a, b Thread) int { return a.TID - b.TID })
	return threads, nil
}

// ReadStat reads and parses /proc/<pid>/stat under root.
func ReadStat(root string, pid int) (Stat, error) {
	return readStat(filepath.Join(root, strconv.Itoa(pid), "stat"))
}

// ReadStatus reads and parses /proc/<pid>/status under root.
func ReadStatus(root string, pid int) (Status, error) {
	return readStatus(filepath.Join(root, strconv.Itoa(pid), "status"))
}

// ReadLimits reads and parses /proc/<pid>/limits under root.
func ReadLimits(root string, pid int) ([]Limit, error) {
	b, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "limits"))
	if err != nil {
		return nil, err
	}
	return ParseLimits(b)
}

// readParsed reads the file at path and parses it; a parse error names the path.
func readParsed[T any](path string, parse func([]byte) (T, error)) (T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := parse(b)
	if err != nil {
		return v, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

func readStat(path string) (Stat, error)     { return readParsed(path, ParseStat) }
func readStatus(path string) (Status, error) { return readParsed(path, ParseStatus) }

// readInt reads a file holding one decimal number and a newline (oom_score, oom_score_adj).
func readInt(path string) (int, error) {
	return readParsed(path, func(b []byte) (int, error) { return strconv.Atoi(strings.TrimSpace(string(b))) })
}
