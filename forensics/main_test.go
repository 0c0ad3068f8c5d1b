package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binPath is the forensics binary built for this test run, the way the Makefile ships it
// (CGO_ENABLED=0), so integration tests exercise the real static binary.
var binPath string

// helperEnv selects a helper process: the test binary re-executed to hold state that must not
// touch the test process itself (a subreaper flag, a blocked mask, ignored signals), the way
// golang/go's os/signal tests use their helper processes.
const helperEnv = "FORENSICS_TEST_HELPER"

// binEnv passes binPath to helper processes, which do not build it.
const binEnv = "FORENSICS_TEST_BIN"

// testHelpers maps a helperEnv value to the helper's main; it returns the exit status. Test files
// register theirs in init.
var testHelpers = map[string]func() int{}

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		h, ok := testHelpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "no test helper %q\n", name)
			os.Exit(2)
		}
		binPath = os.Getenv(binEnv)
		os.Exit(h())
	}
	dir, err := os.MkdirTemp("", "forensics-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// 0755: the limits drill and the unit test run the binary as an unprivileged uid.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "forensics")
	build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build forensics: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	fdsBefore := openFDs()
	code := m.Run()
	// Every test closes what it opens: a leaked descriptor fails the run (cilium/ebpf's testmain).
	if leaked := openFDs() - fdsBefore; code == 0 && leaked > 0 {
		fmt.Fprintf(os.Stderr, "tests leaked %d file descriptors\n", leaked)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// helperCommand re-executes the test binary as helper name.
func helperCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	// A -race binary sleeps 1 s at exit by default (GORACE atexit_sleep_ms): not in helpers.
	cmd.Env = append(os.Environ(), helperEnv+"="+name, binEnv+"="+binPath, "GORACE=atexit_sleep_ms=0")
	return cmd
}

func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC || p.Type == elf.PT_INTERP {
			t.Errorf("%s has a %v program header: not a static binary", binPath, p.Type)
		}
	}
}

func TestHelpSmoke(t *testing.T) {
	out, err := exec.Command(binPath, "-h").CombinedOutput()
	if err != nil {
		t.Fatalf("forensics -h: %v\n%s", err, out)
	}
	if len(out) == 0 {
		t.Fatalf("forensics -h printed nothing")
	}
}

// openFDs counts this process's open descriptors.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}
