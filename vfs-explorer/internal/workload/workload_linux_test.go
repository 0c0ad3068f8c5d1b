package workload

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRunMatchesExpect: a real run in a temporary directory reports exactly the counts Expect
// promises, measures ages no shorter than the configured delays, and leaves the directory empty.
func TestRunMatchesExpect(t *testing.T) {
	dir := t.TempDir()
	c := Config{Dir: dir, Files: 3, Size: 16 << 10, Chunk: 4 << 10, Delay: 2 * time.Millisecond}
	got, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	want := Expect(c)
	if got.PID != os.Getpid() || got.Comm == "" {
		t.Errorf("PID %d, Comm %q: want this process", got.PID, got.Comm)
	}
	for i, f := range got.Files {
		if f.Inode == 0 {
			t.Errorf("file %d: no inode", i)
		}
		if min := time.Duration(i+1) * c.Delay; time.Duration(f.AgeMicros)*time.Microsecond < min {
			t.Errorf("file %d lived %d us, less than its delay %v", i, f.AgeMicros, min)
		}
		if f.CreateFD < 0 || f.ReadFD < 0 {
			t.Errorf("file %d: descriptors %d and %d", i, f.CreateFD, f.ReadFD)
		}
		got.Files[i].Inode, got.Files[i].AgeMicros, got.Files[i].CreateFD, got.Files[i].ReadFD = 0, 0, 0, 0
	}
	if got.ElapsedMicros <= 0 {
		t.Errorf("ElapsedMicros = %d, want > 0", got.ElapsedMicros)
	}
	got.PID, got.Comm, got.ElapsedMicros = 0, "", 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run(%+v) =\n%+v\nwant\n%+v", c, got, want)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Errorf("directory left with %v (%v)", ents, err)
	}
}

// TestRunCleansUpOnError: a file in the way makes the exclusive create fail; the files the
// workload made are removed, the one that was there before is left alone.
func TestRunCleansUpOnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, CreatedName(1)), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(Config{Dir: dir, Files: 2, Size: 4096, Chunk: 4096})
	if err == nil {
		t.Fatal("Run with f-1 already present: no error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != CreatedName(1) {
		t.Errorf("after the error the directory holds %v, want only the pre-existing %s", ents, CreatedName(1))
	}
}

// TestFlags: the spelled-out flag values are the kernel's.
func TestFlags(t *testing.T) {
	if want := unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL | unix.O_CLOEXEC; CreateFlags != want {
		t.Errorf("CreateFlags = %#x, want %#x", CreateFlags, want)
	}
	if want := unix.O_RDONLY | unix.O_CLOEXEC; ReadFlags != want {
		t.Errorf("ReadFlags = %#x, want %#x", ReadFlags, want)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		ok   bool
	}{
		{"default", Default("/tmp"), true},
		{"no dir", Default(""), false},
		{"zero files", Config{Dir: "/tmp", Files: 0, Size: 4096, Chunk: 4096}, false},
		{"size not multiple", Config{Dir: "/tmp", Files: 1, Size: 5000, Chunk: 4096}, false},
		{"negative delay", Config{Dir: "/tmp", Files: 1, Size: 4096, Chunk: 4096, Delay: -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate(%+v) = %v, want ok %v", tc.c, err, tc.ok)
			}
		})
	}
}
