package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// corpusEntry is one line of testdata/trace-corpus.txt.
type corpusEntry struct {
	floor, measured float64
	cmd             string
}

func readCorpus(t *testing.T, path string) (header []string, entries []corpusEntry) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ln := sc.Text()
		if strings.HasPrefix(ln, "#") || ln == "" {
			header = append(header, ln)
			continue
		}
		fl := strings.SplitN(ln, "\t", 3)
		if len(fl) != 3 {
			t.Fatalf("%s: bad line %q", path, ln)
		}
		floor, err1 := strconv.ParseFloat(fl[0], 64)
		measured, err2 := strconv.ParseFloat(fl[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad figures in %q", path, ln)
		}
		entries = append(entries, corpusEntry{floor, measured, fl[2]})
	}
	return header, entries
}

var (
	pidPrefixRE = regexp.MustCompile(`^(\d+) +`)
	getppidRE   = regexp.MustCompile(`^getppid\(\) += (\d+)$`)
	addrRE      = regexp.MustCompile(`0x[0-9a-f]+`)
	resumedRE   = regexp.MustCompile(`^<\.\.\. ([a-z0-9_]+) resumed>`)
)

// normalise turns a `-f -o FILE` trace into comparable lines: each "<unfinished ...>" line is
// rejoined with its "<... NAME resumed>" line, every pid (a line's prefix) becomes PID and every
// address ADDR, and the padding before " = " is collapsed.
func normalise(text string) []string {
	raw := strings.Split(strings.TrimRight(text, "\n"), "\n")
	pids := map[string]bool{}
	type ln struct{ pid, s string }
	var lines []ln
	for _, r := range raw {
		m := pidPrefixRE.FindStringSubmatch(r)
		if m == nil {
			lines = append(lines, ln{"", r})
			continue
		}
		pids[m[1]] = true
		lines = append(lines, ln{m[1], r[len(m[0]):]})
		if pp := getppidRE.FindStringSubmatch(r[len(m[0]):]); pp != nil {
			pids[pp[1]] = true // the tracer's pid, for the first process
		}
	}
	open := map[string]int{} // pid -> index of its unfinished line
	var out []string
	for _, l := range lines {
		s := l.s
		if strings.HasSuffix(s, " <unfinished ...>") {
			open[l.pid] = len(out)
			out = append(out, strings.TrimSuffix(s, " <unfinished ...>"))
			continue
		}
		if m := resumedRE.FindStringSubmatch(s); m != nil {
			if i, ok := open[l.pid]; ok {
				out[i] += s[len(m[0]):]
				delete(open, l.pid)
				continue
			}
		}
		out = append(out, s)
	}
	pidList := make([]string, 0, len(pids))
	for p := range pids {
		pidList = append(pidList, regexp.QuoteMeta(p))
	}
	// A pid is replaced where a pid stands, not wherever its digits appear: after a wrap pids
	// are small numbers, and 784 may be a pid of one trace and a read's length in both.
	var pidREs []*regexp.Regexp
	if len(pidList) > 0 {
		alt := `(` + strings.Join(pidList, "|") + `)\b`
		pidREs = []*regexp.Regexp{
			regexp.MustCompile(`(si_pid=|kill\(|tgkill\(|tkill\(|wait4\(|P_PID, |getpgid\(|setpgid\(|\[pid +|parent_tid=\[|execve in pid )` + alt),
			regexp.MustCompile(`(^(?:<\.\.\. )?(?:clone3?|v?fork|getp?pid|gettid|getppid|set_tid_address|wait4|rt_sigreturn)\b.*= )` + alt),
		}
	}
	for i, s := range out {
		s = addrRE.ReplaceAllString(s, "ADDR")
		for _, re := range pidREs {
			s = re.ReplaceAllString(s, "${1}PID")
		}
		s = strings.Join(strings.Fields(s), " ")
		out[i] = s
	}
	return out
}

// identical returns the share (percent) of want's lines that got has too, counting each line
// as often as it occurs (a multiset intersection: processes interleave differently run to run),
// over the longer of the two.
func identical(want, got []string) (float64, []string, []string) {
	count := map[string]int{}
	for _, s := range got {
		count[s]++
	}
	same := 0
	var missing []string
	for _, s := range want {
		if count[s] > 0 {
			count[s]--
			same++
		} else {
			missing = append(missing, s)
		}
	}
	var extra []string
	for _, s := range got {
		if count[s] > 0 {
			count[s]--
			extra = append(extra, s)
		}
	}
	n := max(len(want), len(got))
	if n == 0 {
		return 100, nil, nil
	}
	return 100 * float64(same) / float64(n), missing, extra
}

// traceBoth runs script under strace and forensics trace with the same options and returns
// both normalised traces.
func traceBoth(t *testing.T, stracePath string, opts []string, script string) (want, got []string) {
	t.Helper()
	// The command runs in a directory of its own; the traces and the command's output go to
	// another, so that neither tracer's files change what the other's command sees (a
	// directory's mtime).
	dir, outDir := t.TempDir(), t.TempDir()
	run := func(name string, argv ...string) []string {
		out := filepath.Join(outDir, name+".txt")
		argv = append(append(append(argv, opts...), "-o", out, "--"), "sh", "-c", script)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		// stdout and stderr: /dev/null, whose fstat and -y path are the same for both.
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return normalise(string(b))
	}
	return run("strace", stracePath), run("forensics", binPath, "trace")
}

// TestTraceCorpusMatchesStrace traces every command of testdata/trace-corpus.txt with strace -f
// and forensics trace -f and fails when the share of identical lines falls below the command's
// floor. KF_CORPUS_WRITE=1 rewrites the measured column (the figures the README quotes).
func TestTraceCorpusMatchesStrace(t *testing.T) {
	stracePath, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace is not installed (.ci/deps installs it): %v", err)
	}
	path := filepath.Join("testdata", "trace-corpus.txt")
	if p := os.Getenv("KF_CORPUS_FILE"); p != "" {
		path = p // another corpus in the same format: commands the committed one never saw
	}
	header, entries := readCorpus(t, path)
	for i := range entries {
		e := &entries[i]
		want, got := traceBoth(t, stracePath, []string{"-f"}, e.cmd)
		pct, missing, extra := identical(want, got)
		e.measured = float64(int(pct*10)) / 10
		t.Logf("%5.1f%%  %4d strace lines  %s", pct, len(want), e.cmd)
		if pct < e.floor || os.Getenv("KF_CORPUS_DIFF") != "" {
			t.Errorf("%q: %.1f%% of lines identical to strace's, floor %.0f%%", e.cmd, pct, e.floor)
			shown := 8
			if os.Getenv("KF_CORPUS_DIFF") != "" {
				shown = 1000
			}
			for j := 0; j < len(missing) && j < shown; j++ {
				t.Logf("  strace only: %s", missing[j])
			}
			for j := 0; j < len(extra) && j < shown; j++ {
				t.Logf("  forensics only: %s", extra[j])
			}
		}
	}
	if os.Getenv("KF_CORPUS_WRITE") == "1" {
		var b strings.Builder
		for _, h := range header {
			b.WriteString(h + "\n")
		}
		for _, e := range entries {
			fmt.Fprintf(&b, "%g\t%.1f\t%s\n", e.floor, e.measured, e.cmd)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusTable renders the corpus as the README shows it.
func corpusTable(entries []corpusEntry) string {
	var b strings.Builder
	b.WriteString("| identical lines | floor | command (`sh -c`) |\n|---:|---:|---|\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "| %.1f%% | %g%% | `%s` |\n", e.measured, e.floor, strings.ReplaceAll(e.cmd, "|", "\\|"))
	}
	return b.String()
}

// TestTraceCorpusTableCurrent: the README's per-command table is testdata/trace-corpus.txt's
// figures (their one home), rendered; KF_CORPUS_WRITE=1 rewrites it from there.
func TestTraceCorpusTableCurrent(t *testing.T) {
	_, entries := readCorpus(t, filepath.Join("testdata", "trace-corpus.txt"))
	const begin, end = "<!-- trace-corpus: generated from testdata/trace-corpus.txt by TestTraceCorpusTableCurrent -->\n", "<!-- trace-corpus end -->\n"
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q block", begin, end)
	}
	want := corpusTable(entries)
	if got := s[i+len(begin) : j]; got != want {
		if os.Getenv("KF_CORPUS_WRITE") == "1" {
			if err := os.WriteFile("README.md", []byte(s[:i+len(begin)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's corpus table differs from testdata/trace-corpus.txt; run KF_CORPUS_WRITE=1 go test -run TestTraceCorpusTableCurrent .\n%s", want)
	}
}
