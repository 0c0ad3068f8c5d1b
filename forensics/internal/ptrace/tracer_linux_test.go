package ptrace

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// threadyHelperEnv makes this test binary an exec helper whose Go runtime starts threads after
// the tracer has seized it, as the real helper's runtime sometimes does while it waits for the
// go-ahead (sysmon hands the blocked thread's P to a new M).
const threadyHelperEnv = "KF_PTRACE_TEST_THREADY_HELPER"

func init() {
	if os.Getenv(threadyHelperEnv) != "" {
		runtime.LockOSThread() // RunExecHelper must exec from the main thread
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(threadyHelperEnv) != "" {
		threadyHelper()
	}
	os.Exit(m.Run())
}

// threadyHelper says it is ready and takes the tracer's go-ahead itself, starts threads that
// each call gettid, then hands RunExecHelper a fresh go-ahead on descriptor 3.
func threadyHelper() {
	var b [1]byte
	syscall.Write(4, b[:]) // ready (RunExecHelper says it again, to a tracer no longer listening)
	if n, _ := syscall.Read(3, b[:]); n != 1 {
		os.Exit(126)
	}
	const threads = 8
	started := make(chan struct{})
	for range threads {
		go func() {
			runtime.LockOSThread() // never unlocked: each goroutine holds a thread of its own
			syscall.Gettid()
			started <- struct{}{}
			select {}
		}()
	}
	for range threads {
		<-started
	}
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		os.Exit(126)
	}
	unix.Write(p[1], b[:])
	unix.Dup2(p[0], 3)
	err := RunExecHelper(os.Args[1:])
	os.Stderr.WriteString(err.Error() + "\n")
	os.Exit(126)
}

// TestHelperThreadsNotShown: threads the exec helper's runtime starts after the seize are the
// helper's, whichever stop the kernel reports first, the parent's clone event or the new
// thread's own first stop. None of their calls is shown, and the command's trace starts at its
// execve. Run many times, because the order is the scheduler's: before the fix, a new thread
// whose first stop came first counted as the command's and its gettid was printed (1 run of
// 20 to 1 of 3 here).
func TestHelperThreadsNotShown(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	truePath := "/bin/true"
	env := append(os.Environ(), threadyHelperEnv+"=1")
	for i := range 40 {
		var out bytes.Buffer
		tr := New(Options{
			Follow: true,
			Trace:  CallSet{unix.SYS_GETTID: true, unix.SYS_EXECVE: true},
			Out:    &out,
			Log:    io.Discard,
			Helper: []string{self},
		})
		done := make(chan error, 1)
		go func() { // Start locks its goroutine to the tracer's thread: one goroutine per run
			if _, err := tr.Start(truePath, []string{"true"}, env, []uintptr{0, 1, 2}); err != nil {
				done <- err
				return
			}
			st, err := tr.Run()
			if err == nil && (!st.Exited || st.Code != 0) {
				err = fmt.Errorf("command ended %+v", st)
			}
			done <- err
		}()
		if err := <-done; err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if !strings.HasPrefix(lines[0], "execve(\""+truePath+"\"") || strings.Contains(out.String(), "gettid") {
			t.Fatalf("run %d: the trace shows the helper's threads (want it to start at the execve, no gettid):\n%s", i, out.String())
		}
	}
}
