// Package workload is the deterministic file workload that vfs-explorer's check measures every
// recipe against: a fixed sequence of opens, writes, pwrites, syncs, reads (down to the 0-byte
// read at end of file), preads, renames, one failing open and delayed unlinks, whose exact counts
// are known before it runs and reported after.
//
// The measured phase is bracketed by two marker calls, faccessat(AT_FDCWD, StartMarker, F_OK) and
// faccessat(AT_FDCWD, StopMarker, F_OK), which fail with ENOENT and touch nothing. A tracer that
// counts only between them sees the workload's own file operations and none of the Go runtime's
// (at start-up the runtime opens and reads /sys/kernel/mm/transparent_hugepage/hpage_pmd_size and
// the cgroup files it sizes GOMAXPROCS from), nor the writes of the final report. Before the
// start marker it also pins GOMAXPROCS, which stops the runtime's once-a-second re-read of the
// cgroup CPU limit (Go 1.25 and later) from landing inside the window.
package workload

import (
	"fmt"
	"path/filepath"
	"time"
)

// Marker paths passed to faccessat(2) around the measured phase. They are relative names that
// never exist, so the calls fail with ENOENT without touching any file.
const (
	StartMarker = "vfs-explorer:start"
	StopMarker  = "vfs-explorer:stop"
)

// Config sets the size of the workload. The zero value is not valid; use Default.
type Config struct {
	Dir   string        // directory the files are created in; must exist
	Files int           // N: files created, written, synced, read back, renamed and unlinked
	Size  int           // K: bytes written to each file, a multiple of Chunk
	Chunk int           // bytes per write and per read; also the size of the pwrite and the pread
	Delay time.Duration // file i is unlinked (i+1)*Delay after it was created
}

// Default is the configuration check uses: small enough to run in well under a second.
func Default(dir string) Config {
	return Config{Dir: dir, Files: 4, Size: 64 << 10, Chunk: 4 << 10, Delay: 20 * time.Millisecond}
}

// Validate reports a configuration the workload cannot run exactly.
func (c Config) Validate() error {
	switch {
	case c.Dir == "":
		return fmt.Errorf("workload directory not set")
	case c.Files < 1 || c.Files > 1000:
		return fmt.Errorf("files %d out of range 1..1000", c.Files)
	case c.Chunk < 1 || c.Chunk > 1<<20:
		return fmt.Errorf("chunk %d out of range 1..1048576", c.Chunk)
	case c.Size < c.Chunk || c.Size%c.Chunk != 0 || c.Size > 64<<20:
		return fmt.Errorf("size %d must be a multiple of chunk %d, at most 64 MiB", c.Size, c.Chunk)
	case c.Delay < 0 || c.Delay > 10*time.Second:
		return fmt.Errorf("delay %v out of range 0..10s", c.Delay)
	}
	return nil
}

// CreatedName and FinalName are the names file i has before and after its rename.
func CreatedName(i int) string { return fmt.Sprintf("f-%d", i) }

// FinalName is the name file i is renamed to, and unlinked under.
func FinalName(i int) string { return fmt.Sprintf("g-%d", i) }

// MissingName is the file the failing open asks for.
const MissingName = "missing"

// Counts is what the workload did in its measured phase, syscall by syscall. Every figure is
// known from the Config before the run (Expect); Run returns what it actually performed, so a
// short write or read would show up here rather than be hidden.
type Counts struct {
	Dir  string `json:"dir"`
	PID  int    `json:"pid"`
	Comm string `json:"comm"`

	Openat       int `json:"openat"`        // every openat(2), the failing one included
	OpenFailed   int `json:"open_failed"`   // openat(2) calls that failed (ENOENT)
	Creates      int `json:"creates"`       // openat(2) calls that created their file
	Write        int `json:"write"`         // write(2) calls
	Pwrite64     int `json:"pwrite64"`      // pwrite64(2) calls
	Read         int `json:"read"`          // read(2) calls, the 0-byte end-of-file reads included
	EOFReads     int `json:"eof_reads"`     // read(2) calls that returned 0
	Pread64      int `json:"pread64"`       // pread64(2) calls
	Fsync        int `json:"fsync"`         // fsync(2) calls
	Fdatasync    int `json:"fdatasync"`     // fdatasync(2) calls
	Close        int `json:"close"`         // close(2) calls
	Renameat     int `json:"renameat"`      // renameat(2) calls
	Unlinkat     int `json:"unlinkat"`      // unlinkat(2) calls
	BytesWritten int `json:"bytes_written"` // sum of write and pwrite64 return values
	BytesRead    int `json:"bytes_read"`    // sum of read and pread64 return values
	Chunk        int `json:"chunk"`         // size of every non-empty read and write

	// ElapsedMicros is the measured phase's duration, start marker to stop marker, unlink
	// delays included. bench compares it traced and untraced; check ignores it.
	ElapsedMicros int64 `json:"elapsed_us"`

	Files []File `json:"files"`
}

// File is one file's life in the workload.
type File struct {
	Created      string `json:"created"`       // path it was created under
	Final        string `json:"final"`         // path it was renamed to and unlinked under
	Inode        uint64 `json:"inode"`         // inode number (fstat after create)
	BytesWritten int    `json:"bytes_written"` // write + pwrite64 bytes
	BytesRead    int    `json:"bytes_read"`    // read + pread64 bytes
	Writes       int    `json:"writes"`        // write + pwrite64 calls
	Reads        int    `json:"reads"`         // read + pread64 calls
	Synced       string `json:"synced"`        // "fsync" or "fdatasync"
	AgeMicros    int64  `json:"age_us"`        // create (openat returned) to unlink (unlinkat called)

	// The descriptors the creating and the reading openat returned. They depend on what the
	// process has open (the Go runtime's epoll and pipe fds, bpftrace's inherited ones), so
	// Expect cannot know them; opensnoop must print them.
	CreateFD int `json:"create_fd"`
	ReadFD   int `json:"read_fd"`
}

// The open flags of the creating and the reading (and the failing) openat, exactly as passed:
// opensnoop must print them. Linux x86 values (include/uapi/asm-generic/fcntl.h), spelled out
// so that the figure tables stay portable: O_WRONLY 01, O_CREAT 0100, O_EXCL 0200, O_CLOEXEC
// 02000000, O_RDONLY 0.
const (
	CreateFlags = 0o1 | 0o100 | 0o200 | 0o2000000 // 0x800c1
	ReadFlags   = 0o2000000                       // 0x80000
)

// SyncCall is the sync system call used for file i: fsync for even i, fdatasync for odd i, so
// that both appear in every run.
func SyncCall(i int) string {
	if i%2 == 0 {
		return "fsync"
	}
	return "fdatasync"
}

// Expect returns the counts a run of c must report: the workload's contract, used by tests to
// check Run itself and by check to know what the recipes must show before the run happens.
func Expect(c Config) Counts {
	chunks := c.Size / c.Chunk
	e := Counts{
		Dir:        c.Dir,
		Openat:     2*c.Files + 1,
		OpenFailed: 1,
		Creates:    c.Files,
		Write:      c.Files * chunks,
		Pwrite64:   c.Files,
		Read:       c.Files * (chunks + 1),
		EOFReads:   c.Files,
		Pread64:    c.Files,
		Close:      2 * c.Files,
		Renameat:   c.Files,
		Unlinkat:   c.Files,
		Chunk:      c.Chunk,
	}
	for i := 0; i < c.Files; i++ {
		if SyncCall(i) == "fsync" {
			e.Fsync++
		} else {
			e.Fdatasync++
		}
		e.Files = append(e.Files, File{
			Created:      filepath.Join(c.Dir, CreatedName(i)),
			Final:        filepath.Join(c.Dir, FinalName(i)),
			BytesWritten: c.Size + c.Chunk,
			BytesRead:    c.Size + c.Chunk,
			Writes:       chunks + 1,
			Reads:        chunks + 2,
			Synced:       SyncCall(i),
		})
	}
	e.BytesWritten = c.Files * (c.Size + c.Chunk)
	e.BytesRead = c.Files * (c.Size + c.Chunk)
	return e
}
