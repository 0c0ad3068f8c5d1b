package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// binPath is the hardened-echo binary built for this test run, the way the Makefile ships it
// (CGO_ENABLED=0), so integration tests exercise the real static binary.
var binPath string

// trampolineEnv, when set in the test binary's environment, makes it exec the named program with
// LISTEN_PID set to its own pid, which exec keeps: the way systemd-socket-activate hands sockets
// to a child whose pid nobody knows before it starts (sd_listen_fds(3)). The sockets themselves
// arrive as fds 3... through exec.Cmd.ExtraFiles.
const (
	trampolineEnv       = "HARDENED_ECHO_TRAMPOLINE"
	trampolinePassedEnv = "HARDENED_ECHO_TRAMPOLINE_FILES"
)

func TestMain(m *testing.M) {
	if os.Getenv(referenceEnv) == "1" {
		referenceServer()
		return
	}
	if prog := os.Getenv(trampolineEnv); prog != "" {
		os.Unsetenv(trampolineEnv)
		os.Setenv("LISTEN_PID", strconv.Itoa(os.Getpid()))
		// Pass exactly the ExtraFiles the test gave (trampolinePassedEnv of them), as systemd
		// passes exactly its sockets: anything else this race-instrumented binary opened
		// without O_CLOEXEC must not reach the server.
		n, _ := strconv.Atoi(os.Getenv(trampolinePassedEnv))
		os.Unsetenv(trampolinePassedEnv)
		if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
			for _, e := range ents {
				if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= 3+n {
					syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
				}
			}
		}
		err := syscall.Exec(prog, append([]string{prog}, os.Args[1:]...), os.Environ())
		fmt.Fprintf(os.Stderr, "trampoline: exec %s: %v\n", prog, err)
		os.Exit(127)
	}
	dir, err := os.MkdirTemp("", "hardened-echo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "hardened-echo")
	build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build hardened-echo: %v\n%s", err, out)
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
		t.Fatalf("hardened-echo -h: %v\n%s", err, out)
	}
	if len(out) == 0 {
		t.Fatalf("hardened-echo -h printed nothing")
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
