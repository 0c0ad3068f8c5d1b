package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"kernel-foundations/vfs-explorer/internal/workload"
)

// bpfPrintfComm is bpftrace's "%-16s" of a task's comm: C's printf pads by bytes, and a comm
// is at most 15 bytes (TASK_COMM_LEN 16 with its NUL), so the column is always 16 bytes.
func bpfPrintfComm(comm string) string {
	return comm + strings.Repeat(" ", 16-len(comm))
}

// fuzzComm makes a comm the kernel could hold from the fuzzer's bytes: at most 15, no NUL, and
// no newline (which would split bpftrace's output line anyway). It also returns what a parser
// can know of it: blanks at its end cannot be told from the column's padding.
func fuzzComm(b []byte) (comm, seen string) {
	c, _, _ := bytes.Cut(b, []byte{0})
	c = bytes.ReplaceAll(c, []byte("\n"), []byte("?"))
	comm = string(c[:min(len(c), 15)])
	return comm, strings.TrimRight(comm, " ")
}

var hostileComms = []string{"cat", "a b", "x 3 0 40 y", "1 2 3 f /p", "  ", "", "5.123 q", "é日本", "fifteen-chars-x"}

// FuzzOpensnoopLine renders opensnoop events as the recipe's printf does ("%-7d %-16s %4d %3d
// %8x %s\n") with the fuzzer's command name and path, and wants every field back from
// parseOpensnoop: the command name is any 15 bytes, spaces and digits included.
func FuzzOpensnoopLine(f *testing.F) {
	for i, c := range hostileComms {
		f.Add(int32(1000+i), []byte(c), int32(3), uint64(0x80000), "/etc/hostname")
		f.Add(int32(i), []byte(c), int32(-2), uint64(0x241), " lead 7 0 40 x")
	}
	f.Fuzz(func(t *testing.T, pid int32, comm []byte, ret int32, flags uint64, path string) {
		if pid < 0 || strings.Contains(path, "\n") {
			t.Skip() // a pid is positive; a path with a newline is two output lines
		}
		c, seen := fuzzComm(comm)
		want := openEvent{pid: int(pid), comm: seen, fd: int(ret), flags: flags, path: path}
		if ret < 0 {
			want.fd, want.errno = -1, -int(ret)
		}
		line := fmt.Sprintf("%-7d %s %4d %3d %8x %s", want.pid, bpfPrintfComm(c), want.fd, want.errno, want.flags, want.path)
		header := fmt.Sprintf("%-7s %-16s %4s %3s %8s %s", "PID", "COMM", "FD", "ERR", "FLAGS", "PATH")
		got := parseOpensnoop([]string{"Attaching 13 probes...", header, line})
		if len(got) != 1 || got[0] != want {
			t.Fatalf("parseOpensnoop(%q) = %+v, want %+v", line, got, want)
		}
	})
}

// FuzzFilelifeLine does the same for filelife's "%-7d %-16s %6d.%03d %s\n".
func FuzzFilelifeLine(f *testing.F) {
	for i, c := range hostileComms {
		f.Add(int32(1000+i), []byte(c), uint32(123456), "/tmp/f-0")
		f.Add(int32(i), []byte(c), uint32(7), "1.234 x")
	}
	f.Fuzz(func(t *testing.T, pid int32, comm []byte, ageUs uint32, path string) {
		if pid < 0 || strings.Contains(path, "\n") {
			t.Skip()
		}
		c, seen := fuzzComm(comm)
		want := lifeEvent{pid: int(pid), comm: seen, ageUs: int64(ageUs), path: path}
		line := fmt.Sprintf("%-7d %s %6d.%03d %s", want.pid, bpfPrintfComm(c), ageUs/1000, ageUs%1000, path)
		header := fmt.Sprintf("%-7s %-16s %10s %s", "PID", "COMM", "AGE_MS", "PATH")
		got := parseFilelife([]string{header, line})
		if len(got) != 1 || got[0] != want {
			t.Fatalf("parseFilelife(%q) = %+v, want %+v", line, got, want)
		}
	})
}

// FuzzBpftraceMaps prints maps and histograms as bpftrace -f json does, one event per line,
// the same map twice with different values (an interval print, then the one at exit), and
// wants parseBpftraceJSON to give back the last printing of each, and every printing in order.
func FuzzBpftraceMaps(f *testing.F) {
	f.Add("@reads", "vfsx,27737,819227,f-1", int64(69632), int64(-1), "@sync_us", "fsync", int64(256), int64(511), int64(2))
	f.Add("@", "", int64(0), int64(1<<62), "@h", "", int64(-5), int64(-5), int64(0))
	f.Add("@x\"y", "k\\e\ny\u2028", int64(-1<<63), int64(3), "@h", "a,b", int64(1), int64(0), int64(9))
	f.Fuzz(func(t *testing.T, mapName, key string, v1, v2 int64, histName, histKey string, lo, hi, count int64) {
		ev := func(typ string, data any) string {
			b, err := json.Marshal(map[string]any{"type": typ, "data": data})
			if err != nil {
				t.Skip() // not valid UTF-8: encoding/json would replace bytes, bpftrace never prints such a key
			}
			return string(b)
		}
		if !utf8Valid(mapName, key, histName, histKey) {
			t.Skip()
		}
		buckets := []bucket{{Min: lo, Max: hi, Count: count}, {Min: hi, Max: hi + 1, Count: v1}}
		stream := strings.Join([]string{
			ev("attached_probes", map[string]int{"probes": 3}),
			ev("printf", "header\n"),
			ev("map", map[string]map[string]int64{mapName: {key: v1}}),
			ev("map", map[string]map[string]int64{mapName: {key: v2, key + "2": v1}}),
			ev("map", map[string]int64{"@scalar" + mapName: v2}),
			ev("hist", map[string]map[string][]bucket{histName: {histKey: buckets}}),
			ev("lhist", map[string][]bucket{"@plain" + histName: buckets}),
			ev("time", "00:26:43\n"),
		}, "\n") + "\n"
		o, err := parseBpftraceJSON(strings.NewReader(stream))
		if err != nil {
			t.Fatalf("parseBpftraceJSON: %v\n%s", err, stream)
		}
		want := btOutput{
			Lines: []string{"header"},
			Maps: map[string]map[string]int64{mapName: {key: v2, key + "2": v1},
				"@scalar" + mapName: {"": v2}},
			Hists: map[string]map[string][]bucket{histName: {histKey: buckets}, "@plain" + histName: {"": buckets}},
			Prints: map[string][]map[string]int64{mapName: {{key: v1}, {key: v2, key + "2": v1}},
				"@scalar" + mapName: {{"": v2}}},
		}
		if mapName == "@scalar"+mapName || histName == "@plain"+histName {
			t.Skip()
		}
		if !reflect.DeepEqual(o, want) {
			t.Fatalf("parseBpftraceJSON of\n%s\n = %+v\nwant %+v", stream, o, want)
		}
		for _, bs := range o.Hists[histName] {
			if histTotal(bs) != count+v1 {
				t.Fatalf("histTotal(%+v) = %d, want %d", bs, histTotal(bs), count+v1)
			}
		}
	})
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// FuzzBpftraceJSON gives parseBpftraceJSON arbitrary streams. It must never panic; a stream it
// accepts must have no newline inside a line, each map's last printing as its value, and must
// come back the same when its maps and histograms are printed again and parsed. check's
// figures, of every recipe in both families, must never panic on it either.
func FuzzBpftraceJSON(f *testing.F) {
	for _, name := range []string{"vfsstat", "opensnoop", "filetop", "rwlat", "filelife", "writeback"} {
		b, err := os.ReadFile("testdata/check/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	b, err := os.ReadFile("testdata/check/filetop.workload.json")
	if err != nil {
		f.Fatal(err)
	}
	var w workload.Counts
	if err := json.Unmarshal(b, &w); err != nil {
		f.Fatal(err)
	}
	rs, err := recipes(Tracepoint)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"type": "map", "data": {"@a": 1}}` + "\n" + `{"type": "hist", "data": {"@h": [{"min": 0, "max": 1, "count": 2}]}}`))
	f.Add([]byte(`{"type": "printf", "data": "a\nb\n\nc"}`))
	f.Fuzz(func(t *testing.T, stream []byte) {
		o, err := parseBpftraceJSON(bytes.NewReader(stream))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for _, l := range o.Lines {
			if strings.Contains(l, "\n") {
				t.Fatalf("line %q holds a newline", l)
			}
		}
		for name, prints := range o.Prints {
			if len(prints) == 0 || !reflect.DeepEqual(prints[len(prints)-1], o.Maps[name]) {
				t.Fatalf("%s: last printing %+v, value %+v", name, prints, o.Maps[name])
			}
		}
		for _, r := range rs {
			for _, fam := range []Family{Tracepoint, Kprobe} {
				figuresFor(r.Name, fam, o, w)
			}
		}
		var again bytes.Buffer
		for name, m := range o.Maps {
			b, _ := json.Marshal(map[string]any{"type": "map", "data": map[string]any{name: m}})
			again.Write(append(b, '\n'))
		}
		for name, h := range o.Hists {
			b, _ := json.Marshal(map[string]any{"type": "hist", "data": map[string]any{name: h}})
			again.Write(append(b, '\n'))
		}
		o2, err := parseBpftraceJSON(&again)
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, again.Bytes())
		}
		if !reflect.DeepEqual(o2.Maps, o.Maps) || !reflect.DeepEqual(o2.Hists, o.Hists) {
			t.Fatalf("reprinted maps or histograms differ:\n%+v\n%+v\nfrom %q", o2, o, stream)
		}
	})
}

// FuzzSqueezeWriter writes the fuzzer's text in the fuzzer's pieces and wants what the whole
// text gives with every run of three or more newlines cut to two, and each Write to report
// its whole length.
func FuzzSqueezeWriter(f *testing.F) {
	f.Add([]byte("a\n\n\n\n\nb\n\n\n"), []byte{1, 2, 3})
	f.Add([]byte("\n\n\n"), []byte{0})
	f.Add([]byte("x\n\ny\n\n\n\nz"), []byte{5, 1, 1, 1})
	runs := regexp.MustCompile("\n{3,}")
	f.Fuzz(func(t *testing.T, text, cuts []byte) {
		var sb strings.Builder
		w := &squeezeWriter{w: &sb}
		rest := text
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(cuts) {
				n = min(n, int(cuts[i]))
			}
			if got, err := w.Write(rest[:n]); got != n || err != nil {
				t.Fatalf("Write(%q) = %d, %v", rest[:n], got, err)
			}
			rest = rest[n:]
		}
		if want := runs.ReplaceAllString(string(text), "\n\n"); sb.String() != want {
			t.Fatalf("squeeze(%q) in pieces %v = %q, want %q", text, cuts, sb.String(), want)
		}
	})
}
