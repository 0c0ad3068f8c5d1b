package ptrace

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Argument kinds, one letter per argument, in a syscall's spec string.
const (
	argInt     = 'i' // int, decimal
	argDirfd   = 'f' // dirfd: AT_FDCWD or an fd
	argUlong   = 'u' // unsigned long, decimal
	argLong    = 'd' // long (off_t), decimal
	argHex     = 'x' // pointer or opaque value: NULL or 0x...
	argPath    = 's' // NUL-terminated string in the tracee (a path), printed in full
	argBuf     = 'b' // buffer whose length is the next argument (write), printed quoted, truncated
	argOpen    = 'o' // open(2) flags
	argMode    = 'm' // mode_t, octal
	argSignal  = 'S' // signal number
	argClone   = 'C' // clone(2) flags (low byte: exit signal)
	argProt    = 'P' // mmap protection
	argMmap    = 'M' // mmap flags
	argWait    = 'W' // wait options
	argAt      = 'A' // AT_* flags
	argArgv    = 'v' // argv: array of strings
	argEnvp    = 'e' // envp: counted, not printed (strace's /* N vars */)
	argHow     = 'h' // sigprocmask how
	argWhence  = 'w' // lseek whence
	argFcntl   = 'F' // fcntl command
	argAccess  = 'a' // access(2) mode
	argSigset  = 'k' // sigset_t pointer: decoded signal names
	argPipeFds = 'p' // int[2] written by the kernel: decoded at exit
	argRlimit  = 'R' // RLIMIT_* resource
	argDomain  = 'D' // socket address family
	argSockTyp = 'T' // socket type and flags
	argFutex   = 'X' // futex operation
	argIoctl   = 'c' // ioctl request
	argArchPrc = 'r' // arch_prctl code
)

// specs gives the argument kinds of the syscalls decoded by name. A syscall not listed here is
// printed with its six raw argument registers in hex.
var specs = map[string]string{
	"read": "ixu", "write": "ibu", "pread64": "ixud", "pwrite64": "ibud", "readv": "ixu", "writev": "ixu",
	"open": "som", "openat": "fsom", "openat2": "fsxu", "creat": "sm", "close": "i", "close_range": "uux",
	"stat": "sx", "lstat": "sx", "fstat": "ix", "newfstatat": "fsxA", "statx": "fsAxx", "statfs": "sx", "fstatfs": "ix",
	"access": "sa", "faccessat": "fsa", "faccessat2": "fsaA",
	"execve": "sve", "execveat": "fsveA", "exit": "i", "exit_group": "i",
	"kill": "iS", "tkill": "iS", "tgkill": "iiS", "pidfd_send_signal": "iSxx", "pidfd_open": "iu",
	"rt_sigaction": "Sxxu", "rt_sigprocmask": "hkxu", "rt_sigreturn": "", "rt_sigsuspend": "ku", "pause": "",
	"clone": "Cxxxx", "clone3": "xu", "fork": "", "vfork": "", "wait4": "ixWx", "waitid": "iixWx",
	"chdir": "s", "fchdir": "i", "getcwd": "xu", "mkdir": "sm", "mkdirat": "fsm", "rmdir": "s",
	"unlink": "s", "unlinkat": "fsA", "rename": "ss", "renameat": "fsfs", "renameat2": "fsfsu",
	"link": "ss", "linkat": "fsfsA", "symlink": "ss", "symlinkat": "sfs",
	"readlink": "sxu", "readlinkat": "fsxu", "chmod": "sm", "fchmod": "im", "fchmodat": "fsm",
	"chown": "sii", "fchown": "iii", "lchown": "sii", "fchownat": "fsiiA", "truncate": "sd", "ftruncate": "id",
	"mmap": "xuPMid", "mprotect": "xuP", "munmap": "xu", "brk": "x", "mremap": "xuuxx", "madvise": "xui",
	"dup": "i", "dup2": "ii", "dup3": "iio", "pipe": "p", "pipe2": "po", "fcntl": "iFx", "ioctl": "icx",
	"lseek": "idw", "getdents64": "ixu", "fadvise64": "iddi", "fsync": "i", "fdatasync": "i",
	"umask": "m", "getpid": "", "getppid": "", "gettid": "", "getuid": "", "geteuid": "", "getgid": "",
	"getegid": "", "setsid": "", "getpgrp": "", "setpgid": "ii", "getpgid": "i", "sched_yield": "",
	"set_tid_address": "x", "set_robust_list": "xu", "arch_prctl": "rx", "prlimit64": "iRxx",
	"getrandom": "xux", "rseq": "xuix", "futex": "xXxxxx", "nanosleep": "xx", "clock_nanosleep": "iixx",
	"sysinfo": "x", "uname": "x", "socket": "DTi", "connect": "ixu", "bind": "ixu", "listen": "ii",
	"accept4": "ixxx", "sendto": "ibuixu", "recvfrom": "ixuixx", "shutdown": "ii",
	"prctl": "ixxxx", "poll": "xui", "ppoll": "xuxxu", "select": "ixxxx", "epoll_create1": "x",
	"eventfd2": "ux", "sendfile": "iixu", "getrlimit": "Rx", "setrlimit": "Rx", "socketpair": "DTix",
	"getxattr": "ssxu", "lgetxattr": "ssxu", "fgetxattr": "isxu", "listxattr": "sxu", "llistxattr": "sxu", "copy_file_range": "ixixux", "splice": "ixixux",
}

// returnsHex lists syscalls whose success value is an address.
var returnsHex = map[string]bool{"mmap": true, "brk": true, "mremap": true, "shmat": true}

// memReader reads the tracee's memory.
type memReader func(addr uint64, p []byte) (int, error)

// formatArgs renders a syscall's arguments at entry. pipe fds (written by the kernel) are left as
// an address; the caller may add output decoding at exit.
func formatArgs(name string, args [6]uint64, mem memReader) string {
	spec, ok := specs[name]
	if !ok {
		parts := make([]string, 6)
		for i, a := range args {
			parts[i] = "0x" + strconv.FormatUint(a, 16)
		}
		return strings.Join(parts, ", ")
	}
	var parts []string
	for i := 0; i < len(spec); i++ {
		a := args[i]
		switch spec[i] {
		case argInt:
			parts = append(parts, strconv.Itoa(int(int32(a))))
		case argDirfd:
			if int32(a) == unix.AT_FDCWD {
				parts = append(parts, "AT_FDCWD")
			} else {
				parts = append(parts, strconv.Itoa(int(int32(a))))
			}
		case argUlong:
			parts = append(parts, strconv.FormatUint(a, 10))
		case argLong:
			parts = append(parts, strconv.FormatInt(int64(a), 10))
		case argHex, argPipeFds:
			parts = append(parts, hexPtr(a))
		case argPath:
			parts = append(parts, readString(mem, a, 4096))
		case argBuf:
			parts = append(parts, readBuf(mem, a, args[i+1], 32))
		case argOpen:
			parts = append(parts, openFlags(a))
			if a&(unix.O_CREAT|unix.O_TMPFILE&^unix.O_DIRECTORY) == 0 && i+1 < len(spec) && spec[i+1] == argMode {
				i++ // strace prints the mode only when it is used
			}
		case argMode:
			parts = append(parts, "0"+strconv.FormatUint(a&0o7777, 8))
		case argSignal:
			parts = append(parts, signalName(int(a)))
		case argClone:
			parts = append(parts, cloneFlags(a))
		case argProt:
			parts = append(parts, bits(a, protBits, "PROT_NONE"))
		case argMmap:
			parts = append(parts, bits(a, mmapBits, "0"))
		case argWait:
			parts = append(parts, bits(a, waitBits, "0"))
		case argAt:
			parts = append(parts, bits(a, atBits, "0"))
		case argArgv:
			parts = append(parts, readArgv(mem, a))
		case argEnvp:
			parts = append(parts, fmt.Sprintf("%s /* %d vars */", hexPtr(a), countPtrs(mem, a)))
		case argHow:
			parts = append(parts, choice(a, howNames))
		case argWhence:
			parts = append(parts, choice(a, whenceNames))
		case argFcntl:
			parts = append(parts, choice(a, fcntlNames))
		case argAccess:
			parts = append(parts, bits(a, accessBits, "F_OK"))
		case argSigset:
			parts = append(parts, readSigset(mem, a))
		case argRlimit:
			parts = append(parts, choice(a, rlimitNames))
		case argDomain:
			parts = append(parts, choice(a, domainNames))
		case argSockTyp:
			parts = append(parts, choice(a&0xf, sockTypeNames)+flagSuffix(a&^0xf, sockFlagBits))
		case argFutex:
			parts = append(parts, futexOp(a))
		case argIoctl:
			if n, ok := ioctlNames[a]; ok {
				parts = append(parts, n)
			} else {
				parts = append(parts, "0x"+strconv.FormatUint(a, 16))
			}
		case argArchPrc:
			if n, ok := archPrctlNames[a]; ok {
				parts = append(parts, n)
			} else {
				parts = append(parts, "0x"+strconv.FormatUint(a, 16))
			}
		default:
			parts = append(parts, hexPtr(a))
		}
	}
	return strings.Join(parts, ", ")
}

// formatReturn renders a syscall's result: strace's "-1 ENOENT (No such file or directory)" for
// errors, "? ERESTARTSYS (...)" for the kernel-internal restart codes, hex for addresses.
func formatReturn(name string, rval int64, isError bool) string {
	if isError {
		e := unix.Errno(-rval)
		if r, ok := restartCodes[e]; ok {
			return "? " + r[0] + " (" + r[1] + ")"
		}
		n := unix.ErrnoName(e)
		if n == "" {
			n = "errno " + strconv.Itoa(int(e))
		}
		msg := e.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return "-1 " + n + " (" + msg + ")"
	}
	if returnsHex[name] {
		return "0x" + strconv.FormatUint(uint64(rval), 16)
	}
	return strconv.FormatInt(rval, 10)
}

// restartCodes are the kernel-internal errnos (include/linux/errno.h) a tracer sees at the exit
// of a syscall interrupted by a signal; user space never does.
var restartCodes = map[unix.Errno][2]string{
	512: {"ERESTARTSYS", "To be restarted if SA_RESTART is set"},
	513: {"ERESTARTNOINTR", "To be restarted"},
	514: {"ERESTARTNOHAND", "To be restarted if no handler"},
	515: {"ENOIOCTLCMD", "No ioctl command"},
	516: {"ERESTART_RESTARTBLOCK", "Interrupted by signal"},
}

func hexPtr(a uint64) string {
	if a == 0 {
		return "NULL"
	}
	return "0x" + strconv.FormatUint(a, 16)
}

// readString reads a NUL-terminated string of at most max bytes, page by page (a string may end
// just before an unmapped page, so never read across a page boundary in one go).
func readString(mem memReader, addr uint64, max int) string {
	if addr == 0 {
		return "NULL"
	}
	var out []byte
	buf := make([]byte, 4096)
	for len(out) < max {
		n := 4096 - int(addr%4096)
		if n > max-len(out) {
			n = max - len(out)
		}
		got, err := mem(addr, buf[:n])
		if got <= 0 || err != nil && got == 0 {
			if len(out) == 0 {
				return hexPtr(addr)
			}
			break
		}
		if i := indexByte(buf[:got], 0); i >= 0 {
			return quote(append(out, buf[:i]...), false)
		}
		out = append(out, buf[:got]...)
		addr += uint64(got)
	}
	return quote(out, true)
}

// readBuf reads a buffer of length n and prints at most max bytes of it.
func readBuf(mem memReader, addr, n uint64, max int) string {
	if addr == 0 {
		return "NULL"
	}
	l := n
	if l > uint64(max) {
		l = uint64(max)
	}
	buf := make([]byte, l)
	got, err := mem(addr, buf)
	if err != nil && got == 0 && l > 0 {
		return hexPtr(addr)
	}
	return quote(buf[:got], n > uint64(got))
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// quote prints bytes the way strace does: C escapes, "..." after a truncated string. An octal
// escape has three digits when an octal digit follows it, as in strace's string_quote:
// "\0012" is 0x01 then '2', where "\12" would read back as a newline.
func quote(b []byte, truncated bool) string {
	var s strings.Builder
	s.WriteByte('"')
	for i, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' {
				fmt.Fprintf(&s, `\%03o`, c)
			} else {
				fmt.Fprintf(&s, `\%o`, c)
			}
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte('"')
	if truncated {
		s.WriteString("...")
	}
	return s.String()
}

func readPtr(mem memReader, addr uint64) (uint64, bool) {
	var b [8]byte
	if n, _ := mem(addr, b[:]); n != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

// readArgv prints a NULL-terminated array of strings: ["sh", "-c", "..."], at most 32 of them.
func readArgv(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var parts []string
	for i := 0; ; i++ {
		p, ok := readPtr(mem, addr+uint64(8*i))
		if !ok {
			return hexPtr(addr)
		}
		if p == 0 {
			break
		}
		if i == 32 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, readString(mem, p, 32))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func countPtrs(mem memReader, addr uint64) int {
	if addr == 0 {
		return 0
	}
	for i := 0; i < 1<<16; i++ {
		p, ok := readPtr(mem, addr+uint64(8*i))
		if !ok || p == 0 {
			return i
		}
	}
	return 1 << 16
}

func readSigset(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	set, ok := readPtr(mem, addr)
	if !ok {
		return hexPtr(addr)
	}
	// Like strace, print a mostly-full set as the complement: ~[RTMIN RT_1].
	prefix := ""
	if bitsSet(set) > 32 {
		prefix, set = "~", ^set
	}
	var names []string
	for sig := 1; sig <= 64; sig++ {
		if set&(1<<(sig-1)) != 0 {
			names = append(names, strings.TrimPrefix(signalName(sig), "SIG"))
		}
	}
	return prefix + "[" + strings.Join(names, " ") + "]"
}

func bitsSet(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// signalName names a signal the way strace does: SIGTERM, SIGRTMIN+3, or the number.
func signalName(sig int) string {
	if n := unix.SignalName(unix.Signal(sig)); n != "" {
		return n
	}
	if sig >= 32 && sig <= 64 {
		if sig == 32 {
			return "SIGRTMIN"
		}
		return "SIGRT_" + strconv.Itoa(sig-32)
	}
	return strconv.Itoa(sig)
}

type bitName struct {
	v    uint64
	name string
}

// bits prints v as NAME|NAME|0x..., zero as zero.
func bits(v uint64, table []bitName, zero string) string {
	if v == 0 {
		return zero
	}
	var parts []string
	for _, b := range table {
		if b.v != 0 && v&b.v == b.v {
			parts = append(parts, b.name)
			v &^= b.v
		}
	}
	if v != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(v, 16))
	}
	return strings.Join(parts, "|")
}

func choice(v uint64, names map[uint64]string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return strconv.FormatUint(v, 10)
}

func openFlags(v uint64) string {
	acc := []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[v&unix.O_ACCMODE]
	rest := v &^ unix.O_ACCMODE
	if rest == 0 {
		return acc
	}
	return acc + "|" + bits(rest, openBits, "0")
}

func cloneFlags(v uint64) string {
	sig := v & 0xff
	s := bits(v&^0xff, cloneBits, "")
	if sig != 0 {
		if s != "" {
			s += "|"
		}
		s += signalName(int(sig))
	}
	if s == "" {
		return "0"
	}
	return "flags=" + s
}

var openBits = []bitName{
	{unix.O_TMPFILE, "O_TMPFILE"}, {unix.O_SYNC, "O_SYNC"},
	{unix.O_CREAT, "O_CREAT"}, {unix.O_EXCL, "O_EXCL"}, {unix.O_NOCTTY, "O_NOCTTY"}, {unix.O_TRUNC, "O_TRUNC"},
	{unix.O_APPEND, "O_APPEND"}, {unix.O_NONBLOCK, "O_NONBLOCK"}, {unix.O_DSYNC, "O_DSYNC"},
	{unix.O_ASYNC, "O_ASYNC"}, {unix.O_DIRECT, "O_DIRECT"}, {unix.O_LARGEFILE, "O_LARGEFILE"},
	{unix.O_DIRECTORY, "O_DIRECTORY"}, {unix.O_NOFOLLOW, "O_NOFOLLOW"}, {unix.O_NOATIME, "O_NOATIME"},
	{unix.O_CLOEXEC, "O_CLOEXEC"}, {unix.O_PATH, "O_PATH"},
}

var cloneBits = []bitName{
	{unix.CLONE_VM, "CLONE_VM"}, {unix.CLONE_FS, "CLONE_FS"}, {unix.CLONE_FILES, "CLONE_FILES"},
	{unix.CLONE_SIGHAND, "CLONE_SIGHAND"}, {unix.CLONE_PIDFD, "CLONE_PIDFD"}, {unix.CLONE_PTRACE, "CLONE_PTRACE"},
	{unix.CLONE_VFORK, "CLONE_VFORK"}, {unix.CLONE_PARENT, "CLONE_PARENT"}, {unix.CLONE_THREAD, "CLONE_THREAD"},
	{unix.CLONE_NEWNS, "CLONE_NEWNS"}, {unix.CLONE_SYSVSEM, "CLONE_SYSVSEM"}, {unix.CLONE_SETTLS, "CLONE_SETTLS"},
	{unix.CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"}, {unix.CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
	{unix.CLONE_UNTRACED, "CLONE_UNTRACED"}, {unix.CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
	{unix.CLONE_NEWCGROUP, "CLONE_NEWCGROUP"}, {unix.CLONE_NEWUTS, "CLONE_NEWUTS"}, {unix.CLONE_NEWIPC, "CLONE_NEWIPC"},
	{unix.CLONE_NEWUSER, "CLONE_NEWUSER"}, {unix.CLONE_NEWPID, "CLONE_NEWPID"}, {unix.CLONE_NEWNET, "CLONE_NEWNET"},
	{unix.CLONE_IO, "CLONE_IO"},
}

var protBits = []bitName{{unix.PROT_READ, "PROT_READ"}, {unix.PROT_WRITE, "PROT_WRITE"}, {unix.PROT_EXEC, "PROT_EXEC"}}

var mmapBits = []bitName{
	{unix.MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"}, {unix.MAP_SHARED, "MAP_SHARED"}, {unix.MAP_PRIVATE, "MAP_PRIVATE"},
	{unix.MAP_FIXED, "MAP_FIXED"}, {unix.MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {unix.MAP_GROWSDOWN, "MAP_GROWSDOWN"},
	{unix.MAP_DENYWRITE, "MAP_DENYWRITE"}, {unix.MAP_EXECUTABLE, "MAP_EXECUTABLE"}, {unix.MAP_LOCKED, "MAP_LOCKED"},
	{unix.MAP_NORESERVE, "MAP_NORESERVE"}, {unix.MAP_POPULATE, "MAP_POPULATE"}, {unix.MAP_NONBLOCK, "MAP_NONBLOCK"},
	{unix.MAP_STACK, "MAP_STACK"}, {unix.MAP_HUGETLB, "MAP_HUGETLB"}, {unix.MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
}

var waitBits = []bitName{
	{unix.WNOHANG, "WNOHANG"}, {unix.WUNTRACED, "WSTOPPED"}, {unix.WEXITED, "WEXITED"}, {unix.WCONTINUED, "WCONTINUED"},
	{unix.WNOWAIT, "WNOWAIT"}, {unix.WNOTHREAD, "__WNOTHREAD"}, {unix.WALL, "__WALL"}, {unix.WCLONE, "__WCLONE"},
}

var atBits = []bitName{
	{unix.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"}, {unix.AT_REMOVEDIR, "AT_REMOVEDIR"},
	{unix.AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"}, {unix.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
	{unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"}, {unix.AT_STATX_FORCE_SYNC, "AT_STATX_FORCE_SYNC"},
	{unix.AT_STATX_DONT_SYNC, "AT_STATX_DONT_SYNC"},
}

var accessBits = []bitName{{unix.R_OK, "R_OK"}, {unix.W_OK, "W_OK"}, {unix.X_OK, "X_OK"}}

var howNames = map[uint64]string{unix.SIG_BLOCK: "SIG_BLOCK", unix.SIG_UNBLOCK: "SIG_UNBLOCK", unix.SIG_SETMASK: "SIG_SETMASK"}

var whenceNames = map[uint64]string{unix.SEEK_SET: "SEEK_SET", unix.SEEK_CUR: "SEEK_CUR", unix.SEEK_END: "SEEK_END", unix.SEEK_DATA: "SEEK_DATA", unix.SEEK_HOLE: "SEEK_HOLE"}

var fcntlNames = map[uint64]string{
	unix.F_DUPFD: "F_DUPFD", unix.F_GETFD: "F_GETFD", unix.F_SETFD: "F_SETFD", unix.F_GETFL: "F_GETFL",
	unix.F_SETFL: "F_SETFL", unix.F_GETLK: "F_GETLK", unix.F_SETLK: "F_SETLK", unix.F_SETLKW: "F_SETLKW",
	unix.F_DUPFD_CLOEXEC: "F_DUPFD_CLOEXEC", unix.F_SETPIPE_SZ: "F_SETPIPE_SZ", unix.F_GETPIPE_SZ: "F_GETPIPE_SZ",
	unix.F_ADD_SEALS: "F_ADD_SEALS", unix.F_GET_SEALS: "F_GET_SEALS",
}

// flagSuffix renders extra flag bits as "|NAME|NAME", or nothing.
func flagSuffix(v uint64, table []bitName) string {
	if v == 0 {
		return ""
	}
	return "|" + bits(v, table, "")
}

var rlimitNames = map[uint64]string{
	unix.RLIMIT_CPU: "RLIMIT_CPU", unix.RLIMIT_FSIZE: "RLIMIT_FSIZE", unix.RLIMIT_DATA: "RLIMIT_DATA",
	unix.RLIMIT_STACK: "RLIMIT_STACK", unix.RLIMIT_CORE: "RLIMIT_CORE", unix.RLIMIT_RSS: "RLIMIT_RSS",
	unix.RLIMIT_NPROC: "RLIMIT_NPROC", unix.RLIMIT_NOFILE: "RLIMIT_NOFILE", unix.RLIMIT_MEMLOCK: "RLIMIT_MEMLOCK",
	unix.RLIMIT_AS: "RLIMIT_AS", unix.RLIMIT_LOCKS: "RLIMIT_LOCKS", unix.RLIMIT_SIGPENDING: "RLIMIT_SIGPENDING",
	unix.RLIMIT_MSGQUEUE: "RLIMIT_MSGQUEUE", unix.RLIMIT_NICE: "RLIMIT_NICE", unix.RLIMIT_RTPRIO: "RLIMIT_RTPRIO",
	unix.RLIMIT_RTTIME: "RLIMIT_RTTIME",
}

var domainNames = map[uint64]string{
	unix.AF_UNIX: "AF_UNIX", unix.AF_INET: "AF_INET", unix.AF_INET6: "AF_INET6", unix.AF_NETLINK: "AF_NETLINK",
	unix.AF_PACKET: "AF_PACKET", unix.AF_VSOCK: "AF_VSOCK",
}

var sockTypeNames = map[uint64]string{
	unix.SOCK_STREAM: "SOCK_STREAM", unix.SOCK_DGRAM: "SOCK_DGRAM", unix.SOCK_RAW: "SOCK_RAW",
	unix.SOCK_SEQPACKET: "SOCK_SEQPACKET",
}

var sockFlagBits = []bitName{{unix.SOCK_CLOEXEC, "SOCK_CLOEXEC"}, {unix.SOCK_NONBLOCK, "SOCK_NONBLOCK"}}

// futex operations and flags from include/uapi/linux/futex.h (x/sys does not export them).
const (
	futexPrivateFlag   = 128
	futexClockRealtime = 256
)

var futexNames = []string{
	"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
	"FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET",
	"FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
}

// futexOp prints a futex operation as strace does: FUTEX_WAKE_PRIVATE, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME.
func futexOp(v uint64) string {
	cmd := v &^ (futexPrivateFlag | futexClockRealtime)
	if cmd >= uint64(len(futexNames)) {
		return "0x" + strconv.FormatUint(v, 16)
	}
	s := futexNames[cmd]
	if v&futexPrivateFlag != 0 {
		s += "_PRIVATE"
	}
	if v&futexClockRealtime != 0 {
		s += "|FUTEX_CLOCK_REALTIME"
	}
	return s
}

var ioctlNames = map[uint64]string{
	unix.TCGETS: "TCGETS", unix.TCSETS: "TCSETS", unix.TIOCGWINSZ: "TIOCGWINSZ", unix.TIOCSWINSZ: "TIOCSWINSZ",
	unix.TIOCGPGRP: "TIOCGPGRP", unix.TIOCSPGRP: "TIOCSPGRP", unix.TIOCINQ: "FIONREAD",
}

// archPrctlNames are asm/prctl.h's codes (not exported by x/sys).
var archPrctlNames = map[uint64]string{
	0x1001: "ARCH_SET_GS", 0x1002: "ARCH_SET_FS", 0x1003: "ARCH_GET_FS", 0x1004: "ARCH_GET_GS",
	0x1011: "ARCH_GET_CPUID", 0x1012: "ARCH_SET_CPUID", 0x3001: "ARCH_SHSTK_ENABLE",
}
