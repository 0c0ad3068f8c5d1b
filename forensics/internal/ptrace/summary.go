package ptrace

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Summary counts completed syscalls by name, the way strace -c does: a syscall is counted when
// its exit is seen, so exit and exit_group (which never return) and calls cut short by the death
// of the process are not counted; execve is counted once, at its exit in the new image; a call
// interrupted by a signal (-ERESTARTSYS and friends) is counted with an error, and its restart is
// a call of its own.
type Summary struct {
	rows map[string]*summaryRow
}

type summaryRow struct {
	name   string
	calls  uint64
	errors uint64
	time   time.Duration
}

// NewSummary returns an empty Summary.
func NewSummary() *Summary { return &Summary{rows: map[string]*summaryRow{}} }

// Add records one completed call.
func (s *Summary) Add(name string, failed bool, d time.Duration) {
	r := s.rows[name]
	if r == nil {
		r = &summaryRow{name: name}
		s.rows[name] = r
	}
	r.calls++
	if failed {
		r.errors++
	}
	if d > 0 {
		r.time += d
	}
}

// WriteTable prints the table in strace -c's layout: % time, seconds, usecs/call, calls, errors,
// syscall, sorted by time (then calls, then name), with a total line.
func (s *Summary) WriteTable(w io.Writer) error {
	rows := make([]*summaryRow, 0, len(s.rows))
	var total summaryRow
	total.name = "total"
	for _, r := range s.rows {
		rows = append(rows, r)
		total.calls += r.calls
		total.errors += r.errors
		total.time += r.time
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.time != b.time {
			return a.time > b.time
		}
		if a.calls != b.calls {
			return a.calls > b.calls
		}
		return a.name < b.name
	})
	var b strings.Builder
	const rule = "------ ----------- ----------- --------- --------- ----------------\n"
	fmt.Fprintf(&b, "%6.6s %11.11s %11.11s %9.9s %9.9s %s\n", "% time", "seconds", "usecs/call", "calls", "errors", "syscall")
	b.WriteString(rule)
	line := func(r *summaryRow) {
		pct := 0.0
		if total.time > 0 {
			pct = 100 * float64(r.time) / float64(total.time)
		} else if r == &total {
			pct = 100
		}
		var per uint64
		if r.calls > 0 {
			per = uint64(r.time/time.Microsecond) / r.calls
		}
		errs := ""
		if r.errors > 0 {
			errs = fmt.Sprint(r.errors)
		}
		fmt.Fprintf(&b, "%6.2f %11.6f %11d %9d %9s %s\n", pct, r.time.Seconds(), per, r.calls, errs, r.name)
	}
	for _, r := range rows {
		line(r)
	}
	b.WriteString(rule)
	line(&total)
	_, err := io.WriteString(w, b.String())
	return err
}
