package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryThreadConfined starts the real binary blocked on a pipe and reads the status of
// each of its threads: all must show the filter (Seccomp: 2) and no_new_privs.
func TestEveryThreadConfined(t *testing.T) {
	cmd := exec.Command(binPath)
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
	defer cmd.Process.Kill()
	// Readiness: a line echoed back proves cat is past its filter installation and copying;
	// it now blocks reading the pipe again.
	if _, err := io.WriteString(stdin, "ping\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ping\n" {
		t.Fatalf("echo: %q, %v", line, err)
	}
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
