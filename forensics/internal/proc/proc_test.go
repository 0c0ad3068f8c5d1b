package proc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestSignalNames(t *testing.T) {
	tests := []struct {
		name string
		set  uint64
		want []string
	}{
		{"none", 0, nil},
		// A Go program's SigCgt always includes SIGURG (preemption) and SIGCHLD.
		{"usr1 usr2", 0x0000000000000a00, []string{"SIGUSR1", "SIGUSR2"}},
		{"bit 0 is signal 1", 0x1, []string{"SIGHUP"}},
		{"rt", 1 << 35, []string{"SIGRTMIN+2"}},
		{"all high", 1 << 63, []string{"SIGRTMAX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SignalNames(tt.set); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SignalNames(%#x) = %q, want %q", tt.set, got, tt.want)
			}
		})
	}
}

func TestDescribeSignals(t *testing.T) {
	tests := []struct {
		set  uint64
		want string
	}{
		{0, "none"},
		{0xa00, "SIGUSR1 SIGUSR2"},
		{^uint64(0), "all 64"},
		// SigCgt of a Go 1.26 program: every signal but SIGKILL, SIGSTOP, SIG32 and a few more.
		{0xfffffffd7fc1feff, "all 64 except SIGKILL SIGCONT SIGSTOP SIGTSTP SIGTTIN SIGTTOU SIG32 SIGRTMIN"},
	}
	for _, tt := range tests {
		if got := DescribeSignals(tt.set); got != tt.want {
			t.Errorf("DescribeSignals(%#x) = %q, want %q", tt.set, got, tt.want)
		}
	}
}

func TestDescribeCaps(t *testing.T) {
	tests := []struct {
		name string
		set  uint64
		want string
	}{
		{"none", 0, "none"},
		{"all", 0x000001ffffffffff, "all 41"},
		// root on the course VM: CAP_SYS_RESOURCE (24) is missing from the bounding set.
		{"all but one", 0x000001fffeffffff, "all 41 except cap_sys_resource"},
		{"few", 1<<10 | 1<<13, "cap_net_bind_service cap_net_raw"},
		{"future bit", 0x000003ffffffffff, "all 41 + cap_41"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeCaps(tt.set); got != tt.want {
				t.Errorf("DescribeCaps(%#x) = %q, want %q", tt.set, got, tt.want)
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Stat
		wantErr bool
	}{
		{
			name: "comm with spaces and parens",
			line: "4242 (a (b) c) Z 17 4242 8110 0 -1 4227084 98 0 1 0 250 50 0 0 20 0 3 0 56417 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
			want: Stat{PID: 4242, Comm: "a (b) c", State: 'Z', PPID: 17, PGRP: 4242, Session: 8110, UTime: 250, STime: 50, NumThreads: 3, StartTime: 56417, Processor: 1},
		},
		{name: "no comm", line: "12 S 1", wantErr: true},
		{name: "truncated", line: "12 (x) S 1 2 3", wantErr: true},
		{name: "bad state", line: "12 (x) SS 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat([]byte(tt.line))
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseStat(%q) error = %v, wantErr %v", tt.line, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseStat(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}
	if got := (Stat{UTime: 250, STime: 50}).CPUSeconds(); got != 3 {
		t.Errorf("CPUSeconds() = %v, want 3", got)
	}
}

func TestParseLimits(t *testing.T) {
	data := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max stack size            8388608              unlimited            bytes     \n" +
		"Max processes             96365                96365                processes \n" +
		"Max nice priority         0                    0                    \n"
	got, err := ParseLimits([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Limit{
		{"Max stack size", 8388608, Unlimited, "bytes"},
		{"Max processes", 96365, 96365, "processes"},
		{"Max nice priority", 0, 0, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseLimits = %+v, want %+v", got, want)
	}
	if _, err := ParseLimits([]byte("Max processes 1 1\n")); err == nil {
		t.Errorf("ParseLimits without a header: no error")
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"no pid", "Name:\tx\n"},
		{"bad uid", "Pid:\t1\nUid:\t0 0 0\n"},
		{"bad mask", "Pid:\t1\nSigBlk:\tzz\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseStatus([]byte(tt.data)); err == nil {
				t.Errorf("ParseStatus(%q): no error", tt.data)
			}
		})
	}
}

// TestFormatGolden renders fixtures copied from live processes on the course VM (the copy
// command is in testdata/README) and compares with testdata/<name>.golden.
func TestFormatGolden(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join("testdata", name)
			pidText, err := os.ReadFile(filepath.Join(root, "PID"))
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(string(bytes.TrimSpace(pidText)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Read(root, pid)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Format(&buf, p); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("Format(%s) differs from %s (run go test -update to accept):\n%s", root, golden, buf.Bytes())
			}
		})
	}
}

func fixtureNames(t *testing.T) []string {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "fuzz" { // testdata/fuzz is the fuzz targets' corpus
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	return names
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"bash":        "bash",
		"kworker/0:1": "kworker/0:1",
		"é名":          "é名",
		"a\nb":        `a\nb`,
		"tab\there":   `tab\there`,
		"esc\x1b[2J":  `esc\x1b[2J`,
		`back\slash`:  `back\\slash`,
		"bad\xffutf8": `bad\xffutf8`,
		"del\x7f":     `del\x7f`,
		"":            "",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
