package proc

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format writes the inspect report for p: identity, threads (TID against TGID), credentials,
// capabilities, signal sets per thread, OOM, limits and the parent chain.
func Format(w io.Writer, p *Process) error {
	bw := bufio.NewWriter(w)
	st := p.Status
	fmt.Fprintf(bw, "process %d (%s)  state %c (%s)  TGID %d  PPID %d  PGRP %d  SID %d\n",
		p.PID, Printable(st.Name), p.Stat.State, StateName(p.Stat.State), st.Tgid, st.PPid, p.Stat.PGRP, p.Stat.Session)
	if len(p.Cmdline) > 0 {
		args := make([]string, len(p.Cmdline))
		for i, a := range p.Cmdline {
			args[i] = Printable(a)
		}
		fmt.Fprintf(bw, "  cmdline     %s\n", strings.Join(args, " "))
	}
	fmt.Fprintf(bw, "  cpu         %.2fs user+system  RSS %d KiB  tracer %d\n", p.Stat.CPUSeconds(), st.VmRSSKiB, st.TracerPid)

	fmt.Fprintf(bw, "\nthreads (%d): every TID is a task; the TGID is the pid the process is known by\n", len(p.Threads))
	fmt.Fprintf(bw, "  %-8s %-8s %-5s %-16s %s\n", "TID", "TGID", "STATE", "COMM", "ROLE")
	for _, t := range p.Threads {
		role := "thread"
		if t.TID == t.Status.Tgid {
			role = "leader (TID == TGID)"
		}
		fmt.Fprintf(bw, "  %-8d %-8d %-5c %-16s %s\n", t.TID, t.Status.Tgid, t.Stat.State, Printable(t.Stat.Comm), role)
	}

	fmt.Fprintf(bw, "\ncredentials     real   effective  saved  fs\n")
	fmt.Fprintf(bw, "  uid        %8d %10d %6d %4d\n", st.Uid[0], st.Uid[1], st.Uid[2], st.Uid[3])
	fmt.Fprintf(bw, "  gid        %8d %10d %6d %4d\n", st.Gid[0], st.Gid[1], st.Gid[2], st.Gid[3])
	groups := make([]string, len(st.Groups))
	for i, g := range st.Groups {
		groups[i] = strconv.Itoa(g)
	}
	if len(groups) == 0 {
		groups = []string{"none"}
	}
	fmt.Fprintf(bw, "  groups     %s\n", strings.Join(groups, " "))
	fmt.Fprintf(bw, "  no_new_privs %d  seccomp %d\n", st.NoNewPrivs, st.Seccomp)

	fmt.Fprintf(bw, "\ncapabilities\n")
	for _, c := range []struct {
		name string
		set  uint64
	}{{"CapInh", st.CapInh}, {"CapPrm", st.CapPrm}, {"CapEff", st.CapEff}, {"CapBnd", st.CapBnd}, {"CapAmb", st.CapAmb}} {
		fmt.Fprintf(bw, "  %s %016x  %s\n", c.name, c.set, DescribeCaps(c.set))
	}

	fmt.Fprintf(bw, "\nsignals per thread (SigPnd and SigBlk belong to the thread; ShdPnd, SigIgn and SigCgt to the process)\n")
	for _, t := range p.Threads {
		ts := t.Status
		fmt.Fprintf(bw, "  thread %d\n", t.TID)
		for _, s := range []struct {
			name string
			set  uint64
		}{{"SigPnd", ts.SigPnd}, {"ShdPnd", ts.ShdPnd}, {"SigBlk", ts.SigBlk}, {"SigIgn", ts.SigIgn}, {"SigCgt", ts.SigCgt}} {
			fmt.Fprintf(bw, "    %s %016x  %s\n", s.name, s.set, DescribeSignals(s.set))
		}
	}

	fmt.Fprintf(bw, "\noom         score %d  score_adj %d\n", p.OOMScore, p.OOMScoreAdj)

	fmt.Fprintf(bw, "\nlimits\n  %-24s %-20s %-20s %s\n", "LIMIT", "SOFT", "HARD", "UNITS")
	for _, l := range p.Limits {
		fmt.Fprintln(bw, strings.TrimRight(fmt.Sprintf("  %-24s %-20s %-20s %s", l.Name, FormatValue(l.Soft), FormatValue(l.Hard), l.Units), " "))
	}

	chain := []string{fmt.Sprintf("%d %s", p.PID, Printable(p.Stat.Comm))}
	for _, a := range p.Parents {
		chain = append(chain, fmt.Sprintf("%d %s", a.PID, Printable(a.Comm)))
	}
	fmt.Fprintf(bw, "\nparent chain  %s\n", strings.Join(chain, " <- "))
	return bw.Flush()
}

// Printable returns s with its control characters and backslashes escaped as Go writes them
// (\n, \t, \x1b, \\), so that a name a process chose for itself (PR_SET_NAME, /proc/PID/comm, its
// argv) cannot break the report's lines or send escape sequences to a terminal. Anything else,
// UTF-8 included, is kept as it is.
func Printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' || r == utf8.RuneError }) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i]) // a byte that is not UTF-8
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
