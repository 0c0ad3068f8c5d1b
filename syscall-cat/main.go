// Command syscall-cat is GNU cat (coreutils 9.1), byte for byte, on raw system calls, copying
// through the kernel's zero-copy paths, inside a seccomp filter it installs on itself.
//
// Synopsis:
//
//	syscall-cat [OPTION]... [FILE]...
//
// Options (GNU cat's; long options may be abbreviated, options and files may be mixed unless
// POSIXLY_CORRECT is set, "--" ends options, "-" is standard input):
//
//	-A, --show-all           equivalent to -vET
//	-b, --number-nonblank    number nonempty output lines, overrides -n
//	-e                       equivalent to -vE
//	-E, --show-ends          display $ at end of each line
//	-n, --number             number all output lines
//	-s, --squeeze-blank      suppress repeated empty output lines
//	-t                       equivalent to -vT
//	-T, --show-tabs          display TAB characters as ^I
//	-u                       (ignored)
//	-v, --show-nonprinting   use ^ and M- notation, except for LFD and TAB
//	    --help, --version
//
// Environment:
//
//	SYSCALL_CAT_SECCOMP=kill|log|errno   what an unlisted system call does: kill the process
//	                                     (default), be allowed and logged by the kernel, or fail
//	                                     with EPERM. For debugging the policy only.
//
// Two GNU behaviours cannot be reproduced from Go, see README.md: a closed fd 0, 1 or 2 is
// reopened on /dev/null by the runtime before main, and an inherited SIG_IGN for SIGPIPE is
// replaced by the runtime's handler before main.
package main

import (
	_ "embed"
	"errors"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/syscall-cat/internal/gnu"
	"kernel-foundations/syscall-cat/internal/seccomp"
	"kernel-foundations/syscall-cat/internal/zerocopy"
)

//go:embed seccomp.policy
var policyText string

func main() {
	os.Exit(run(os.Args[0], os.Args[1:], os.Getenv))
}

// run is the whole program. It works on file descriptors 0, 1 and 2 rather than io.Readers:
// cat's contract is about descriptors (their kinds, positions, inode identity and flags).
// It returns the exit status; a write error or EPIPE ends the process from inside.
func run(prog string, args []string, getenv func(string) string) int {
	mode, err := seccomp.ParseMode(getenv("SYSCALL_CAT_SECCOMP"))
	if err != nil {
		fatal(prog, err.Error())
	}
	c := &cat{prog: prog, utf8: utf8Locale(getenv)} // may stat locale files: before the filter
	if err := confine(mode); err != nil {
		fatal(prog, "install seccomp filter: "+err.Error())
	}

	cmd := gnu.Parse(args, getenv("POSIXLY_CORRECT") != "")
	switch cmd.Action {
	case gnu.ActionHelp:
		c.writeText(gnu.Help(prog))
		return c.closeStdout()
	case gnu.ActionVersion:
		c.writeText(gnu.Version)
		return c.closeStdout()
	case gnu.ActionUsage:
		c.stderr(prog + ": " + cmd.Diag + "\n" + gnu.TryHelp(prog))
		return 1
	}
	ok := c.catAll(cmd.Opts, cmd.Files)
	if st := c.closeStdout(); st != 0 || !ok {
		return 1
	}
	return 0
}

// confine installs the seccomp filter built from the embedded policy.
func confine(mode seccomp.Mode) error {
	p, err := seccomp.Parse(policyText)
	if err != nil {
		return err
	}
	prog, err := p.Assemble(mode)
	if err != nil {
		return err
	}
	return seccomp.Install(prog)
}

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
		if fd != 0 {
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
		n, err := unix.Read(fd, in)
		if errors.Is(err, unix.EINTR) {
			continue
		}
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

// openRead opens name read-only and close-on-exec, retrying EINTR (an open of a FIFO blocks
// until a writer arrives and can be interrupted by a signal).
func openRead(name string) (int, error) {
	for {
		fd, err := unix.Openat(unix.AT_FDCWD, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
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
		n, err := unix.Write(1, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
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

// dieOfSIGPIPE terminates the process by SIGPIPE, as the kernel would have if Go's runtime had
// not installed its own handler (runtime/signal_unix.go initsig): the disposition goes back to
// SIG_DFL and the signal is sent to this thread, which dies when tgkill returns. It returns only
// if SIGPIPE is blocked in this thread's mask, inherited from the parent and kept by the
// runtime (SIGPIPE is not one of the signals the runtime unblocks: blockableSig).
func dieOfSIGPIPE() {
	runtime.LockOSThread() // the mask checked and the thread signalled must be the same
	var mask unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, nil, &mask); err == nil {
		if mask.Val[(unix.SIGPIPE-1)/64]&(1<<((unix.SIGPIPE-1)%64)) != 0 {
			return
		}
	}
	// struct kernel_sigaction for x86-64: handler, flags, restorer, mask. All zero: SIG_DFL.
	var act [4]uint64
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(unix.SIGPIPE), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	runtime.KeepAlive(&act)
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), unix.SIGPIPE)
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
		n, err := unix.Write(2, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
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

// utf8Locale reports whether the C library would run with a UTF-8 LC_CTYPE: the first of
// LC_ALL, LC_CTYPE, LANG that is set names a UTF-8 locale that exists. Only then does GNU leave
// printable non-ASCII characters unescaped in quoted file names.
func utf8Locale(getenv func(string) string) bool {
	name := ""
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if name = getenv(v); name != "" {
			break
		}
	}
	base, codeset, ok := strings.Cut(name, ".")
	if !ok {
		return false
	}
	codeset, _, _ = strings.Cut(codeset, "@")
	if cs := strings.ToLower(strings.ReplaceAll(codeset, "-", "")); cs != "utf8" {
		return false
	}
	if base == "C" {
		return true // glibc 2.35+ builds C.UTF-8 in
	}
	// Other locales exist only if installed (the archive, or a directory named with the
	// normalised codeset, as glibc's locale loader looks them up).
	var st unix.Stat_t
	return unix.Stat("/usr/lib/locale/"+base+".utf8", &st) == nil ||
		unix.Stat("/usr/lib/locale/locale-archive", &st) == nil
}
