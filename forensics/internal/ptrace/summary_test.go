package ptrace

import (
	"strings"
	"testing"
	"time"
)

// straceTable is strace 6.1's -c output (abridged) for the forking workload of the trace tests.
const straceTable = `ls: cannot access '/nonexistent': No such file or directory
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 67.26    0.007638         545        14         7 wait4
 10.35    0.001175           8       143        58 openat
  5.18    0.000588           4       128           mmap
  0.00    0.000000           0         8           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.011356          15       293        65 total
`

func TestParseStraceTable(t *testing.T) {
	got, err := ParseTable(straceTable)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]uint64{"wait4": {14, 7}, "openat": {143, 58}, "mmap": {128, 0}, "execve": {8, 0}}
	if len(got) != len(want) {
		t.Errorf("ParseTable: %d rows, want %d: %v", len(got), len(want), got)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("ParseTable: %s = %v, want %v", name, got[name], w)
		}
	}
	if _, err := ParseTable("no table here\n"); err == nil {
		t.Error("ParseTable accepted text without a header")
	}
}

// TestSummaryLayout checks WriteTable against strace's layout, byte for byte, and that it parses
// back.
func TestSummaryLayout(t *testing.T) {
	s := NewSummary()
	for i := 0; i < 14; i++ {
		s.Add("wait4", i%2 == 0, 545*time.Microsecond)
	}
	for i := 0; i < 8; i++ {
		s.Add("execve", false, 0)
	}
	var b strings.Builder
	if err := s.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.007630         545        14         7 wait4
  0.00    0.000000           0         8           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.007630         346        22         7 total
`
	if b.String() != want {
		t.Errorf("WriteTable:\n%s\nwant:\n%s", b.String(), want)
	}
	back, err := ParseTable(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if back["wait4"] != [2]uint64{14, 7} || back["execve"] != [2]uint64{8, 0} {
		t.Errorf("round trip: %v", back)
	}
}
