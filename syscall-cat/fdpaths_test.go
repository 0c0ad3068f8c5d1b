package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorPathsCloseEverything: every file cat opens is closed on every path, the error paths
// included (a directory: EISDIR on read; the output itself: "input file is output file"; a file
// that does not open). Under RLIMIT_NOFILE 16, 300 operands that each take one of those paths,
// between readable files, would run out of descriptors after a dozen leaks: the output must equal
// GNU cat's under the same limit, which opens and closes one file at a time.
func TestErrorPathsCloseEverything(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		skipf(t, "prlimit (util-linux, .ci/deps installs it): %v", err)
	}
	dir := t.TempDir()
	file, out := filepath.Join(dir, "file"), filepath.Join(dir, "out")
	if err := os.WriteFile(file, []byte("line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var args []string
	for range 100 {
		args = append(args, dir, filepath.Join(dir, "missing"), out, file)
	}
	// runCat (helpers_test.go) runs prlimit, which execs the cat by its path: the messages
	// carry that path, made "cat:" again to compare.
	run := func(cat string) (string, string, int) {
		t.Helper()
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := runCat(t, prlimit, invocation{args: append([]string{"--nofile=16:16", cat}, args...), stdout: f})
		written, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(written), strings.ReplaceAll(string(r.stderr), cat+":", "cat:"), r.exit
	}
	wantOut, wantErr, wantCode := run(gnuCat)
	gotOut, gotErr, gotCode := run(binPath)
	if n := strings.Count(wantOut, "line\n"); n != 100 || !strings.Contains(wantErr, "input file is output file") || !strings.Contains(wantErr, "Is a directory") {
		t.Fatalf("GNU cat under the limit: %d lines, stderr %.300q: the test does not exercise what it names", n, wantErr)
	}
	if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
		t.Errorf("under RLIMIT_NOFILE 16: %d lines, exit %d, stderr %.300q\nGNU: %d lines, exit %d, stderr %.300q",
			strings.Count(gotOut, "line\n"), gotCode, gotErr, strings.Count(wantOut, "line\n"), wantCode, wantErr)
	}
}
