// Package proc reads processes as the kernel records them under /proc: stat, status, limits and
// the per-thread task directories. Parsing is pure (it takes bytes), so it is tested against
// fixtures in testdata; reading takes a root directory, "/proc" in production.
package proc

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// UserHZ is the unit of the clock-tick fields of /proc/<pid>/stat. It is fixed at 100 on every
// Linux architecture Go supports (USER_HZ, include/asm-generic/param.h): the kernel converts from
// its internal HZ before printing, so no sysconf(_SC_CLK_TCK) is needed.
const UserHZ = 100

// Stat is the part of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) this lab uses; field
// numbers are those of proc_pid_stat(5).
type Stat struct {
	PID        int    // (1)
	Comm       string // (2), without the parentheses
	State      byte   // (3) R S D Z T t X I ...
	PPID       int    // (4)
	PGRP       int    // (5)
	Session    int    // (6)
	UTime      uint64 // (14) clock ticks in user mode
	STime      uint64 // (15) clock ticks in kernel mode
	NumThreads int    // (20)
	StartTime  uint64 // (22) clock ticks after boot
	Processor  int    // (39) CPU last run on
}

// CPUSeconds is user plus system time in seconds.
func (s Stat) CPUSeconds() float64 { return float64(s.UTime+s.STime) / UserHZ }

// ParseStat parses one /proc/<pid>/stat line. The command name may contain spaces and
// parentheses, so the fields after it are found from the last ')' (as procps does).
func ParseStat(data []byte) (Stat, error) {
	var s Stat
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return s, fmt.Errorf("stat: no (comm) in %q", truncate(data))
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil {
		return s, fmt.Errorf("stat: pid: %w", err)
	}
	s.PID = pid
	s.Comm = string(data[open+1 : closing])
	f := strings.Fields(string(data[closing+1:]))
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 39-2 {
		return s, fmt.Errorf("stat: %d fields after comm, want at least %d", len(f), 39-2)
	}
	if len(f[0]) != 1 {
		return s, fmt.Errorf("stat: state %q", f[0])
	}
	s.State = f[0][0]
	ints := []struct {
		field int
		dst   *int
	}{{4, &s.PPID}, {5, &s.PGRP}, {6, &s.Session}, {20, &s.NumThreads}, {39, &s.Processor}}
	for _, x := range ints {
		if *x.dst, err = strconv.Atoi(f[x.field-3]); err != nil {
			return s, fmt.Errorf("stat: field %d: %w", x.field, err)
		}
	}
	uints := []struct {
		field int
		dst   *uint64
	}{{14, &s.UTime}, {15, &s.STime}, {22, &s.StartTime}}
	for _, x := range uints {
		if *x.dst, err = strconv.ParseUint(f[x.field-3], 10, 64); err != nil {
			return s, fmt.Errorf("stat: field %d: %w", x.field, err)
		}
	}
	return s, nil
}

// StateName spells out a process state letter (fs/proc/array.c task_state_array).
func StateName(state byte) string {
	switch state {
	case 'R':
		return "running"
	case 'S':
		return "sleeping"
	case 'D':
		return "disk sleep"
	case 'T':
		return "stopped"
	case 't':
		return "tracing stop"
	case 'X':
		return "dead"
	case 'Z':
		return "zombie"
	case 'P':
		return "parked"
	case 'I':
		return "idle"
	}
	return "unknown"
}

// Status is the part of /proc/<pid>/status this lab decodes. Uid and Gid hold the real,
// effective, saved and filesystem ids in that order (the kernel's column order).
type Status struct {
	Name       string
	State      byte
	Tgid       int
	Pid        int
	PPid       int
	TracerPid  int
	Uid, Gid   [4]int
	Groups     []int
	Threads    int
	SigQ       string
	SigPnd     uint64 // pending for this thread
	ShdPnd     uint64 // pending for the whole thread group
	SigBlk     uint64 // blocked by this thread
	SigIgn     uint64 // ignored (process-wide: the handler table is shared)
	SigCgt     uint64 // caught (process-wide)
	CapInh     uint64
	CapPrm     uint64
	CapEff     uint64
	CapBnd     uint64
	CapAmb     uint64
	NoNewPrivs int
	Seccomp    int
	VmRSSKiB   int
}

// ParseStatus parses /proc/<pid>/status. Unknown keys are skipped: the file grows with kernels.
func ParseStatus(data []byte) (Status, error) {
	var s Status
	for line := range strings.Lines(string(data)) {
		key, raw, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		if !ok {
			continue
		}
		val := strings.TrimSpace(raw)
		var err error
		switch key {
		case "Name":
			// proc_task_name (fs/proc/array.c) prints "Name:\t" and the name with only '\n'
			// and '\\' escaped (seq_escape_str(..., "\n\\")): blanks at either end are part
			// of it.
			s.Name = nameUnescaper.Replace(strings.TrimPrefix(raw, "\t"))
		case "State":
			if val == "" {
				return s, fmt.Errorf("status: empty State")
			}
			s.State = val[0]
		case "Tgid":
			s.Tgid, err = strconv.Atoi(val)
		case "Pid":
			s.Pid, err = strconv.Atoi(val)
		case "PPid":
			s.PPid, err = strconv.Atoi(val)
		case "TracerPid":
			s.TracerPid, err = strconv.Atoi(val)
		case "Uid":
			err = parseIDs(val, &s.Uid)
		case "Gid":
			err = parseIDs(val, &s.Gid)
		case "Groups":
			for _, g := range strings.Fields(val) {
				n, gerr := strconv.Atoi(g)
				if gerr != nil {
					err = gerr
					break
				}
				s.Groups = append(s.Groups, n)
			}
		case "Threads":
			s.Threads, err = strconv.Atoi(val)
		case "SigQ":
			s.SigQ = val
		case "SigPnd":
			s.SigPnd, err = strconv.ParseUint(val, 16, 64)
		case "ShdPnd":
			s.ShdPnd, err = strconv.ParseUint(val, 16, 64)
		case "SigBlk":
			s.SigBlk, err = strconv.ParseUint(val, 16, 64)
		case "SigIgn":
			s.SigIgn, err = strconv.ParseUint(val, 16, 64)
		case "SigCgt":
			s.SigCgt, err = strconv.ParseUint(val, 16, 64)
		case "CapInh":
			s.CapInh, err = strconv.ParseUint(val, 16, 64)
		case "CapPrm":
			s.CapPrm, err = strconv.ParseUint(val, 16, 64)
		case "CapEff":
			s.CapEff, err = strconv.ParseUint(val, 16, 64)
		case "CapBnd":
			s.CapBnd, err = strconv.ParseUint(val, 16, 64)
		case "CapAmb":
			s.CapAmb, err = strconv.ParseUint(val, 16, 64)
		case "NoNewPrivs":
			s.NoNewPrivs, err = strconv.Atoi(val)
		case "Seccomp":
			s.Seccomp, err = strconv.Atoi(val)
		case "VmRSS":
			s.VmRSSKiB, err = strconv.Atoi(strings.TrimSuffix(val, " kB"))
		}
		if err != nil {
			return s, fmt.Errorf("status: %s: %w", key, err)
		}
	}
	if s.Pid == 0 {
		return s, fmt.Errorf("status: no Pid line")
	}
	return s, nil
}

// nameUnescaper undoes proc_task_name's escapes.
var nameUnescaper = strings.NewReplacer(`\n`, "\n", `\\`, `\`)

func parseIDs(val string, dst *[4]int) error {
	f := strings.Fields(val)
	if len(f) != 4 {
		return fmt.Errorf("%d ids, want 4 (real effective saved fs)", len(f))
	}
	for i := range f {
		n, err := strconv.Atoi(f[i])
		if err != nil {
			return err
		}
		dst[i] = n
	}
	return nil
}

// Unlimited is how a Limit records RLIM_INFINITY.
const Unlimited = ^uint64(0)

// Limit is one row of /proc/<pid>/limits.
type Limit struct {
	Name       string // "Max processes"
	Soft, Hard uint64 // Unlimited for "unlimited"
	Units      string // "processes", "bytes", ... (empty for the nice/rtprio rows)
}

// FormatValue prints a limit value as /proc does.
func FormatValue(v uint64) string {
	if v == Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// ParseLimits parses /proc/<pid>/limits. The file is fixed-width columns
// (fs/proc/base.c proc_pid_limits: "%-25s %-20s %-20s %-10s"); the limit names contain spaces,
// so the columns are cut at the offsets of the header's titles rather than split on blanks.
func ParseLimits(data []byte) ([]Limit, error) {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) < 2 {
		return nil, fmt.Errorf("limits: %d lines", len(lines))
	}
	head := lines[0]
	softAt, hardAt, unitsAt := strings.Index(head, "Soft Limit"), strings.Index(head, "Hard Limit"), strings.Index(head, "Units")
	if softAt <= 0 || hardAt <= softAt || unitsAt <= hardAt {
		return nil, fmt.Errorf("limits: unexpected header %q", head)
	}
	var out []Limit
	for _, line := range lines[1:] {
		if len(line) < hardAt {
			return nil, fmt.Errorf("limits: short line %q", line)
		}
		l := Limit{Name: strings.TrimSpace(line[:softAt])}
		var err error
		if l.Soft, err = parseLimitValue(line[softAt:hardAt]); err != nil {
			return nil, fmt.Errorf("limits: %s: soft: %w", l.Name, err)
		}
		hard := line[hardAt:]
		if len(line) > unitsAt {
			hard, l.Units = line[hardAt:unitsAt], strings.TrimSpace(line[unitsAt:])
		}
		if l.Hard, err = parseLimitValue(hard); err != nil {
			return nil, fmt.Errorf("limits: %s: hard: %w", l.Name, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func parseLimitValue(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "unlimited" {
		return Unlimited, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

// FindLimit returns the row called name ("Max processes", "Max stack size").
func FindLimit(limits []Limit, name string) (Limit, bool) {
	for _, l := range limits {
		if l.Name == name {
			return l, true
		}
	}
	return Limit{}, false
}

func truncate(b []byte) []byte {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}
