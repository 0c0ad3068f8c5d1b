package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var loadBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "echo-load-test-")
	if err != nil {
		panic(err)
	}
	loadBin = filepath.Join(dir, "echo-load")
	build := exec.Command("go", "build", "-trimpath", "-o", loadBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// echoServer serves on loopback; corrupt, if set, rewrites each chunk before echoing it.
func echoServer(t *testing.T, corrupt func([]byte)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if corrupt != nil {
							corrupt(buf[:n])
						}
						if _, err := c.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestCountsEveryMessage(t *testing.T) {
	addr := echoServer(t, nil)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"reqresp blocking", []string{"-conns", "3", "-size", "64", "-count", "200", "-io", "blocking"}, "msgs=600 "},
		{"reqresp netpoll", []string{"-conns", "3", "-size", "100", "-count", "200", "-io", "netpoll"}, "msgs=600 "},
		{"pipeline", []string{"-conns", "5", "-size", "4096", "-mode", "pipeline", "-depth", "8", "-count", "300"}, "msgs=1500 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(loadBin, append([]string{"-addr", addr}, tc.args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.want) || !regexp.MustCompile(`p99_us=[0-9.]+`).Match(out) {
				t.Errorf("output lacks %q or a p99:\n%s", tc.want, out)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	addr := echoServer(t, nil)
	out, err := exec.Command(loadBin, "-addr", addr, "-conns", "2", "-duration", "200ms", "-warmup", "50ms").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if regexp.MustCompile(`msgs=0 `).Match(out) {
		t.Errorf("no message in 200ms:\n%s", out)
	}
}

// TestCatchesCorruption: one flipped byte, or an echo cut short, must fail the run.
func TestCatchesCorruption(t *testing.T) {
	flip := echoServer(t, func(b []byte) { b[len(b)/2] ^= 0x40 })
	out, err := exec.Command(loadBin, "-addr", flip, "-count", "5").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "echoed byte") {
		t.Errorf("corrupting server: err %v, output:\n%s", err, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.CopyN(c, c, 10) // echo 10 bytes, then hang up
			c.Close()
		}
	}()
	out, err = exec.Command(loadBin, "-addr", ln.Addr().String(), "-size", "64", "-count", "5").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "read echo") {
		t.Errorf("short echo: err %v, output:\n%s", err, out)
	}
}

// TestBadFlags: bad usage is one line and exit status 125, before any connection; a size whose
// buffers cannot be allocated is refused the same way instead of dying in makeslice.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-conns", "0"}, "-conns 0: want at least 1"},
		{[]string{"-mode", "x"}, `-mode "x"`},
		{[]string{"-count", "5", "-duration", "1s"}, "exclude each other"},
		{[]string{"-io", "x"}, `-io "x"`},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-server-pid", "-1"}, "-server-pid -1"},
		{[]string{"-size", "1000000000000"}, "-conns 1 -size 1000000000000: the buffers need 1.8 TiB, more than the"},
		{[]string{"-conns", "100000000", "-size", "64"}, "the buffers need 12.3 TiB"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			// An address nothing listens on: a run that got past the checks would fail to dial.
			out, err := exec.Command(loadBin, append([]string{"-addr", "127.0.0.1:1"}, tc.args...)...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 125 {
				t.Errorf("exit: %v, want status 125\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "goroutine ") {
				t.Errorf("output %q does not contain %q (or holds a stack trace)", out, tc.want)
			}
		})
	}
}

// TestServerUsage: -server-pid reports the CPU time and RSS of a process, here the test itself,
// which runs the echo server: both are real figures read from /proc.
func TestServerUsage(t *testing.T) {
	addr := echoServer(t, nil)
	out, err := exec.Command(loadBin, "-addr", addr, "-conns", "4", "-size", "4096", "-mode", "pipeline",
		"-duration", "300ms", "-server-pid", fmt.Sprint(os.Getpid())).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := regexp.MustCompile(`srv_cpu_s=([0-9.]+) srv_rss_kib=([0-9]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no srv_cpu_s/srv_rss_kib in:\n%s", out)
	}
	if cpu, _ := strconv.ParseFloat(string(m[1]), 64); cpu <= 0 {
		t.Errorf("server CPU %s s over 300 ms of echoing 4 KiB messages, want > 0", m[1])
	}
	if rss, _ := strconv.Atoi(string(m[2])); rss < 1024 {
		t.Errorf("server RSS %s KiB, want at least 1 MiB (a Go test binary)", m[2])
	}
	out, err = exec.Command(loadBin, "-addr", addr, "-duration", "100ms", "-server-pid", "999999999").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "-server-pid 999999999: open /proc/999999999/stat") {
		t.Errorf("a pid that does not exist: err %v, output:\n%s", err, out)
	}
}
