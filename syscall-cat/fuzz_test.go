package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kernel-foundations/syscall-cat/internal/gnu"
)

// FuzzDifferential runs both cats on the same argv, standard input and environment, in a
// directory of their own, and wants stdout, stderr and the exit status identical. argv is
// NUL-separated (a NUL cannot be in an argument). Operands are confined to the directory: an
// argv with a '/' anywhere could name a file outside it, so it is skipped, which leaves every
// option, "-", "--" and the fixture names.
func FuzzDifferential(f *testing.F) {
	for _, s := range []struct {
		argv  string
		stdin string
		utf8  bool
		posix bool
	}{
		{"-n\x00a", "", false, false},
		{"-A\x00-\x00a", "x\ty\r\n\x01\x80\xff\n\n\n", false, false},
		{"-bsET\x00b\x00-", "\n\n\nline\n", true, false},
		{"--number-nonb\x00--squeeze\x00a\x00dir\x00missing", "", false, false},
		{"a\x00-n\x00--\x00-n", "", false, true},
		{"--show-all=1", "", false, false},
		{"--sh", "", false, false},
		{"-x", "", false, false},
		{"--help\x00--version", "", true, false},
		{"--\x00it's\x00a b\x00\x01\x00é\x00\xc3", "", true, false},
		{"-vt\x00-u\x00-e\x00-", "\x00\x1b[0m\x7f\n", false, false},
	} {
		f.Add(s.argv, []byte(s.stdin), s.utf8, s.posix)
	}
	dir := f.TempDir()
	writeFiles(f, dir, map[string][]byte{
		"a":  []byte("one\n\n\n\ttwo\r\n\x01\x7f\x80\xff\nend"),
		"b":  []byte("\n\n\nb\n"),
		"-n": []byte("dash\n"),
	})
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, argv string, stdin []byte, utf8, posix bool) {
		if strings.Contains(argv, "/") || len(argv) > 512 || len(stdin) > 1<<16 {
			t.Skip()
		}
		var args []string
		if argv != "" {
			args = strings.Split(argv, "\x00")
		}
		// The cats run in other processes, out of the fuzzer's sight: parsing and formatting the
		// same input here gives it the coverage signal that steers its mutations.
		if cmd := gnu.Parse(args, posix); cmd.Action == gnu.ActionCat {
			fm := gnu.NewFormatter(cmd.Opts)
			fm.Finish(fm.Format(nil, stdin))
		}
		inv := invocation{args: args, stdin: stdin, dir: dir}
		if utf8 {
			inv.env = append(inv.env, "LC_ALL=C.UTF-8")
		}
		if posix {
			inv.env = append(inv.env, "POSIXLY_CORRECT=1")
		}
		want := runCat(t, gnuCat, inv)
		got := runCat(t, binPath, inv)
		if !bytes.Equal(got.stdout, want.stdout) || !bytes.Equal(got.stderr, want.stderr) ||
			got.exit != want.exit || got.signal != want.signal {
			t.Errorf("cat %q (env %q) on stdin %q differs from GNU (first stdout difference at byte %d)\n got: %v\nwant: %v",
				args, inv.env, clip(stdin), firstDiff(got.stdout, want.stdout), got, want)
		}
	})
}
