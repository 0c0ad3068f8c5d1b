package workload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// Run performs the workload described by c and returns what it did. It calls the system calls
// directly (x/sys/unix, not os.File), so each counted operation is exactly one system call: os
// would add fstat, epoll registration and, in os.Remove, an rmdir after a failed unlink.
//
// On error the files created so far are removed (outside the measured phase) and the error says
// which step failed; the counts are then meaningless.
func Run(c Config) (got Counts, err error) {
	if err := c.Validate(); err != nil {
		return Counts{}, err
	}
	dir, err := filepath.Abs(c.Dir)
	if err != nil {
		return Counts{}, err
	}
	got = Counts{Dir: dir, PID: os.Getpid(), Chunk: c.Chunk}
	if comm, err := os.ReadFile("/proc/self/comm"); err == nil {
		got.Comm = string(comm[:len(comm)-1])
	}
	buf := make([]byte, c.Chunk)
	for i := range buf {
		buf[i] = byte('a' + i%26)
	}
	created := make([]time.Time, c.Files)
	// live maps each file the workload made and has not yet unlinked to its current path, so
	// that an error removes those and never a file that was there before.
	live := map[int]string{}
	defer func() {
		if err != nil {
			for _, p := range live {
				_ = unix.Unlink(p)
			}
		}
	}()

	// Pin GOMAXPROCS before the measured phase. Since Go 1.25 sysmon re-reads the cgroup CPU
	// limit about once a second (runtime/proc.go:6587, sysmonUpdateGOMAXPROCS), a read of
	// cpu.max or cpu.cfs_quota_us that would land in the window now and then. Setting
	// GOMAXPROCS explicitly turns those updates off, and waits for one in flight to finish
	// (runtime/debug.go GOMAXPROCS: customGOMAXPROCS, computeMaxProcsLock).
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))

	marker(StartMarker)
	begin := time.Now()
	for i := 0; i < c.Files; i++ {
		f := File{
			Created: filepath.Join(dir, CreatedName(i)),
			Final:   filepath.Join(dir, FinalName(i)),
			Synced:  SyncCall(i),
		}
		made := got.Creates
		created[i], err = writeFile(c, &got, &f, buf)
		if got.Creates > made {
			live[i] = f.Created
		}
		if err != nil {
			return got, err
		}
		if err := readFile(c, &got, &f, buf); err != nil {
			return got, err
		}
		got.Renameat++
		if err := unix.Renameat(unix.AT_FDCWD, f.Created, unix.AT_FDCWD, f.Final); err != nil {
			return got, fmt.Errorf("rename %s: %w", f.Created, os.NewSyscallError("renameat", err))
		}
		live[i] = f.Final
		got.Files = append(got.Files, f)
	}

	missing := filepath.Join(dir, MissingName)
	got.Openat++
	fd, err := unix.Openat(unix.AT_FDCWD, missing, ReadFlags, 0)
	if err == nil {
		unix.Close(fd)
		return got, fmt.Errorf("open %s: succeeded, want ENOENT", missing)
	}
	if !errors.Is(err, unix.ENOENT) {
		return got, fmt.Errorf("open %s: %w, want ENOENT", missing, err)
	}
	got.OpenFailed++

	for i := range got.Files {
		f := &got.Files[i]
		time.Sleep(time.Until(created[i].Add(time.Duration(i+1) * c.Delay)))
		at := time.Now()
		got.Unlinkat++
		if err := unix.Unlinkat(unix.AT_FDCWD, f.Final, 0); err != nil {
			return got, fmt.Errorf("unlink %s: %w", f.Final, os.NewSyscallError("unlinkat", err))
		}
		delete(live, i)
		f.AgeMicros = at.Sub(created[i]).Microseconds()
	}
	got.ElapsedMicros = time.Since(begin).Microseconds()
	marker(StopMarker)
	return got, nil
}

// writeFile creates f.Created and fills it: Size/Chunk writes, one pwrite over the first chunk,
// then fsync or fdatasync, then close. It returns when the creating openat returned, the birth
// time a tracer's filelife measures from.
func writeFile(c Config, got *Counts, f *File, buf []byte) (born time.Time, err error) {
	got.Openat++
	fd, err := unix.Openat(unix.AT_FDCWD, f.Created, CreateFlags, 0o644)
	born = time.Now()
	if err != nil {
		got.OpenFailed++
		return born, fmt.Errorf("create %s: %w", f.Created, os.NewSyscallError("openat", err))
	}
	got.Creates++
	f.CreateFD = fd
	defer func() {
		got.Close++
		if cerr := unix.Close(fd); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", f.Created, os.NewSyscallError("close", cerr))
		}
	}()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return born, fmt.Errorf("stat %s: %w", f.Created, os.NewSyscallError("fstat", err))
	}
	f.Inode = st.Ino
	for off := 0; off < c.Size; off += c.Chunk {
		got.Write++
		f.Writes++
		n, err := unix.Write(fd, buf)
		if err != nil {
			return born, fmt.Errorf("write %s: %w", f.Created, os.NewSyscallError("write", err))
		}
		if n != len(buf) {
			return born, fmt.Errorf("write %s: short write %d of %d bytes", f.Created, n, len(buf))
		}
		got.BytesWritten += n
		f.BytesWritten += n
	}
	got.Pwrite64++
	f.Writes++
	n, err := unix.Pwrite(fd, buf, 0)
	if err != nil {
		return born, fmt.Errorf("pwrite %s: %w", f.Created, os.NewSyscallError("pwrite64", err))
	}
	if n != len(buf) {
		return born, fmt.Errorf("pwrite %s: short write %d of %d bytes", f.Created, n, len(buf))
	}
	got.BytesWritten += n
	f.BytesWritten += n
	if f.Synced == "fsync" {
		got.Fsync++
		err = unix.Fsync(fd)
	} else {
		got.Fdatasync++
		err = unix.Fdatasync(fd)
	}
	if err != nil {
		return born, fmt.Errorf("sync %s: %w", f.Created, os.NewSyscallError(f.Synced, err))
	}
	return born, nil
}

// readFile reads f.Created back in Chunk-sized reads until read returns 0, then preads its last
// chunk.
func readFile(c Config, got *Counts, f *File, buf []byte) (err error) {
	got.Openat++
	fd, err := unix.Openat(unix.AT_FDCWD, f.Created, ReadFlags, 0)
	if err != nil {
		got.OpenFailed++
		return fmt.Errorf("open %s: %w", f.Created, os.NewSyscallError("openat", err))
	}
	f.ReadFD = fd
	defer func() {
		got.Close++
		if cerr := unix.Close(fd); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", f.Created, os.NewSyscallError("close", cerr))
		}
	}()
	for {
		got.Read++
		f.Reads++
		n, err := unix.Read(fd, buf)
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Created, os.NewSyscallError("read", err))
		}
		if n == 0 {
			got.EOFReads++
			break
		}
		if n != len(buf) {
			return fmt.Errorf("read %s: short read %d of %d bytes", f.Created, n, len(buf))
		}
		got.BytesRead += n
		f.BytesRead += n
	}
	got.Pread64++
	f.Reads++
	n, err := unix.Pread(fd, buf, int64(c.Size-c.Chunk))
	if err != nil {
		return fmt.Errorf("pread %s: %w", f.Created, os.NewSyscallError("pread64", err))
	}
	if n != len(buf) {
		return fmt.Errorf("pread %s: short read %d of %d bytes", f.Created, n, len(buf))
	}
	got.BytesRead += n
	f.BytesRead += n
	return nil
}

// marker makes the faccessat(2) call a tracer watches for. It fails with ENOENT by design.
func marker(name string) {
	_ = unix.Faccessat(unix.AT_FDCWD, name, unix.F_OK, 0)
}
