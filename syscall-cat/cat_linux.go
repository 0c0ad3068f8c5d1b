package main

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"kernel-foundations/syscall-cat/internal/gnu"
	"kernel-foundations/syscall-cat/internal/zerocopy"
)

type cat struct {
	prog   string
	utf8   bool
	out    *zerocopy.Copier
	in     []byte // formatting buffers, shared by all operands
	fmtOut []byte
}

// catAll is GNU cat's main loop: each operand in order, errors reported and skipped.
func (c *cat) catAll(opts gnu.Options, files []string) bool {
	var outSt unix.Stat_t
	if err := fstat(1, &outSt); err != nil {
		c.die("standard output", err)
	}
	out, err := zerocopy.New(1, &outSt)
	if err != nil {
		c.writeFailed(err)
	}
	c.out = out
	defer out.Close()
	outReg := outSt.Mode&unix.S_IFMT == unix.S_IFREG

	var f *gnu.Formatter
	if opts.Formatting() {
		f = gnu.NewFormatter(opts)
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	ok, readStdin := true, false
	for _, name := range files {
		fd := 0
		if name == "-" {
			readStdin = true
		} else {
			fd, err = openRead(name)
			if err != nil {
				c.report(name, err)
				ok = false
				continue
			}
		}
		if !c.catOne(name, fd, f, outReg, &outSt) {
			ok = false
		}
		if name != "-" {
			if err := unix.Close(fd); err != nil {
				c.report(name, err)
				ok = false
			}
		}
	}
	if f != nil {
		if tail := f.Finish(nil); len(tail) > 0 {
			c.write(tail)
		}
	}
	if readStdin {
		if err := unix.Close(0); err != nil {
			c.die("closing standard input", err)
		}
	}
	return ok
}

// catOne copies one open operand to standard output.
func (c *cat) catOne(name string, fd int, f *gnu.Formatter, outReg bool, outSt *unix.Stat_t) bool {
	var st unix.Stat_t
	if err := fstat(fd, &st); err != nil {
		c.report(name, err)
		return false
	}
	// coreutils 9.1: refuse to copy a file onto itself while there is still something to read
	// (stdout a regular file, same device and inode, input position before its size).
	if outReg && st.Dev == outSt.Dev && st.Ino == outSt.Ino {
		if pos, err := unix.Seek(fd, 0, unix.SEEK_CUR); err != nil || pos < st.Size {
			c.stderr(c.prog + ": " + gnu.Quote(name, c.utf8) + ": input file is output file\n")
			return false
		}
	}
	var err error
	if f == nil {
		err = c.out.Copy(fd, &st)
	} else {
		err = c.format(fd, f)
	}
	var ce *zerocopy.Error
	if errors.As(err, &ce) && ce.Op == "write" {
		c.writeFailed(ce.Err)
	}
	if err != nil {
		c.report(name, unwrap(err))
		return false
	}
	return true
}

// format runs the formatting transform, writing after every read so that interactive use sees
// each line at once (GNU writes before any read that would block).
func (c *cat) format(fd int, f *gnu.Formatter) error {
	if c.in == nil {
		c.in = make([]byte, zerocopy.BufSize)
		c.fmtOut = make([]byte, 0, 4*zerocopy.BufSize+zerocopy.BufSize/2)
	}
	in, out := c.in, c.fmtOut
	for {
		n, err := zerocopy.IgnoringEINTR(func() (int, error) { return unix.Read(fd, in) })
		if err != nil {
			return &zerocopy.Error{Op: "read", Err: err}
		}
		if n == 0 {
			return nil
		}
		out = f.Format(out[:0], in[:n])
		c.fmtOut = out // keep the grown buffer for the next file
		c.write(out)
	}
}

// openRead opens name read-only and close-on-exec (an open of a FIFO blocks until a writer
// arrives, so it too may see EINTR).
func openRead(name string) (int, error) {
	return zerocopy.IgnoringEINTR(func() (int, error) {
		return unix.Openat(unix.AT_FDCWD, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	})
}

func fstat(fd int, st *unix.Stat_t) error {
	return unix.Fstat(fd, st)
}

func (c *cat) write(p []byte) {
	if err := c.out.Write(p); err != nil {
		c.writeFailed(unwrap(err))
	}
}

// writeText writes --help or --version output to fd 1 (no Copier exists yet).
func (c *cat) writeText(s string) {
	b := []byte(s)
	for len(b) > 0 {
		n, err := zerocopy.IgnoringEINTR(func() (int, error) { return unix.Write(1, b) })
		if err != nil {
			c.writeFailed(err)
		}
		b = b[n:]
	}
}

// closeStdout is gnulib's close_stdout: a failing close of standard output is a write error
// (EBADF excepted: nothing was open to fail).
func (c *cat) closeStdout() int {
	if err := unix.Close(1); err != nil && !errors.Is(err, unix.EBADF) {
		c.stderr(c.prog + ": write error: " + strerror(err) + "\n")
		return 1
	}
	return 0
}

// writeFailed ends the process the way GNU cat does after a failed write: EPIPE kills it with
// SIGPIPE (unless SIGPIPE is blocked, when GNU too sees EPIPE and reports it); anything else is
// "write error" and exit status 1.
func (c *cat) writeFailed(err error) {
	if errors.Is(err, unix.EPIPE) {
		dieOfSIGPIPE()
	}
	c.die("write error", err)
}

// report prints "prog: NAME: message" for an operand that failed.
func (c *cat) report(name string, err error) {
	c.stderr(c.prog + ": " + gnu.Quote(name, c.utf8) + ": " + strerror(err) + "\n")
}

// die prints "prog: what: message" and exits 1.
func (c *cat) die(what string, err error) {
	c.stderr(c.prog + ": " + what + ": " + strerror(err) + "\n")
	os.Exit(1)
}

func (c *cat) stderr(s string) {
	b := []byte(s)
	for len(b) > 0 {
		n, err := zerocopy.IgnoringEINTR(func() (int, error) { return unix.Write(2, b) })
		if errors.Is(err, unix.EPIPE) {
			dieOfSIGPIPE() // as GNU's error() dies writing to a broken stderr
		}
		if err != nil {
			return // nowhere left to complain
		}
		b = b[n:]
	}
}

// fatal reports a start-up failure (before anything was read or written) and exits 1.
func fatal(prog, msg string) {
	(&cat{prog: prog}).stderr(prog + ": " + msg + "\n")
	os.Exit(1)
}

func unwrap(err error) error {
	var ce *zerocopy.Error
	if errors.As(err, &ce) {
		return ce.Err
	}
	return err
}

// strerror is glibc's message for err's errno, as GNU prints it.
func strerror(err error) string {
	var e unix.Errno
	if errors.As(err, &e) {
		return gnu.Strerror(int(e))
	}
	return err.Error()
}
