package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// binPath is the signal-disciplined-server binary built for this test run, the way the Makefile ships it
// (CGO_ENABLED=0), so integration tests exercise the real static binary.
var binPath string

func TestMain(m *testing.M) {
	// A re-executed helper, never the test binary itself, changes its signal mask: block
	// SIGUSR1 on this locked thread and exec os.Args[1:], which inherits the mask.
	if os.Getenv("SDS_TEST_EXEC_WITH_USR1_BLOCKED") != "" {
		os.Unsetenv("SDS_TEST_EXEC_WITH_USR1_BLOCKED")
		runtime.LockOSThread()
		set := uint64(1) << (syscall.SIGUSR1 - 1)
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0 /* SIG_BLOCK */, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0); errno != 0 {
			fmt.Fprintln(os.Stderr, "rt_sigprocmask:", errno)
			os.Exit(2)
		}
		err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(2)
	}
	// A helper that execs os.Args[1:] with the server's re-exec marker naming its own pid (exec
	// keeps the pid) but without blocking anything: a forged second image.
	if os.Getenv("SDS_TEST_EXEC_WITH_OWN_MARKER") != "" {
		os.Unsetenv("SDS_TEST_EXEC_WITH_OWN_MARKER")
		os.Setenv("SIGNAL_DISCIPLINED_SERVER_MASKED", strconv.Itoa(os.Getpid()))
		err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
		fmt.Fprintln(os.Stderr, "exec:", err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "signal-disciplined-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "signal-disciplined-server")
	build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build signal-disciplined-server: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// Catch descriptors the tests leak (cilium/ebpf testutils does the same). The runtime's
	// netpoll fds appear on the first timer or socket: create them before the baseline.
	time.AfterFunc(time.Hour, func() {}).Stop()
	before := openFDs()
	code := m.Run()
	if after := openFDs(); code == 0 && len(after) > len(before) {
		fmt.Fprintf(os.Stderr, "tests leaked file descriptors: %d open before, %d after: %v\n", len(before), len(after), after)
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
		t.Fatalf("signal-disciplined-server -h: %v\n%s", err, out)
	}
	if len(out) == 0 {
		t.Fatalf("signal-disciplined-server -h printed nothing")
	}
}

// openFDs lists this process's descriptors with what they point to.
func openFDs() []string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		out = append(out, e.Name()+"->"+target)
	}
	return out
}

// TestChildMaskIsClean: a process started with SIGUSR1 blocked passes the mask to what it execs,
// unless it goes through the binary's trampoline (sig.Command sets SIGNAL_DISCIPLINED_SERVER_EXEC_UNMASKED).
// The direct case checks SIGUSR1's bit only: it also keeps whatever mask the test itself was
// started with, which is the caller's business; the trampoline must empty all of it.
func TestChildMaskIsClean(t *testing.T) {
	grep, err := exec.LookPath("grep")
	if err != nil {
		skipf(t, "exec.LookPath(grep): %v", err)
	}
	for _, tc := range []struct {
		name       string
		argv       []string
		env        string
		want, mask uint64 // want SigBlk&mask == want
	}{
		{"direct exec inherits", []string{grep, "SigBlk", "/proc/self/status"}, "", 1 << (syscall.SIGUSR1 - 1), 1 << (syscall.SIGUSR1 - 1)},
		// The helper execs the binary in place, so the trampoline's parent is this process.
		{"trampoline empties", []string{binPath, "grep", "SigBlk", "/proc/self/status"}, "SIGNAL_DISCIPLINED_SERVER_EXEC_UNMASKED=" + strconv.Itoa(os.Getpid()), 0, ^uint64(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tc.argv...)
			cmd.Env = append(os.Environ(), "SDS_TEST_EXEC_WITH_USR1_BLOCKED=1")
			if tc.env != "" {
				cmd.Env = append(cmd.Env, tc.env)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "SigBlk:")
			got, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if !ok || err != nil {
				t.Fatalf("child printed %q, want one SigBlk line (%v)", out, err)
			}
			if got&tc.mask != tc.want {
				t.Errorf("child SigBlk = %016x, want %016x in the bits %016x", got, tc.want, tc.mask)
			}
		})
	}
}
