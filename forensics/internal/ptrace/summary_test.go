package ptrace

import (
	"strings"
	"testing"
	"time"
)

// TestSummaryLayout checks WriteTable against strace's layout, byte for byte (TestTraceCountsMatchStrace
// compares the counts with a real strace -c).
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
}
