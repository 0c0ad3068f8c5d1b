package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// gnuCat is the reference: coreutils 9.1 on the course machine.
const gnuCat = "/usr/bin/cat"

// helperEnv makes the test binary a launcher: it changes one piece of process state that
// exec.Cmd cannot express, then execs the program named by its first argument. State that
// cannot be undone is only ever changed in such a child, never in the test binary itself.
const helperEnv = "SYSCALL_CAT_TEST_HELPER"

// runHelper is called from TestMain when helperEnv is set; it never returns.
func runHelper(mode string) {
	args := os.Args[1:]    // path, argv0, args...
	runtime.LockOSThread() // the signal mask set below belongs to this thread, which execs
	var err error
	switch mode {
	case "nonblock-stdin":
		err = unix.SetNonblock(0, true)
	case "close-stdout":
		err = unix.Close(1)
	case "ignore-sigpipe":
		signal.Ignore(syscall.SIGPIPE)
	case "block-sigpipe":
		var set unix.Sigset_t
		set.Val[0] = 1 << (unix.SIGPIPE - 1)
		err = unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil)
	default:
		err = fmt.Errorf("unknown helper mode %q", mode)
	}
	if err == nil {
		env := os.Environ()
		for i, e := range env {
			if bytes.HasPrefix([]byte(e), []byte(helperEnv+"=")) {
				env = append(env[:i:i], env[i+1:]...)
				break
			}
		}
		err = syscall.Exec(args[0], args[1:], env)
	}
	fmt.Fprintf(os.Stderr, "helper %s: %v\n", mode, err)
	os.Exit(99)
}

// result is everything the differential test compares.
type result struct {
	stdout, stderr []byte
	exit           int            // exit status, -1 if killed
	signal         syscall.Signal // the killing signal, if any
}

func (r result) String() string {
	return fmt.Sprintf("exit=%d signal=%v\nstdout(%d)=%q\nstderr=%q", r.exit, r.signal, len(r.stdout), clip(r.stdout), r.stderr)
}

func clip(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

// invocation is one run of a cat.
type invocation struct {
	args   []string
	stdin  []byte   // used when stdinFile is empty
	env    []string // added to a minimal environment (LC_ALL=C unless overridden)
	dir    string
	helper string   // helper mode, or ""
	stdout *os.File // nil: a pipe read by the test
	stdinF *os.File // overrides stdin
	argv0  string   // "cat" if empty
}

// runCat runs program path under the name "cat" (argv[0], so messages start alike).
func runCat(t testing.TB, path string, inv invocation) result {
	t.Helper()
	argv0 := inv.argv0
	if argv0 == "" {
		argv0 = "cat"
	}
	argv := append([]string{argv0}, inv.args...)
	var cmd *exec.Cmd
	if inv.helper != "" {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(self, append([]string{path}, argv...)...)
	} else {
		cmd = &exec.Cmd{Path: path, Args: argv}
	}
	cmd.Dir = inv.dir
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "LC_ALL=C"}, inv.env...)
	if inv.helper != "" {
		cmd.Env = append(cmd.Env, helperEnv+"="+inv.helper)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(inv.stdin)
	if inv.stdinF != nil {
		cmd.Stdin = inv.stdinF
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if inv.stdout != nil {
		cmd.Stdout = inv.stdout
	}
	err := cmd.Run()
	r := result{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		r.exit = ws.ExitStatus()
		if ws.Signaled() {
			r.signal = ws.Signal()
		}
	default:
		t.Fatalf("run %s %q: %v", path, inv.args, err)
	}
	return r
}

// compare runs both cats and reports any difference in stdout, stderr or exit status.
func compare(t *testing.T, inv invocation) {
	t.Helper()
	want := runCat(t, gnuCat, inv)
	got := runCat(t, binPath, inv)
	if !bytes.Equal(got.stdout, want.stdout) || !bytes.Equal(got.stderr, want.stderr) ||
		got.exit != want.exit || got.signal != want.signal {
		i := firstDiff(got.stdout, want.stdout)
		t.Errorf("cat %q differs from GNU (first stdout difference at byte %d)\n got: %v\nwant: %v", inv.args, i, got, want)
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) == len(b) {
		return -1
	}
	return min(len(a), len(b))
}

// writeFiles creates name -> content in dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
