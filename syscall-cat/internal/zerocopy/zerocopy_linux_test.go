package zerocopy

import (
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func payload(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return b
}

func fstat(t *testing.T, fd int) *unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// copyAll copies in to out with a fresh Copier and returns the methods that moved bytes.
func copyAll(t *testing.T, in, out *os.File) ([]Method, error) {
	t.Helper()
	c, err := New(int(out.Fd()), fstat(t, int(out.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Copy(int(in.Fd()), fstat(t, int(in.Fd())))
	return c.Used, err
}

func TestCopyMethods(t *testing.T) {
	dir := t.TempDir()
	data := payload(3<<20 + 5)
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	open := func(path string, flag int) *os.File {
		f, err := os.OpenFile(path, flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	t.Run("file to file", func(t *testing.T) {
		out := open(filepath.Join(dir, "o1"), os.O_CREATE|os.O_WRONLY)
		used, err := copyAll(t, open(src, os.O_RDONLY), out)
		check(t, err, used, []Method{CopyFileRange}, filepath.Join(dir, "o1"), data)
	})
	t.Run("file to O_APPEND file", func(t *testing.T) {
		path := filepath.Join(dir, "o2")
		if err := os.WriteFile(path, []byte("head:"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := open(path, os.O_WRONLY|os.O_APPEND)
		used, err := copyAll(t, open(src, os.O_RDONLY), out)
		check(t, err, used, []Method{ReadWrite}, path, append([]byte("head:"), data...))
	})
	t.Run("continues from the input position", func(t *testing.T) {
		in := open(src, os.O_RDONLY)
		if _, err := in.Seek(1000, 0); err != nil {
			t.Fatal(err)
		}
		out := open(filepath.Join(dir, "o3"), os.O_CREATE|os.O_WRONLY)
		used, err := copyAll(t, in, out)
		check(t, err, used, []Method{CopyFileRange}, filepath.Join(dir, "o3"), data[1000:])
	})
	t.Run("proc file: nothing moved by zero-copy is not EOF", func(t *testing.T) {
		want, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		out := open(filepath.Join(dir, "o4"), os.O_CREATE|os.O_WRONLY)
		_, err = copyAll(t, open("/proc/self/mountinfo", os.O_RDONLY), out)
		got, _ := os.ReadFile(filepath.Join(dir, "o4"))
		if err != nil || len(got) == 0 || !bytes.Equal(got, want) {
			t.Errorf("copied %d bytes of /proc/self/mountinfo (want %d), err %v", len(got), len(want), err)
		}
	})
	t.Run("socket to /dev/full: the private pipe is drained into the write error", func(t *testing.T) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
		defer r.Close()
		go func() { w.Write(data); w.Close() }()
		full := open("/dev/full", os.O_WRONLY)
		_, err = copyAll(t, r, full)
		var ce *Error
		if !errors.As(err, &ce) || ce.Op != "write" || !errors.Is(err, unix.ENOSPC) {
			t.Errorf("copy into /dev/full: %v, want a write error ENOSPC", err)
		}
	})
	t.Run("directory: the read error is the input's", func(t *testing.T) {
		out := open(filepath.Join(dir, "o5"), os.O_CREATE|os.O_WRONLY)
		_, err := copyAll(t, open(dir, os.O_RDONLY), out)
		var ce *Error
		if !errors.As(err, &ce) || ce.Op != "read" || !errors.Is(err, unix.EISDIR) {
			t.Errorf("copy of a directory: %v, want a read error EISDIR", err)
		}
	})
}

func check(t *testing.T, err error, used, wantUsed []Method, path string, want []byte) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes, want %d", path, len(got), len(want))
	}
	if len(used) != len(wantUsed) || (len(used) > 0 && used[0] != wantUsed[0]) {
		t.Errorf("methods used %v, want %v", used, wantUsed)
	}
}
