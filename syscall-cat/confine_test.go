package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startEchoing starts cmd, a cat reading a pipe, and returns once a line written to its stdin
// has come back: the cat is then past its start-up (ours: inside its filter) and blocked reading
// again. The process is killed when the test ends, if still running.
func startEchoing(t *testing.T, cmd *exec.Cmd) io.WriteCloser {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	if _, err := io.WriteString(stdin, "ping\n"); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("%s: echo %q, %v", strings.Join(cmd.Args, " "), line, err)
	}
	return stdin
}

// TestEveryThreadConfined starts the real binary blocked on a pipe and reads the status of
// each of its threads: all must show the filter (Seccomp: 2) and no_new_privs.
func TestEveryThreadConfined(t *testing.T) {
	cmd := exec.Command(binPath)
	stdin := startEchoing(t, cmd)
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/*/status")
	if err != nil || len(tasks) < 2 {
		t.Fatalf("threads of cat: %v %v (a Go program has several)", tasks, err)
	}
	for _, path := range tasks {
		status, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fields := statusFields(status)
		if fields["Seccomp"] != "2" || fields["NoNewPrivs"] != "1" || fields["Seccomp_filters"] != "1" {
			t.Errorf("%s: Seccomp=%q Seccomp_filters=%q NoNewPrivs=%q, want 2, 1, 1",
				path, fields["Seccomp"], fields["Seccomp_filters"], fields["NoNewPrivs"])
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cat after EOF: %v", err)
	}
}

func statusFields(status []byte) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(status), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// TestSeccompModes runs the binary in each documented mode and with a bad one.
func TestSeccompModes(t *testing.T) {
	for _, mode := range []string{"", "kill", "log", "errno"} {
		cmd := exec.Command(binPath)
		cmd.Env = []string{"SYSCALL_CAT_SECCOMP=" + mode}
		cmd.Stdin = strings.NewReader("data\n")
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != "data\n" {
			t.Errorf("mode %q: %q, %v", mode, out, err)
		}
	}
	cmd := exec.Command(binPath)
	cmd.Env = []string{"SYSCALL_CAT_SECCOMP=off"}
	out, err := cmd.CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte(`unknown seccomp mode "off"`)) {
		t.Errorf("mode off: %q, %v; want a refusal", out, err)
	}
}

// TestCatDiesWithoutARule builds the real cat with the sendfile rule removed from its policy:
// copying a file to /dev/null must then kill it by SIGSYS, and the documented log mode must let
// the same run finish with the right bytes (the kernel logging the call instead).
func TestCatDiesWithoutARule(t *testing.T) {
	src := t.TempDir()
	for _, pattern := range []string{"go.mod", "go.sum", "*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			copyFile(t, f, filepath.Join(src, f))
		}
	}
	if out, err := exec.Command("cp", "-r", "internal", src).CombinedOutput(); err != nil {
		t.Fatalf("cp internal: %v %s", err, out)
	}
	policy, err := os.ReadFile("seccomp.policy")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(policy), "\n") {
		if !strings.HasPrefix(line, "sendfile ") {
			kept = append(kept, line)
		}
	}
	if len(kept) != len(strings.Split(string(policy), "\n"))-1 {
		t.Fatal("seccomp.policy has no single sendfile rule to remove")
	}
	if err := os.WriteFile(filepath.Join(src, "seccomp.policy"), []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	// The filter is assembled at build time: regenerate it from the edited policy.
	gen := exec.Command("go", "generate", "./internal/seccomp")
	gen.Dir = src
	gen.Env = append(os.Environ(), "GOWORK=off")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go generate the variant's filter: %v\n%s", err, out)
	}
	variant := filepath.Join(t.TempDir(), "cat-without-sendfile")
	build := exec.Command("go", "build", "-o", variant, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build variant: %v\n%s", err, out)
	}
	input := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(input, pseudoRandom(1<<20, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()

	cmd := exec.Command(variant, input)
	cmd.Stdout = null
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGSYS {
		t.Errorf("cat without its sendfile rule, to /dev/null: %v, want death by SIGSYS", err)
	}

	// Log mode: the same sendfile is allowed, the run succeeds, and the kernel logs the call
	// (kernel/seccomp.c seccomp_log -> audit_seccomp: an AUDIT_SECCOMP record, type 1326,
	// printed to the kernel log when no audit daemon listens).
	// Raw fd: an os.File would park a Read on the netpoller instead of returning EAGAIN.
	kmsg, err := syscall.Open("/dev/kmsg", syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open /dev/kmsg to see the log mode's record: %v", err)
	}
	defer syscall.Close(kmsg)
	if _, err := syscall.Seek(kmsg, 0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(variant, input)
	cmd.Env = []string{"SYSCALL_CAT_SECCOMP=log"}
	cmd.Stdout = null
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Errorf("same run in log mode: %v %q", err, stderr.String())
	}
	// sendfile is 40 on x86-64; SECCOMP_RET_LOG is code=0x7ffc0000.
	want := regexp.MustCompile(`type=1326 .* pid=` + strconv.Itoa(cmd.Process.Pid) + ` .* syscall=40 .*code=0x7ffc0000`)
	// The record reaches /dev/kmsg through printk, which may lag the process's exit on a busy
	// machine: read until it is there, for up to 5 s.
	var records []string
	buf := make([]byte, 8192)
	for deadline := time.Now().Add(5 * time.Second); ; {
		n, err := syscall.Read(kmsg, buf) // one record per read; EAGAIN once all are read
		if err == syscall.EINTR {
			continue
		}
		if err == nil && n > 0 {
			records = append(records, string(buf[:n]))
			continue
		}
		if want.MatchString(strings.Join(records, "")) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !want.MatchString(strings.Join(records, "")) {
		t.Errorf("log mode: no kernel record of the allowed sendfile (pid %d) in /dev/kmsg within 5 s:\n%s",
			cmd.Process.Pid, strings.Join(records, ""))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSignalsKillLikeGNU sends asynchronous signals whose default action ends GNU cat to a cat
// blocked reading a pipe: both cats must end the same way, by that signal, never by SIGSYS from
// the filter refusing the runtime's rt_sigaction (runtime/signal_unix.go dieFromSignal resets
// SIGHUP, SIGINT, SIGTERM before re-raising them), nor survive because the runtime swallowed it.
func TestSignalsKillLikeGNU(t *testing.T) {
	// SIGHUP, SIGINT, SIGTERM: the runtime dies by them itself. The rest: the runtime would
	// swallow them (or dump goroutines and exit 2) had restoreDefaultSignals not given them back
	// to the kernel. prlimit --core=0 keeps SIGQUIT and SIGABRT from leaving core files here.
	sigs := []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM,
		syscall.SIGQUIT, syscall.SIGABRT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM,
		syscall.SIGXFSZ, syscall.SIGVTALRM, syscall.SIGPROF, syscall.SIGIO, syscall.Signal(37)}
	for _, sig := range sigs {
		t.Run(sig.String(), func(t *testing.T) {
			var status [2]syscall.WaitStatus
			for i, bin := range []string{gnuCat, binPath} {
				cmd := exec.Command("prlimit", "--core=0", "--", bin)
				stdin := startEchoing(t, cmd)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				// EOF ends a cat that inherited the signal ignored (SIGINT in a background job):
				// then both must exit 0 instead.
				stdin.Close()
				err := cmd.Wait()
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatal(err)
				}
				status[i] = cmd.ProcessState.Sys().(syscall.WaitStatus)
			}
			want, got := status[0], status[1]
			if got.Signaled() != want.Signaled() || got.Signal() != want.Signal() || got.ExitStatus() != want.ExitStatus() {
				t.Errorf("after %v: syscall-cat signaled=%v signal=%v exit=%d; GNU signaled=%v signal=%v exit=%d",
					sig, got.Signaled(), got.Signal(), got.ExitStatus(), want.Signaled(), want.Signal(), want.ExitStatus())
			}
			if want.Signaled() && want.Signal() != sig {
				t.Errorf("GNU cat died by %v after %v", want.Signal(), sig)
			}
		})
	}
}

// TestConfinedWithoutPrivilege runs the cat as uid 65534, without CAP_SYS_ADMIN: seccomp(2)
// then insists on no_new_privs on the calling thread, which Install sets without locking the
// goroutine to its thread (a preemption between the two calls is retried). Twenty runs, each
// copying its standard input, must all succeed.
func TestConfinedWithoutPrivilege(t *testing.T) {
	data := pseudoRandom(64<<10, 9)
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A copy of the binary where uid 65534 may execute it (the test directories are 0700).
	dir, err := os.MkdirTemp("", "syscall-cat-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "syscall-cat")
	copyFile(t, binPath, bin)
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Stdin = in
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		in.Close()
		if errors.Is(err, syscall.EPERM) {
			skipf(t, "start syscall-cat as uid 65534: %v", err)
		}
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("run %d as uid 65534: %v, %d bytes of %d, stderr %q", i, err, len(out), len(data), stderr.String())
		}
	}
}
