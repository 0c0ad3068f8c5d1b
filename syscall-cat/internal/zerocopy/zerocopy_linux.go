// Package zerocopy moves the bytes of one file descriptor to another with the cheapest system
// call the pair of file kinds allows, falling back step by step to read(2)/write(2):
//
//	regular -> regular (not O_APPEND)    copy_file_range(2): the filesystem may share extents
//	regular/block -> anything but a pipe sendfile(2): page cache straight to the output
//	pipe -> anything, anything -> pipe   splice(2)
//	socket/char device -> non-pipe       splice(2) through a private pipe grown to 1 MiB
//	directories and the rest             read(2), which reports EISDIR and the like
//	otherwise, and whenever one refuses  read(2)/write(2) with a 128 KiB buffer
//
// All these calls advance the file positions exactly like read and write do, so switching method
// in the middle of a file never loses or repeats a byte. A zero-copy call that fails is never
// reported: the read/write path takes over and meets the same error on the side it belongs to,
// so the caller learns whether reading or writing failed, with the real errno.
package zerocopy

import (
	"golang.org/x/sys/unix"
)

// BufSize is the read/write fallback's buffer: GNU cat's io_blksize (128 KiB) so that the
// fallback makes no more system calls than GNU does.
const BufSize = 128 << 10

// privatePipeSize is what the private pipe is grown to with F_SETPIPE_SZ: the default
// /proc/sys/fs/pipe-max-size, so each splice pair moves 1 MiB instead of 64 KiB.
const privatePipeSize = 1 << 20

// defaultPipeSize is a new pipe's capacity (16 pages, pipe(7)).
const defaultPipeSize = 64 << 10

// chunk is the length asked of each zero-copy call; the kernel moves what fits.
const chunk = 1 << 30

// Error is a failed read or write, with the errno the kernel gave.
type Error struct {
	Op  string // "read" or "write"
	Err error
}

func (e *Error) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Method names a copying strategy, for tests and traces.
type Method string

const (
	CopyFileRange Method = "copy_file_range"
	Sendfile      Method = "sendfile"
	Splice        Method = "splice"
	SplicePipe    Method = "splice via private pipe"
	ReadWrite     Method = "read/write"
)

// Copier copies inputs, one after the other, to one output descriptor it does not own.
type Copier struct {
	out       int
	outMode   uint32
	outAppend bool // copy_file_range, sendfile and splice refuse O_APPEND outputs
	outTTY    bool
	outGrown  bool // the output pipe was offered a bigger buffer
	buf       []byte
	pipe      [2]int // private pipe, created on first use; -1 when absent
	// Used lists the methods that moved at least one byte, in order of first use.
	Used []Method
}

// New returns a Copier writing to out, whose fstat is outSt.
func New(out int, outSt *unix.Stat_t) (*Copier, error) {
	fl, err := unix.FcntlInt(uintptr(out), unix.F_GETFL, 0)
	if err != nil {
		return nil, &Error{"write", err}
	}
	return &Copier{
		out:       out,
		outMode:   outSt.Mode & unix.S_IFMT,
		outAppend: fl&unix.O_APPEND != 0,
		outTTY:    outSt.Mode&unix.S_IFMT == unix.S_IFCHR && isTTY(out), // only a character device can be one
		pipe:      [2]int{-1, -1},
	}, nil
}

// Close releases the private pipe. It is idempotent.
func (c *Copier) Close() error {
	var err error
	for i, fd := range c.pipe {
		if fd >= 0 {
			if e := unix.Close(fd); e != nil && err == nil {
				err = e
			}
			c.pipe[i] = -1
		}
	}
	return err
}

// Copy copies in, whose fstat is inSt, from its current position to its end.
func (c *Copier) Copy(in int, inSt *unix.Stat_t) error {
	inMode := inSt.Mode & unix.S_IFMT
	inReg := inMode == unix.S_IFREG || inMode == unix.S_IFBLK
	outPipe := c.outMode == unix.S_IFIFO
	inPipe := inMode == unix.S_IFIFO
	// Terminals stay on read/write: a read returns one line, and EOF (^D) must end this
	// operand after exactly one read returning 0, as it does for GNU.
	if c.outTTY || (inMode == unix.S_IFCHR && isTTY(in)) {
		return c.readWrite(in)
	}
	if !c.outAppend {
		// A first copy_file_range that moves nothing without an error is the input's EOF as
		// the page cache sees it (an empty file, or a /proc or /sys file whose size is 0):
		// sendfile would read the same page cache and say the same, so only read is asked.
		cfrSawEOF := false
		if inMode == unix.S_IFREG && c.outMode == unix.S_IFREG {
			done, empty := c.run(in, CopyFileRange, func() (int, error) {
				return unix.CopyFileRange(in, nil, c.out, nil, chunk, 0)
			}, true)
			if done {
				return nil
			}
			cfrSawEOF = empty
		}
		if inReg && !outPipe && !cfrSawEOF {
			if done, _ := c.run(in, Sendfile, func() (int, error) {
				return unix.Sendfile(c.out, in, nil, chunk)
			}, true); done {
				return nil
			}
		}
		// A regular file that fits in a pipe as it is gains nothing from a bigger one: the
		// growth (two fcntl calls and a bigger ring) waits for an input that may not.
		if outPipe && !c.outGrown && !(inMode == unix.S_IFREG && inSt.Size <= defaultPipeSize) {
			c.outGrown = true
			growPipe(c.out)
		}
		if inPipe || outPipe {
			// A splice into a full pipe waits for room before it looks at the input, so the
			// call that would only say "end of file" blocks until the reader has drained the
			// pipe: a round trip to the reader for every file that ends as the pipe fills (64
			// KiB, the default size, cost 15% more than io.Copy's write and read). For a
			// regular file, splice what its size says is left, then let read find the end
			// without touching the pipe (or copy what was appended meanwhile).
			limit := int64(-1)
			if inMode == unix.S_IFREG {
				if pos, err := unix.Seek(in, 0, unix.SEEK_CUR); err == nil {
					limit = max(inSt.Size-pos, 0)
				}
			}
			var moved int64
			done, _ := c.run(in, Splice, func() (int, error) {
				want := int64(chunk)
				if limit >= 0 {
					if moved >= limit {
						return 0, nil
					}
					want = min(want, limit-moved)
				}
				n, err := unix.Splice(in, nil, c.out, nil, int(want), unix.SPLICE_F_MOVE)
				if err != nil {
					return 0, err
				}
				moved += n
				return int(n), nil
			}, inReg && limit < 0)
			if done && limit < 0 {
				return nil
			}
		} else if inMode == unix.S_IFSOCK || inMode == unix.S_IFCHR {
			done, err := c.splicePipe(in)
			if done || err != nil {
				return err
			}
		}
	}
	return c.readWrite(in)
}

// run drives one zero-copy call to EOF and reports whether it got there. It stops at the first
// error, leaving the rest to the next method. For a regular input a first call that moves
// nothing is not believed: copy_file_range and sendfile return 0 for /proc and /sys files, whose
// size is 0 but whose reads are not empty; empty reports that case.
func (c *Copier) run(in int, m Method, call func() (int, error), distrustEmpty bool) (done, empty bool) {
	var moved bool
	for {
		n, err := IgnoringEINTR(call)
		switch {
		case err != nil:
			return false, false
		case n == 0:
			return moved || !distrustEmpty, !moved
		}
		if !moved {
			moved = true
			c.used(m)
		}
	}
}

// splicePipe moves in to the output through a private pipe: splice needs a pipe on one side.
// done is true at EOF. If the output refuses splice, the bytes already in the pipe are drained
// with read/write before returning, so the caller's read/write fallback continues exactly where
// the input stands.
func (c *Copier) splicePipe(in int) (done bool, err error) {
	if c.pipe[0] < 0 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return false, nil // no pipe, no splice: read/write needs none
		}
		c.pipe = p
		// Best effort: an unprivileged process may be over its pipe-user-pages quota.
		_, _ = unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, privatePipeSize)
	}
	r, w := c.pipe[0], c.pipe[1]
	for first := true; ; first = false {
		n, err := IgnoringEINTR(func() (int, error) {
			n, err := unix.Splice(in, nil, w, nil, chunk, unix.SPLICE_F_MOVE)
			return int(n), err
		})
		switch {
		case err != nil:
			return false, nil // nothing moved by this call; the pipe is empty
		case n == 0:
			return true, nil
		}
		if first {
			c.used(SplicePipe)
		}
		for left := n; left > 0; {
			m, err := IgnoringEINTR(func() (int, error) {
				m, err := unix.Splice(r, nil, c.out, nil, left, unix.SPLICE_F_MOVE)
				return int(m), err
			})
			if err != nil || m == 0 {
				return false, c.drain(r, left)
			}
			left -= m
		}
	}
}

// drain copies the n bytes left in the private pipe with read/write.
func (c *Copier) drain(r, n int) error {
	buf := c.buffer()
	for n > 0 {
		k, err := readFull(r, buf[:min(n, len(buf))])
		if err != nil {
			return &Error{"read", err}
		}
		if err := c.write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// readWrite is the universal fallback.
func (c *Copier) readWrite(in int) error {
	buf := c.buffer()
	for first := true; ; first = false {
		n, err := IgnoringEINTR(func() (int, error) { return unix.Read(in, buf) })
		switch {
		case err != nil:
			return &Error{"read", err}
		case n == 0:
			return nil
		}
		if first {
			c.used(ReadWrite)
		}
		if err := c.write(buf[:n]); err != nil {
			return err
		}
	}
}

// Write writes all of p to the output, retrying short writes and EINTR.
func (c *Copier) Write(p []byte) error { return c.write(p) }

func (c *Copier) write(p []byte) error {
	for len(p) > 0 {
		n, err := IgnoringEINTR(func() (int, error) { return unix.Write(c.out, p) })
		if err != nil {
			return &Error{"write", err}
		}
		p = p[n:]
	}
	return nil
}

func (c *Copier) buffer() []byte {
	if c.buf == nil {
		c.buf = make([]byte, BufSize)
	}
	return c.buf
}

func (c *Copier) used(m Method) {
	for _, u := range c.Used {
		if u == m {
			return
		}
	}
	c.Used = append(c.Used, m)
}

// readFull reads exactly len(p) bytes from a pipe known to hold them.
func readFull(fd int, p []byte) (int, error) {
	got := 0
	for got < len(p) {
		n, err := IgnoringEINTR(func() (int, error) { return unix.Read(fd, p[got:]) })
		if err != nil {
			return got, err
		}
		if n == 0 {
			return got, unix.EIO // cannot happen: the write end is ours and open
		}
		got += n
	}
	return got, nil
}

// IgnoringEINTR calls f until it fails with something other than EINTR. The runtime installs
// its handlers with SA_RESTART (runtime/os_linux.go:480), so the kernel restarts most calls by
// itself, but its preemption signal (SIGURG) arrives at any time and signal(7) lists calls that
// are never restarted; a blocking splice or read on a pipe must not turn that into an error.
// This is the only place EINTR is handled, for this package and for main.
func IgnoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// isTTY reports whether fd is a terminal: TCGETS succeeds only on ttys.
func isTTY(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// growPipe raises a pipe's buffer to privatePipeSize if it is smaller, so that each splice and
// each of the reader's reads move up to 1 MiB instead of 64 KiB (16 pages): a quarter of the
// wake-ups on both sides. It only ever grows: a pipe somebody made bigger stays so. Failure is
// harmless (the user may be over /proc/sys/fs/pipe-user-pages-soft, where the kernel refuses).
func growPipe(fd int) {
	size, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
	if err == nil && size < privatePipeSize {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, privatePipeSize)
	}
}
