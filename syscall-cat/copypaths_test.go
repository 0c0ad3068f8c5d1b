package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestCopyPaths runs the binary under strace for each pair of file kinds and checks both that
// the bytes arrive intact and that the system call the design promises did the moving.
func TestCopyPaths(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace not installed (.ci/deps installs it): %v", err)
	}
	dir := t.TempDir()
	data := pseudoRandom(5<<20+3, 9)
	src := filepath.Join(dir, "src")
	writeFiles(t, dir, map[string][]byte{"src": data})

	// traced runs cat with the given stdin and stdout under strace and returns the trace.
	traced := func(t *testing.T, args []string, stdin, stdout *os.File) string {
		t.Helper()
		log := filepath.Join(t.TempDir(), "trace")
		cmd := exec.Command(strace, append([]string{"-f", "-qq", "-o", log,
			"-e", "trace=copy_file_range,sendfile,splice,read,write,pipe2,fcntl", binPath}, args...)...)
		cmd.Stdin, cmd.Stdout = stdin, stdout
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("strace cat %q: %v\n%s", args, err, stderr.String())
		}
		trace, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		return string(trace)
	}
	// moved reports whether call moved data (a positive result) somewhere in the trace.
	moved := func(trace, call string) bool {
		return regexp.MustCompile(`(?m)` + call + `\(.*\) += [1-9]`).MatchString(trace)
	}
	outFile := func(t *testing.T, flag int) (*os.File, string) {
		path := filepath.Join(t.TempDir(), "out")
		f, err := os.OpenFile(path, os.O_CREATE|flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f, path
	}
	checkFile := func(t *testing.T, path string, want []byte) {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("output: %d bytes, first difference at %d; want %d bytes", len(got), firstDiff(got, want), len(want))
		}
	}

	t.Run("file to file: copy_file_range", func(t *testing.T) {
		out, path := outFile(t, os.O_WRONLY)
		tr := traced(t, []string{src, src}, nil, out)
		checkFile(t, path, append(append([]byte{}, data...), data...))
		if !moved(tr, "copy_file_range") || moved(tr, "write") {
			t.Errorf("want copy_file_range only:\n%s", tr)
		}
	})
	t.Run("file to file on another filesystem: sendfile after EXDEV", func(t *testing.T) {
		var a, b unix.Stat_t
		if err := unix.Stat("/dev/shm", &a); err != nil {
			skipf(t, "stat /dev/shm: %v", err)
		}
		if err := unix.Stat(dir, &b); err != nil {
			t.Fatal(err)
		}
		if a.Dev == b.Dev {
			skipf(t, "/dev/shm (device %#x) is on the same filesystem as %s (device %#x): no EXDEV to provoke", a.Dev, dir, b.Dev)
		}
		shm, err := os.MkdirTemp("/dev/shm", "syscall-cat-")
		if err != nil {
			skipf(t, "create a directory in /dev/shm: %v", err)
		}
		defer os.RemoveAll(shm)
		path := filepath.Join(shm, "out")
		out, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		tr := traced(t, []string{src}, nil, out)
		checkFile(t, path, data)
		if !moved(tr, "sendfile") || moved(tr, "write") {
			t.Errorf("want copy_file_range refused, then sendfile:\n%s", tr)
		}
	})
	t.Run("file to O_APPEND file: read/write", func(t *testing.T) {
		out, path := outFile(t, os.O_WRONLY|os.O_APPEND)
		tr := traced(t, []string{src}, nil, out)
		checkFile(t, path, data)
		if !moved(tr, "write") || moved(tr, "copy_file_range") || moved(tr, "sendfile") {
			t.Errorf("want read/write only:\n%s", tr)
		}
	})
	t.Run("file to /dev/null: sendfile", func(t *testing.T) {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer null.Close()
		tr := traced(t, []string{src}, nil, null)
		if !moved(tr, "sendfile") || moved(tr, "write") {
			t.Errorf("want sendfile:\n%s", tr)
		}
	})
	// tracedToPipe runs cat with args and stdout on a pipe that this process drains, and returns
	// the trace and what came through the pipe.
	tracedToPipe := func(t *testing.T, args []string) (string, []byte) {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got := make(chan []byte)
		go func() { b, _ := readAll(r); got <- b }()
		tr := traced(t, args, nil, w)
		w.Close()
		return tr, <-got
	}

	t.Run("file to pipe: splice", func(t *testing.T) {
		tr, b := tracedToPipe(t, []string{src})
		if !bytes.Equal(b, data) {
			t.Errorf("pipe got %d bytes, want %d", len(b), len(data))
		}
		if !moved(tr, "splice") || moved(tr, "write") {
			t.Errorf("want splice:\n%s", tr)
		}
		if !regexp.MustCompile(`F_SETPIPE_SZ, 1048576\) += 1048576`).MatchString(tr) {
			t.Errorf("want the output pipe grown to 1 MiB for %d bytes:\n%s", len(data), tr)
		}
	})
	t.Run("small file to pipe: splice, pipe left as it is", func(t *testing.T) {
		small := filepath.Join(dir, "small")
		want := data[:64<<10]
		if err := os.WriteFile(small, want, 0o644); err != nil {
			t.Fatal(err)
		}
		tr, b := tracedToPipe(t, []string{small})
		if !bytes.Equal(b, want) {
			t.Errorf("pipe got %d bytes, want %d", len(b), len(want))
		}
		if !moved(tr, "splice") || strings.Contains(tr, "PIPE_SZ") {
			t.Errorf("want splice and no F_GETPIPE_SZ/F_SETPIPE_SZ for 64 KiB:\n%s", tr)
		}
		// 64 KiB fills the pipe: a second splice would wait for the reader before it saw the
		// end of the file. The file's size says it is all there; read finds the end.
		if n := strings.Count(tr, "splice("); n != 1 || !regexp.MustCompile(`read\(\d+, "", \d+\) += 0`).MatchString(tr) {
			t.Errorf("want one splice of the 64 KiB, then a read that returns 0 (got %d splices):\n%s", n, tr)
		}
	})
	t.Run("pipe to file: splice", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write(data); w.Close() }()
		out, path := outFile(t, os.O_WRONLY)
		tr := traced(t, nil, r, out)
		r.Close()
		checkFile(t, path, data)
		if !moved(tr, "splice") || moved(tr, "write") {
			t.Errorf("want splice:\n%s", tr)
		}
	})
	t.Run("socket to file: splice through a private pipe", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			c.Write(data)
			c.Close()
		}()
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		sock, err := c.(*net.TCPConn).File()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		defer sock.Close()
		out, path := outFile(t, os.O_WRONLY)
		tr := traced(t, nil, sock, out)
		checkFile(t, path, data)
		if !regexp.MustCompile(`F_SETPIPE_SZ, 1048576\) += 1048576`).MatchString(tr) || !moved(tr, "splice") || moved(tr, "write") {
			t.Errorf("want a 1 MiB private pipe and splice:\n%s", tr)
		}
	})
	t.Run("empty file to file: copy_file_range's 0 confirmed by one read, no sendfile", func(t *testing.T) {
		empty := filepath.Join(dir, "empty")
		writeFiles(t, dir, map[string][]byte{"empty": nil})
		out, path := outFile(t, os.O_WRONLY)
		tr := traced(t, []string{empty}, nil, out)
		checkFile(t, path, nil)
		calls := regexp.MustCompile(`(?m)^(?:\d+ +)?(copy_file_range|sendfile|read)\(`).FindAllStringSubmatch(tr, -1)
		var got []string
		for _, c := range calls {
			got = append(got, c[1])
		}
		// The runtime's own reads (cgroup, mountinfo) come before cat's: compare the tail.
		if len(got) < 2 || strings.Join(got[len(got)-2:], " ") != "copy_file_range read" || strings.Contains(strings.Join(got, " "), "sendfile") {
			t.Errorf("want copy_file_range then read, no sendfile; got %q:\n%s", got, tr)
		}
	})
	t.Run("proc file (size 0) to file: falls back to read", func(t *testing.T) {
		want, err := os.ReadFile("/proc/sys/kernel/ostype")
		if err != nil {
			t.Fatal(err)
		}
		out, path := outFile(t, os.O_WRONLY)
		tr := traced(t, []string{"/proc/sys/kernel/ostype"}, nil, out)
		checkFile(t, path, want)
		if len(want) == 0 || !moved(tr, "read|sendfile") {
			t.Errorf("want the content moved by sendfile or read:\n%s", tr)
		}
	})
}

func readAll(f *os.File) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}
