package ptrace

import (
	"encoding/binary"
	"io"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeMem is a tracee address space made of a few regions; reads past a region's end are short
// and reads outside every region fail with EFAULT, as process_vm_readv does.
type fakeMem map[uint64][]byte

func (m fakeMem) read(addr uint64, p []byte) (int, error) {
	for base, b := range m {
		if addr >= base && addr < base+uint64(len(b)) {
			return copy(p, b[addr-base:]), nil
		}
	}
	return 0, unix.EFAULT
}

// format renders a whole call as the tracer does: the entry half, then the exit half.
func format(name string, args [6]uint64, mem memReader, rval int64, isErr bool) string {
	c := call{name: name, args: args, mem: mem, t: New(Options{Out: io.Discard}), rval: rval, isErr: isErr}
	return c.entryText() + c.exitText()
}

func TestFormatArgs(t *testing.T) {
	argv := make([]byte, 24)
	binary.LittleEndian.PutUint64(argv[0:], 0x3000)
	binary.LittleEndian.PutUint64(argv[8:], 0x3003)
	mem := fakeMem{
		0x1000: []byte("/etc/hostname\x00"),
		0x2000: []byte("hello\n"),
		0x3000: []byte("sh\x00-c\x00"),
		0x4000: argv,
		0x5000: {0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0},             // SIGCHLD (17) only: bit 16
		0x6000: {0xff, 0xff, 0xff, 0xff, 0xfc, 0xff, 0xff, 0xff}, // all but 33, 34 (bits 32, 33)
	}
	for _, tc := range []struct {
		name string
		args [6]uint64
		want string
	}{
		{"openat", [6]uint64{uint64(0xffffff9c), 0x1000, unix.O_RDONLY | unix.O_CLOEXEC}, `openat(AT_FDCWD, "/etc/hostname", O_RDONLY|O_CLOEXEC)`},
		{"openat", [6]uint64{3, 0x1000, unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC, 0o644}, `openat(3, "/etc/hostname", O_WRONLY|O_CREAT|O_TRUNC, 0644)`},
		{"write", [6]uint64{1, 0x2000, 6}, `write(1, "hello\n", 6)`},
		{"write", [6]uint64{1, 0x2000, 100}, `write(1, "hello\n"..., 100)`},
		{"execve", [6]uint64{0x1000, 0x4000, 0}, `execve("/etc/hostname", ["sh", "-c"], NULL /* 0 vars */)`},
		{"kill", [6]uint64{42, uint64(unix.SIGTERM)}, `kill(42, SIGTERM)`},
		{"rt_sigprocmask", [6]uint64{unix.SIG_BLOCK, 0x5000, 0, 8}, `rt_sigprocmask(SIG_BLOCK, [CHLD], NULL, 8)`},
		{"rt_sigprocmask", [6]uint64{unix.SIG_SETMASK, 0x6000, 0, 8}, `rt_sigprocmask(SIG_SETMASK, ~[RT_1 RT_2], NULL, 8)`},
		{"clone", [6]uint64{unix.CLONE_VM | unix.CLONE_VFORK | uint64(unix.SIGCHLD)}, `clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD)`},
		{"mmap", [6]uint64{0, 8192, unix.PROT_READ | unix.PROT_WRITE, unix.MAP_PRIVATE | unix.MAP_ANONYMOUS, 0xffffffff, 0}, `mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`},
		{"wait4", [6]uint64{0xffffffff, 0x7ffc0000, unix.WNOHANG, 0}, `wait4(-1, 0x7ffc0000, WNOHANG, NULL)`},
		{"newfstatat", [6]uint64{3, 0x9000, 0x7ffc0000, unix.AT_EMPTY_PATH}, `newfstatat(3, 0x9000, 0x7ffc0000, AT_EMPTY_PATH)`},
		{"getpid", [6]uint64{}, `getpid()`},
		{"futex", [6]uint64{0x7f00, 129, 0x7fffffff}, `futex(0x7f00, FUTEX_WAKE_PRIVATE, 2147483647)`},
		{"socket", [6]uint64{unix.AF_UNIX, unix.SOCK_STREAM | unix.SOCK_CLOEXEC | unix.SOCK_NONBLOCK}, `socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0)`},
		{"prlimit64", [6]uint64{0, unix.RLIMIT_STACK, 0, 0x7ffc0000}, `prlimit64(0, RLIMIT_STACK, NULL, 0x7ffc0000)`},
		{"ioctl", [6]uint64{1, unix.TCGETS, 0x7ffc0000}, `ioctl(1, TCGETS, 0x7ffc0000)`},
		{"arch_prctl", [6]uint64{0x1002, 0x7f67c6852800}, `arch_prctl(ARCH_SET_FS, 0x7f67c6852800)`},
		{"io_uring_enter", [6]uint64{1, 2, 3, 4, 5, 6}, `io_uring_enter(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)`},
	} {
		// The calls that write memory failed here (EFAULT): their out-arguments print as addresses.
		if got := format(tc.name, tc.args, mem.read, -14, true); got != tc.want {
			t.Errorf("%s(%x) = %s, want %s", tc.name, tc.args, got, tc.want)
		}
	}
}

func TestFormatReturn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rval  int64
		isErr bool
		want  string
	}{
		{"openat", 3, false, "3"},
		{"openat", -int64(unix.ENOENT), true, "-1 ENOENT (No such file or directory)"},
		{"wait4", -int64(unix.ECHILD), true, "-1 ECHILD (No child processes)"},
		{"wait4", -512, true, "? ERESTARTSYS (To be restarted if SA_RESTART is set)"},
		{"mmap", 0x7f0000001000, false, "0x7f0000001000"},
		{"brk", 0x55aa000, false, "0x55aa000"},
	} {
		c := call{name: tc.name, rval: tc.rval, isErr: tc.isErr, t: New(Options{Out: io.Discard})}
		if got := c.formatReturn(); got != tc.want {
			t.Errorf("formatReturn(%s, %d, %v) = %q, want %q", tc.name, tc.rval, tc.isErr, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		in   string
		hex  int
		want string
	}{
		{"a\"b\\c\t\x1b", 0, `"a\"b\\c\t\33"...`},
		{"\x001\x00x", 0, `"\0001\0x"...`}, // three digits before an octal digit
		{"ab\n", 1, `"ab\n"...`},           // -x: printable and white space stay
		{"a\x01", 1, `"\x61\x01"...`},      // -x: one unprintable byte: all hex
		{"ab", 2, `"\x61\x62"...`},         // -xx
	} {
		if got := quote([]byte(tc.in), true, tc.hex); got != tc.want {
			t.Errorf("quote(%q, hex %d) = %s, want %s", tc.in, tc.hex, got, tc.want)
		}
	}
}
