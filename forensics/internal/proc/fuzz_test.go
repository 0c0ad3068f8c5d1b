package proc

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setThreadComm names the calling thread through /proc/thread-self/comm, the way prctl
// (PR_SET_NAME) and pthread_setname_np do, and returns the name the kernel keeps: at most 15
// bytes, cut at a NUL, read back from the comm file. The caller holds the thread locked.
func setThreadComm(t *testing.T, comm []byte) string {
	t.Helper()
	if err := os.WriteFile("/proc/thread-self/comm", comm, 0); err != nil {
		t.Fatalf("write comm %q: %v", comm, err)
	}
	b, err := os.ReadFile("/proc/thread-self/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n") // proc_comm_show: "%s\n"
}

// onRenamedThread runs f on a locked thread named comm, and gives the thread its name back.
func onRenamedThread(t *testing.T, comm []byte, f func(kept string)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := os.ReadFile("/proc/thread-self/comm")
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile("/proc/thread-self/comm", bytes.TrimSuffix(old, []byte("\n")), 0)
	f(setThreadComm(t, comm))
}

var hostileComms = []string{"a b", " lead", "trail ", "\ttab", "x) S 1 2 3 (y", "((", "))", ")", "a\nb",
	"back\\slash", "\\n", "Name:\tevil", "\x01\x7f\xff", "é日本", "", "fifteen-chars-x", "sixteen-chars-xy"}

// FuzzStatus names a thread with the fuzzer's bytes and parses the kernel's own
// /proc/thread-self/status: it must parse, Name must be the name the kernel keeps (status
// escapes '\n' and '\\' in it, fs/proc/array.c proc_task_name), and Pid and Tgid must be this
// thread's and this process's. Arbitrary status text must never make ParseStatus panic.
func FuzzStatus(f *testing.F) {
	for _, c := range hostileComms {
		f.Add([]byte(c), "Name:\t"+c+"\nPid:\t1\n")
	}
	f.Fuzz(func(t *testing.T, comm []byte, text string) {
		ParseStatus([]byte(text))
		onRenamedThread(t, comm, func(kept string) {
			b, err := os.ReadFile("/proc/thread-self/status")
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseStatus(b)
			if err != nil {
				t.Fatalf("comm %q: %v\n%s", kept, err, b)
			}
			if s.Name != kept {
				t.Errorf("comm %q: Name %q, from the line %q", kept, s.Name, firstLine(b))
			}
			if s.Pid != unix.Gettid() || s.Tgid != os.Getpid() {
				t.Errorf("comm %q: Pid %d Tgid %d, want %d %d", kept, s.Pid, s.Tgid, unix.Gettid(), os.Getpid())
			}
		})
	})
}

func firstLine(b []byte) []byte {
	l, _, _ := bytes.Cut(b, []byte("\n"))
	return l
}

// FuzzStat checks ParseStat twice. On the kernel's own /proc/thread-self/stat of a thread named
// with the fuzzer's bytes (stat prints the name raw, parentheses, blanks and newlines
// included): Comm is the kept name, PID the thread's id. On a stat line rendered as
// fs/proc/array.c do_task_stat prints one, with the fuzzer's name and numbers: every field
// comes back as it went in.
func FuzzStat(f *testing.F) {
	for i, c := range hostileComms {
		f.Add([]byte(c), int32(i+1), uint64(i)<<40, uint64(7), int32(-i))
	}
	f.Fuzz(func(t *testing.T, comm []byte, pid int32, utime, stime uint64, processor int32) {
		onRenamedThread(t, comm, func(kept string) {
			b, err := os.ReadFile("/proc/thread-self/stat")
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseStat(b)
			if err != nil {
				t.Fatalf("comm %q: %v\n%q", kept, err, b)
			}
			if s.Comm != kept || s.PID != unix.Gettid() {
				t.Errorf("comm %q: ParseStat of %q = PID %d Comm %q, want %d %q", kept, b, s.PID, s.Comm, unix.Gettid(), kept)
			}
		})
		want := Stat{PID: int(pid), Comm: string(comm), State: "RSDZTtXIP"[uint64(utime)%9], PPID: int(pid) / 2,
			PGRP: int(processor), Session: -int(pid), UTime: utime, STime: stime, NumThreads: int(processor) ^ 5,
			StartTime: utime ^ stime, Processor: int(processor)}
		if bytes.IndexByte(comm, 0) >= 0 || len(comm) > 64 {
			return // the kernel prints at most 64 bytes of a C string
		}
		// do_task_stat: "%d (%s) %c", then fields 4 to 52, each " %d" or " %lu", then "\n".
		var line strings.Builder
		fmt.Fprintf(&line, "%d (%s) %c", want.PID, want.Comm, want.State)
		for field := 4; field <= 52; field++ {
			v := fmt.Sprint(field * 1000)
			switch field {
			case 4:
				v = fmt.Sprint(want.PPID)
			case 5:
				v = fmt.Sprint(want.PGRP)
			case 6:
				v = fmt.Sprint(want.Session)
			case 14:
				v = fmt.Sprint(want.UTime)
			case 15:
				v = fmt.Sprint(want.STime)
			case 20:
				v = fmt.Sprint(want.NumThreads)
			case 22:
				v = fmt.Sprint(want.StartTime)
			case 39:
				v = fmt.Sprint(want.Processor)
			}
			line.WriteString(" " + v)
		}
		line.WriteString("\n")
		got, err := ParseStat([]byte(line.String()))
		if err != nil || got != want {
			t.Errorf("ParseStat(%q) = %+v, %v; want %+v", line.String(), got, err, want)
		}
	})
}

// limitRows are the rows of /proc/<pid>/limits in the kernel's order with their units
// (fs/proc/base.c lnames).
var limitRows = []struct{ name, unit string }{
	{"Max cpu time", "seconds"}, {"Max file size", "bytes"}, {"Max data size", "bytes"},
	{"Max stack size", "bytes"}, {"Max core file size", "bytes"}, {"Max resident set", "bytes"},
	{"Max processes", "processes"}, {"Max open files", "files"}, {"Max locked memory", "bytes"},
	{"Max address space", "bytes"}, {"Max file locks", "locks"}, {"Max pending signals", "signals"},
	{"Max msgqueue size", "bytes"}, {"Max nice priority", ""}, {"Max realtime priority", ""},
	{"Max realtime timeout", "us"},
}

// FuzzLimits renders /proc/<pid>/limits as proc_pid_limits does, with the fuzzer's values
// (all-ones is RLIM_INFINITY, "unlimited"), and wants every row back: name, soft, hard, units.
// Arbitrary text must never make ParseLimits panic.
func FuzzLimits(f *testing.F) {
	f.Add(uint64(1024), uint64(4096), uint8(7), "Limit Soft Limit Hard Limit Units\nx 1 2 y\n")
	f.Add(Unlimited, Unlimited-1, uint8(3), "")
	f.Add(uint64(0), Unlimited, uint8(13), "Limit                     Soft Limit           Hard Limit           Units\nMax")
	f.Fuzz(func(t *testing.T, soft, hard uint64, row uint8, text string) {
		ParseLimits([]byte(text))
		var b strings.Builder
		fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
		var want []Limit
		for i, r := range limitRows {
			l := Limit{Name: r.name, Soft: uint64(i) << 20, Hard: Unlimited, Units: r.unit}
			if i == int(row)%len(limitRows) {
				l.Soft, l.Hard = soft, hard
			}
			fmt.Fprintf(&b, "%-25s %-20s %-20s ", l.Name, FormatValue(l.Soft), FormatValue(l.Hard))
			if l.Units != "" {
				fmt.Fprintf(&b, "%-10s", l.Units)
			}
			b.WriteString("\n")
			want = append(want, l)
		}
		got, err := ParseLimits([]byte(b.String()))
		if err != nil {
			t.Fatalf("ParseLimits: %v\n%s", err, b.String())
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ParseLimits(%q)\n = %+v\nwant %+v", b.String(), got, want)
		}
	})
}
