package ptrace

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/signame"
)

// kind is how one argument is printed. Kinds from kOut on are written by the kernel: strace
// prints them at the call's exit (as an address when the call failed), and so the entry part of a
// line stops before the first of them ("read(3, " ... "<... read resumed>"..., 8) = 8").
type kind uint8

const (
	kInt      kind = iota // int, decimal
	kFd                   // a file descriptor (-y adds its path)
	kDirfd                // AT_FDCWD or a descriptor
	kUlong                // unsigned long, decimal
	kLong                 // long, decimal
	kPtr                  // pointer: NULL or 0x...
	kHex                  // a number in hex, 0 as 0
	kPath                 // NUL-terminated string, in full
	kStr                  // NUL-terminated string, at most -s bytes
	kBufIn                // bytes, their count in the next argument
	kOpen                 // open(2) flags (the mode that follows only with O_CREAT/O_TMPFILE)
	kMode                 // mode_t, octal
	kSignal               // a signal number
	kProt                 // PROT_*
	kMmap                 // MAP_*
	kWaitOpt              // WNOHANG...
	kAt                   // AT_* flags
	kStatxFl              // statx flags: AT_STATX_SYNC_* and AT_*
	kStatxMsk             // STATX_* request mask
	kArgv                 // array of strings
	kEnvp                 // environment: address and /* N vars */
	kHow                  // SIG_BLOCK...
	kWhence               // SEEK_*
	kAccess               // R_OK...
	kSigset               // sigset_t *
	kRlimRes              // RLIMIT_*
	kDomain               // AF_*
	kSockType             // SOCK_* and flags
	kProto                // socket protocol (IPPROTO_IP for 0 with AF_INET*)
	kArchPrc              // ARCH_*
	kMadvise              // MADV_*
	kFadvise              // POSIX_FADV_*
	kClock                // CLOCK_*
	kGrnd                 // GRND_*
	kTimespec             // struct timespec *
	kSigact               // struct sigaction *
	kRlimIn               // struct rlimit *
	kSockaddr             // struct sockaddr *, its length in the next argument
	kPollIn               // struct pollfd[], count in the next argument; revents in the result
	kPipeFl               // pipe2 flags: O_CLOEXEC|O_NONBLOCK|O_DIRECT, 0 as 0
	kMsgFl                // MSG_* flags
	kUnlinkFl             // unlinkat flags: AT_REMOVEDIR
	kTimerFl              // clock_nanosleep flags: TIMER_ABSTIME
	kPrctl                // PR_*
	kIovIn                // struct iovec[] to write, count in the next argument
	kStackIn              // stack_t * (sigaltstack's new stack)
	kIdtype               // waitid's P_*
	kSockFl               // accept4's SOCK_CLOEXEC|SOCK_NONBLOCK

	kOut       // marker: the kinds below are decoded at exit
	kBufOut    // bytes, as many as the call returned
	kStrOut    // a NUL-terminated string the kernel wrote (getcwd)
	kStat      // struct stat *
	kStatx     // struct statx *
	kSigsetOut // sigset_t * written by the kernel
	kSigactOut // struct sigaction * written by the kernel
	kRlimOut   // struct rlimit * written by the kernel
	kWstatus   // int * wait status
	kDents     // getdents64 buffer: address and /* N entries */
	kPipeFds   // int[2]
	kUtsname   // struct utsname *
	kSysinfo   // struct sysinfo *
	kTimeOut   // struct timespec * written by the kernel (NULL or the remaining time)
	kSockOut   // struct sockaddr * written, with a socklen_t * after it
	kLenOut    // socklen_t *: [N]
	kGroups    // gid_t[] written, count in the previous argument
	kIntOut    // int * written: [N]
	kCPUSet    // cpu_set_t * written, as many bytes as the call returned: [0 1]
	kIovOut    // struct iovec[] filled by the kernel (readv), count in the next argument
	kStackOut  // stack_t * written (sigaltstack's old stack)
	kSiginfo   // siginfo_t * written (waitid)
	kStatfs    // struct statfs * written
)

// specs gives the argument kinds of the calls decoded by name. A call not listed prints its
// arguments the way strace prints an undecoded call: as many as the call has, in hex.
var specs = map[string][]kind{
	"read": {kFd, kBufOut, kUlong}, "write": {kFd, kBufIn, kUlong},
	"pread64": {kFd, kBufOut, kUlong, kLong}, "pwrite64": {kFd, kBufIn, kUlong, kLong},
	"open": {kPath, kOpen, kMode}, "openat": {kDirfd, kPath, kOpen, kMode}, "creat": {kPath, kMode},
	"close": {kFd}, "close_range": {kUlong, kUlong, kInt},
	"stat": {kPath, kStat}, "lstat": {kPath, kStat}, "fstat": {kFd, kStat},
	"newfstatat": {kDirfd, kPath, kStat, kAt}, "statx": {kDirfd, kPath, kStatxFl, kStatxMsk, kStatx},
	"access": {kPath, kAccess}, "faccessat": {kDirfd, kPath, kAccess}, "faccessat2": {kDirfd, kPath, kAccess, kAt},
	"execve": {kPath, kArgv, kEnvp}, "execveat": {kDirfd, kPath, kArgv, kEnvp, kAt},
	"exit": {kInt}, "exit_group": {kInt},
	"kill": {kInt, kSignal}, "tkill": {kInt, kSignal}, "tgkill": {kInt, kInt, kSignal},
	"rt_sigaction": {kSignal, kSigact, kSigactOut, kUlong}, "rt_sigprocmask": {kHow, kSigset, kSigsetOut, kUlong},
	"rt_sigsuspend": {kSigset, kUlong}, "pause": {}, "rt_sigreturn": {},
	"fork": {}, "vfork": {}, "wait4": {kInt, kWstatus, kWaitOpt, kPtr},
	"chdir": {kPath}, "fchdir": {kFd}, "getcwd": {kStrOut, kUlong},
	"mkdir": {kPath, kMode}, "mkdirat": {kDirfd, kPath, kMode}, "rmdir": {kPath},
	"unlink": {kPath}, "unlinkat": {kDirfd, kPath, kUnlinkFl}, "rename": {kPath, kPath},
	"renameat": {kDirfd, kPath, kDirfd, kPath}, "renameat2": {kDirfd, kPath, kDirfd, kPath, kHex},
	"link": {kPath, kPath}, "linkat": {kDirfd, kPath, kDirfd, kPath, kAt}, "symlink": {kPath, kPath},
	"symlinkat": {kPath, kDirfd, kPath}, "readlink": {kPath, kBufOut, kUlong},
	"readlinkat": {kDirfd, kPath, kBufOut, kUlong}, "chmod": {kPath, kMode}, "fchmod": {kFd, kMode},
	"fchmodat": {kDirfd, kPath, kMode}, "chown": {kPath, kInt, kInt}, "fchown": {kFd, kInt, kInt},
	"lchown": {kPath, kInt, kInt}, "fchownat": {kDirfd, kPath, kInt, kInt, kAt},
	"truncate": {kPath, kLong}, "ftruncate": {kFd, kLong},
	"mmap": {kPtr, kUlong, kProt, kMmap, kFd, kHex}, "mprotect": {kPtr, kUlong, kProt},
	"munmap": {kPtr, kUlong}, "brk": {kPtr}, "madvise": {kPtr, kUlong, kMadvise},
	"dup": {kFd}, "dup2": {kFd, kFd}, "dup3": {kFd, kFd, kPipeFl}, "pipe": {kPipeFds}, "pipe2": {kPipeFds, kPipeFl},
	"lseek": {kFd, kLong, kWhence}, "getdents64": {kFd, kDents, kUlong}, "fadvise64": {kFd, kLong, kLong, kFadvise},
	"fsync": {kFd}, "fdatasync": {kFd}, "umask": {kMode},
	"getpid": {}, "getppid": {}, "gettid": {}, "getuid": {}, "geteuid": {}, "getgid": {}, "getegid": {},
	"setsid": {}, "getpgrp": {}, "setpgid": {kInt, kInt}, "getpgid": {kInt}, "sched_yield": {},
	"setuid": {kInt}, "setgid": {kInt}, "getgroups": {kInt, kGroups},
	"set_tid_address": {kPtr}, "set_robust_list": {kPtr, kUlong}, "arch_prctl": {kArchPrc, kPtr},
	"prlimit64": {kInt, kRlimRes, kRlimIn, kRlimOut}, "getrlimit": {kRlimRes, kRlimOut}, "setrlimit": {kRlimRes, kRlimIn},
	"getrandom": {kBufOut, kUlong, kGrnd}, "rseq": {kPtr, kHex, kInt, kHex},
	"nanosleep": {kTimespec, kTimeOut}, "clock_nanosleep": {kClock, kTimerFl, kTimespec, kTimeOut},
	"clock_gettime": {kClock, kTimeOut}, "clock_getres": {kClock, kTimeOut},
	"sysinfo": {kSysinfo}, "uname": {kUtsname},
	"socket": {kDomain, kSockType, kProto}, "connect": {kFd, kSockaddr, kUlong}, "bind": {kFd, kSockaddr, kUlong},
	"listen": {kFd, kInt}, "accept4": {kFd, kSockOut, kLenOut, kSockFl}, "accept": {kFd, kSockOut, kLenOut},
	"getsockname": {kFd, kSockOut, kLenOut}, "getpeername": {kFd, kSockOut, kLenOut},
	"sendto": {kFd, kBufIn, kUlong, kMsgFl, kSockaddr, kUlong}, "recvfrom": {kFd, kBufOut, kUlong, kMsgFl, kSockOut, kLenOut},
	"shutdown": {kFd, kInt}, "socketpair": {kDomain, kSockType, kProto, kPipeFds},
	"poll": {kPollIn, kUlong, kInt}, "ppoll": {kPollIn, kUlong, kTimespec, kSigset, kUlong},
	"writev": {kFd, kIovIn, kInt}, "readv": {kFd, kIovOut, kInt}, "pwritev": {kFd, kIovIn, kInt, kLong},
	"preadv": {kFd, kIovOut, kInt, kLong}, "sigaltstack": {kStackIn, kStackOut},
	"waitid": {kIdtype, kInt, kSiginfo, kWaitOpt, kPtr}, "statfs": {kPath, kStatfs}, "fstatfs": {kFd, kStatfs}, "epoll_create1": {kHex}, "eventfd2": {kUlong, kHex},
	"sendfile": {kFd, kFd, kPtr, kUlong},
	"getxattr": {kPath, kStr, kPtr, kUlong}, "lgetxattr": {kPath, kStr, kPtr, kUlong}, "fgetxattr": {kFd, kStr, kPtr, kUlong},
	"listxattr": {kPath, kPtr, kUlong}, "llistxattr": {kPath, kPtr, kUlong}, "flistxattr": {kFd, kPtr, kUlong},
	"copy_file_range": {kFd, kPtr, kFd, kPtr, kUlong, kHex}, "splice": {kFd, kPtr, kFd, kPtr, kUlong, kHex},
	"utimensat": {kDirfd, kPath, kPtr, kAt}, "sched_getaffinity": {kInt, kUlong, kCPUSet}, "prctl": {},
	"setitimer": {kInt, kPtr, kPtr}, "alarm": {kUlong}, "memfd_create": {kStr, kHex},
}

// returnsHex lists calls whose success value is an address.
var returnsHex = map[string]bool{"mmap": true, "brk": true, "mremap": true, "shmat": true}

// returnsFd lists calls that return a new descriptor: -y prints its path after the number.
var returnsFd = map[string]bool{
	"open": true, "openat": true, "openat2": true, "creat": true, "dup": true, "dup2": true, "dup3": true,
	"socket": true, "accept": true, "accept4": true, "epoll_create1": true, "eventfd2": true,
	"memfd_create": true, "pidfd_open": true, "timerfd_create": true, "signalfd4": true, "inotify_init1": true,
}

// memReader reads the tracee's memory.
type memReader func(addr uint64, p []byte) (int, error)

// call is one syscall being decoded: the state both halves of its line need.
type call struct {
	name  string
	args  [6]uint64
	mem   memReader
	t     *Tracer
	pid   int
	sp    uint64 // the stack pointer at entry (rt_sigreturn's frame)
	lenIn uint32 // a socklen_t's value at entry, for "[in => out]"
	rval  int64
	isErr bool
}

// split returns where the entry part of name's arguments ends: the index of the first argument
// the kernel writes, or len(spec).
func split(spec []kind) int {
	for i, k := range spec {
		if k > kOut {
			return i
		}
	}
	return len(spec)
}

// entryText renders the call's name and the arguments known at entry, ending with ", " when
// the rest follows at exit.
func (c *call) entryText() string {
	var b strings.Builder
	b.WriteString(c.name)
	b.WriteByte('(')
	switch c.name {
	case "futex":
		b.WriteString(c.futex())
		return b.String()
	case "clone":
		b.WriteString(c.clone())
		return b.String()
	case "clone3":
		b.WriteString(c.clone3())
		return b.String()
	case "fcntl":
		b.WriteString(c.fcntl())
		return b.String()
	case "ioctl":
		b.WriteString(c.ioctl())
		return b.String()
	case "prctl":
		b.WriteString(c.prctl())
		return b.String()
	case "rt_sigreturn":
		// The mask to restore is the frame's uc.uc_sigmask: the kernel finds the frame at
		// sp - 8 (arch/x86/kernel/signal_64.c), uc at frame + 8, and uc_sigmask after uc_flags,
		// uc_link, uc_stack (40 bytes) and the 256-byte struct sigcontext.
		if set, ok := readU64(c.mem, c.sp+296); ok {
			b.WriteString("{mask=" + sigsetString(set) + "}")
		}
		return b.String()
	}
	spec, ok := specs[c.name]
	if !ok {
		n := 6
		if info, ok := straceCalls[c.name]; ok {
			n = info.nargs
		}
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(hexNum(c.args[i]))
		}
		return b.String()
	}
	for i, k := range spec {
		if k == kLenOut {
			c.lenIn, _ = readU32(c.mem, c.args[i])
		}
	}
	end := split(spec)
	for i := 0; i < end; i++ {
		s, skip := c.arg(spec, i)
		if s == "" && skip {
			continue
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
		if skip {
			i++
		}
	}
	if end < len(spec) && end > 0 {
		b.WriteString(", ")
	}
	return b.String()
}

// exitText renders the arguments decoded at exit and the closing parenthesis.
func (c *call) exitText() string {
	var b strings.Builder
	switch c.name {
	case "clone3":
		if !c.isErr {
			if f, ok := readU64(c.mem, c.args[0]); ok && f&unix.CLONE_PARENT_SETTID != 0 {
				ptid, _ := readU64(c.mem, c.args[0]+24)
				var v [4]byte
				if n, _ := c.mem(ptid, v[:]); n == 4 {
					b.WriteString(" => {parent_tid=[" + strconv.Itoa(int(int32(binary.LittleEndian.Uint32(v[:])))) + "]}")
				}
			}
		}
		b.WriteString(", " + strconv.FormatUint(c.args[1], 10) + ")")
		return b.String()
	}
	spec := specs[c.name]
	for i := split(spec); i < len(spec); i++ {
		if i > split(spec) {
			b.WriteString(", ")
		}
		s, _ := c.arg(spec, i)
		b.WriteString(s)
	}
	b.WriteByte(')')
	return b.String()
}

// arg renders argument i of spec. skip reports that the argument after it is consumed too (or,
// with an empty string, that this one is not printed at all).
func (c *call) arg(spec []kind, i int) (s string, skip bool) {
	a := c.args[i]
	next := uint64(0)
	if i+1 < 6 {
		next = c.args[i+1]
	}
	o := &c.t.opts
	switch spec[i] {
	case kInt:
		return strconv.Itoa(int(int32(a))), false
	case kFd:
		return c.fd(int32(a)), false
	case kDirfd:
		if int32(a) == unix.AT_FDCWD {
			if o.DecodeFds > 0 {
				if p, err := os.Readlink("/proc/" + strconv.Itoa(c.pid) + "/cwd"); err == nil {
					return "AT_FDCWD<" + p + ">", false
				}
			}
			return "AT_FDCWD", false
		}
		return c.fd(int32(a)), false
	case kUlong:
		return strconv.FormatUint(a, 10), false
	case kLong:
		return strconv.FormatInt(int64(a), 10), false
	case kPtr:
		return hexPtr(a), false
	case kHex:
		return hexNum(a), false
	case kPath:
		return readString(c.mem, a, 4096, o.Hex), false
	case kStr:
		return readString(c.mem, a, o.strLimit(), o.Hex), false
	case kBufIn:
		return readBuf(c.mem, a, next, o.strLimit(), o.Hex), false
	case kOpen:
		s := openFlags(a)
		if a&(unix.O_CREAT|unix.O_TMPFILE&^unix.O_DIRECTORY) == 0 && i+1 < len(spec) && spec[i+1] == kMode {
			return s, true
		}
		return s, false
	case kMode:
		return octal(a & 0o7777), false
	case kSignal:
		return signame.Strace(int(a)), false
	case kProt:
		return bits(a, protBits, "PROT_NONE"), false
	case kMmap:
		return mmapFlags(a), false
	case kWaitOpt:
		return bits(a, waitBits, "0"), false
	case kAt:
		return bits(a, atBits, "0"), false
	case kUnlinkFl:
		return bits(a, []bitName{{unix.AT_REMOVEDIR, "AT_REMOVEDIR"}}, "0"), false
	case kStatxFl:
		sync := []string{"AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC", "AT_STATX_DONT_SYNC", "0x6000"}[(a&0x6000)>>13]
		if rest := a &^ 0x6000; rest != 0 {
			return sync + "|" + bits(rest, atBits, "0"), false
		}
		return sync, false
	case kStatxMsk:
		return statxMask(a), false
	case kArgv:
		return readArgv(c.mem, a, o.strLimit(), o.Hex, o.Verbose), false
	case kEnvp:
		if o.Verbose {
			return readArgv(c.mem, a, o.strLimit(), o.Hex, o.Verbose), false
		}
		return hexPtr(a) + " /* " + strconv.Itoa(countPtrs(c.mem, a)) + " vars */", false
	case kHow:
		return choice(a, howNames), false
	case kWhence:
		return choice(a, whenceNames), false
	case kAccess:
		return bits(a, accessBits, "F_OK"), false
	case kSigset, kSigsetOut:
		return readSigset(c.mem, a), false
	case kRlimRes:
		return choice(a, rlimitNames), false
	case kDomain:
		return choice(a, domainNames), false
	case kSockType:
		return sockType(a), false
	case kProto:
		if d := c.args[0]; (d == unix.AF_INET || d == unix.AF_INET6) && c.name == "socket" {
			return choice(a, ipProtoNames), false
		}
		return strconv.Itoa(int(int32(a))), false
	case kArchPrc:
		return choiceHex(a, archPrctlNames), false
	case kMadvise:
		return choice(a, madviseNames), false
	case kFadvise:
		return choice(a, fadviseNames), false
	case kClock:
		return choice(a, clockNames), false
	case kGrnd:
		return bits(a, grndBits, "0"), false
	case kTimerFl:
		return bits(a, []bitName{{1, "TIMER_ABSTIME"}}, "0"), false
	case kPipeFl:
		return bits(a, pipeBits, "0"), false
	case kMsgFl:
		return bits(a, msgBits, "0"), false
	case kPrctl:
		return choice(a, prctlNames), false
	case kTimespec:
		return readTimespec(c.mem, a), false
	case kSigact:
		return readSigaction(c.mem, a), false
	case kRlimIn:
		return readRlimit(c.mem, a), false
	case kSockaddr:
		return readSockaddr(c.mem, a, int(next)), false
	case kPollIn:
		return readPoll(c.mem, a, next, false, o.strLimit(), o.Verbose), false
	case kIovIn:
		return c.readIov(a, next, -1), false
	case kStackIn:
		return readStack(c.mem, a), false
	case kIdtype:
		return choice(a, idtypeNames), false
	case kSockFl:
		return bits(a, sockFlagBits, "0"), false
	}
	// Written by the kernel: an address when the call failed (nothing was written), but a
	// socklen_t is in and out, and strace shows what went in.
	if c.isErr && spec[i] == kLenOut && a != 0 {
		return "[" + strconv.FormatUint(uint64(c.lenIn), 10) + "]", false
	}
	if c.isErr && a != 0 {
		return hexPtr(a), false
	}
	switch spec[i] {
	case kBufOut:
		n := uint64(c.rval)
		if c.name == "getrandom" {
			return readBuf(c.mem, a, n, o.strLimit(), maxHex(o.Hex, 2)), false
		}
		return readBuf(c.mem, a, n, o.strLimit(), o.Hex), false
	case kStrOut:
		return readString(c.mem, a, 4096, o.Hex), false
	case kStat:
		return readStat(c.mem, a, o.Verbose), false
	case kStatx:
		return readStatx(c.mem, a, o.Verbose), false
	case kSigactOut:
		return readSigaction(c.mem, a), false
	case kRlimOut:
		return readRlimit(c.mem, a), false
	case kWstatus:
		if c.rval == 0 {
			return hexPtr(a), false // WNOHANG and no child changed state: nothing was written
		}
		return readWstatus(c.mem, a), false
	case kDents:
		return hexPtr(a) + " /* " + strconv.Itoa(countDents(c.mem, a, c.rval)) + " entries */", false
	case kPipeFds:
		var b [8]byte
		if n, _ := c.mem(a, b[:]); n != 8 {
			return hexPtr(a), false
		}
		return "[" + c.fd(int32(binary.LittleEndian.Uint32(b[:4]))) + ", " + c.fd(int32(binary.LittleEndian.Uint32(b[4:]))) + "]", false
	case kUtsname:
		return readUtsname(c.mem, a, o.Verbose), false
	case kSysinfo:
		return readSysinfo(c.mem, a), false
	case kTimeOut:
		if c.name == "nanosleep" || c.name == "clock_nanosleep" {
			return hexPtr(a), false // strace prints the remainder only after an interruption
		}
		return readTimespec(c.mem, a), false
	case kSockOut:
		if a == 0 {
			return "NULL", false
		}
		l, _ := readU32(c.mem, next)
		return readSockaddr(c.mem, a, int(l)), false
	case kLenOut:
		if a == 0 {
			return "NULL", false
		}
		l, ok := readU32(c.mem, a)
		if !ok {
			return hexPtr(a), false
		}
		if c.lenIn != l {
			return "[" + strconv.FormatUint(uint64(c.lenIn), 10) + " => " + strconv.FormatUint(uint64(l), 10) + "]", false
		}
		return "[" + strconv.FormatUint(uint64(l), 10) + "]", false
	case kIntOut:
		l, ok := readU32(c.mem, a)
		if !ok {
			return hexPtr(a), false
		}
		return "[" + strconv.Itoa(int(int32(l))) + "]", false
	case kIovOut:
		return c.readIov(a, next, c.rval), false
	case kStackOut:
		return readStack(c.mem, a), false
	case kSiginfo:
		if a == 0 {
			return "NULL", false
		}
		var si unix.Siginfo
		b := (*[128]byte)(unsafe.Pointer(&si))
		if n, _ := c.mem(a, b[:]); n != 128 {
			return hexPtr(a), false
		}
		if si.Signo == 0 {
			return "{}", false // WNOHANG and no child changed state
		}
		s := formatSiginfo(unix.Signal(si.Signo), &si)
		return s[strings.IndexByte(s, '{'):], false
	case kStatfs:
		return readStatfs(c.mem, a), false
	case kCPUSet:
		// The size the kernel copied; a failed call with a NULL mask gets here with -errno.
		n := min(c.rval, 1024)
		if a == 0 || n <= 0 {
			return hexPtr(a), false
		}
		b := make([]byte, n)
		if got, _ := c.mem(a, b); int64(got) != n {
			return hexPtr(a), false
		}
		var cpus []string
		for i := 0; i < 8*int(n); i++ {
			if b[i/8]&(1<<(i%8)) != 0 {
				cpus = append(cpus, strconv.Itoa(i))
			}
		}
		return "[" + strings.Join(cpus, " ") + "]", false
	case kGroups:
		if a == 0 {
			return "NULL", false
		}
		n := int(c.args[i-1])
		if n == 0 || c.rval <= 0 {
			return "[]", false
		}
		var parts []string
		for j := 0; j < int(c.rval) && j < 32; j++ {
			v, _ := readU32(c.mem, a+uint64(4*j))
			parts = append(parts, strconv.FormatUint(uint64(v), 10))
		}
		return "[" + strings.Join(parts, ", ") + "]", false
	}
	return hexPtr(a), false
}

// fd prints a descriptor, with -y its path: 3</etc/hostname>.
func (c *call) fd(fd int32) string {
	s := strconv.Itoa(int(fd))
	if c.t.opts.DecodeFds == 0 || fd < 0 {
		return s
	}
	p := fdPath(c.pid, int(fd))
	if p == "" {
		return s
	}
	if c.t.opts.DecodeFds > 1 {
		if inode, ok := strings.CutPrefix(p, "socket:["); ok {
			if d := socketDesc(c.pid, int(fd), strings.TrimSuffix(inode, "]")); d != "" {
				p = d
			}
		} else if st, err := os.Stat("/proc/" + strconv.Itoa(c.pid) + "/fd/" + strconv.Itoa(int(fd))); err == nil {
			// A device: its numbers too, as strace -yy (</dev/null<char 1:3>>).
			if sys, ok := st.Sys().(*syscall.Stat_t); ok && st.Mode()&(os.ModeDevice) != 0 {
				kind := "block"
				if st.Mode()&os.ModeCharDevice != 0 {
					kind = "char"
				}
				p += "<" + kind + " " + strconv.FormatUint(uint64(unix.Major(sys.Rdev)), 10) + ":" + strconv.FormatUint(uint64(unix.Minor(sys.Rdev)), 10) + ">"
			}
		}
	}
	return s + "<" + p + ">"
}

func fdPath(pid, fd int) string {
	p, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(fd))
	if err != nil {
		return ""
	}
	return p
}

// formatReturn renders a syscall's result: strace's "-1 ENOENT (No such file or directory)" for
// errors, "? ERESTARTSYS (...)" for the kernel-internal restart codes, hex for addresses.
func (c *call) formatReturn() string {
	rval := c.rval
	if c.isErr {
		e := unix.Errno(-rval)
		if r, ok := restartCodes[e]; ok {
			return "? " + r[0] + " (" + r[1] + ")"
		}
		n := unix.ErrnoName(e)
		if alias, ok := errnoNames[e]; ok {
			n = alias
		}
		if n == "" {
			n = "errno " + strconv.Itoa(int(e))
		}
		msg := e.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return "-1 " + n + " (" + msg + ")"
	}
	switch {
	case returnsHex[c.name]:
		return "0x" + strconv.FormatUint(uint64(rval), 16)
	case returnsFd[c.name] && c.t.opts.DecodeFds > 0:
		return c.fd(int32(rval))
	case c.name == "umask":
		return octal(uint64(rval))
	case (c.name == "poll" || c.name == "ppoll") && rval > 0:
		s := strconv.FormatInt(rval, 10) + " (" + readPoll(c.mem, c.args[0], c.args[1], true, c.t.opts.strLimit(), c.t.opts.Verbose)
		if c.name == "ppoll" && c.args[2] != 0 {
			s += ", left " + readTimespec(c.mem, c.args[2])
		}
		return s + ")"
	case (c.name == "poll" || c.name == "ppoll") && rval == 0:
		return "0 (Timeout)"
	case c.name == "fcntl" && c.args[1] == unix.F_GETFD && rval > 0:
		return "0x" + strconv.FormatInt(rval, 16) + " (flags " + bits(uint64(rval), []bitName{{unix.FD_CLOEXEC, "FD_CLOEXEC"}}, "0") + ")"
	case c.name == "fcntl" && c.args[1] == unix.F_GETFL:
		return "0x" + strconv.FormatUint(uint64(rval), 16) + " (flags " + openFlags(uint64(rval)) + ")"
	}
	return strconv.FormatInt(rval, 10)
}

// errnoNames are strace's names where x/sys picks another of two names for one number.
var errnoNames = map[unix.Errno]string{unix.EOPNOTSUPP: "EOPNOTSUPP", unix.EAGAIN: "EAGAIN", unix.EDEADLK: "EDEADLK"}

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

func hexNum(a uint64) string {
	if a == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(a, 16)
}

func maxHex(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// readString reads a NUL-terminated string of at most max bytes, page by page (a string may end
// just before an unmapped page, so never read across a page boundary in one go).
func readString(mem memReader, addr uint64, max, hex int) string {
	if addr == 0 {
		return "NULL"
	}
	var out []byte
	buf := make([]byte, 4096)
	for len(out) <= max {
		n := 4096 - int(addr%4096)
		if n > max+1-len(out) {
			n = max + 1 - len(out)
		}
		got, err := mem(addr, buf[:n])
		if got <= 0 || err != nil && got == 0 {
			if len(out) == 0 {
				return hexPtr(addr)
			}
			break
		}
		if i := indexByte(buf[:got], 0); i >= 0 {
			out = append(out, buf[:i]...)
			if len(out) > max {
				return quote(out[:max], true, hex)
			}
			return quote(out, false, hex)
		}
		out = append(out, buf[:got]...)
		addr += uint64(got)
	}
	if len(out) > max {
		return quote(out[:max], true, hex)
	}
	return quote(out, true, hex)
}

// readBuf reads a buffer of length n and prints at most max bytes of it.
func readBuf(mem memReader, addr, n uint64, max, hex int) string {
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
	return quote(buf[:got], n > uint64(got), hex)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// quote prints bytes the way strace does: C escapes, octal for the rest (three digits when an
// octal digit follows), "..." after a truncated string. hex 1 (-x) prints the whole string in
// \x form when it holds a byte that is neither printable nor white space, hex 2 (-xx) always.
func quote(b []byte, truncated bool, hex int) string {
	var s strings.Builder
	s.WriteByte('"')
	useHex := hex >= 2
	if hex == 1 {
		for _, c := range b {
			if c > 0x7e || c < ' ' && (c < 9 || c > 13) {
				useHex = true
				break
			}
		}
	}
	const digits = "0123456789abcdef"
	for i, c := range b {
		if useHex {
			s.WriteString(`\x`)
			s.WriteByte(digits[c>>4])
			s.WriteByte(digits[c&15])
			continue
		}
		switch c {
		case '"', '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case '\f':
			s.WriteString(`\f`)
		case '\n':
			s.WriteString(`\n`)
		case '\r':
			s.WriteString(`\r`)
		case '\t':
			s.WriteString(`\t`)
		case '\v':
			s.WriteString(`\v`)
		default:
			if c >= ' ' && c < 0x7f {
				s.WriteByte(c)
				continue
			}
			s.WriteByte('\\')
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7' {
				s.WriteByte('0' + c>>6)
				s.WriteByte('0' + c>>3&7)
				s.WriteByte('0' + c&7)
			} else {
				s.WriteString(strconv.FormatUint(uint64(c), 8))
			}
		}
	}
	s.WriteByte('"')
	if truncated {
		s.WriteString("...")
	}
	return s.String()
}

func readU64(mem memReader, addr uint64) (uint64, bool) {
	var b [8]byte
	if n, _ := mem(addr, b[:]); n != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[:]), true
}

func readU32(mem memReader, addr uint64) (uint32, bool) {
	var b [4]byte
	if addr == 0 {
		return 0, false
	}
	if n, _ := mem(addr, b[:]); n != 4 {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[:]), true
}

// readArgv prints a NULL-terminated array of strings: ["sh", "-c", "..."]. Strings are cut at
// max bytes, and, unless verbose (strace's abbreviation off), the array at max elements.
func readArgv(mem memReader, addr uint64, max, hex int, verbose bool) string {
	if addr == 0 {
		return "NULL"
	}
	var parts []string
	for i := 0; ; i++ {
		p, ok := readU64(mem, addr+uint64(8*i))
		if !ok {
			return hexPtr(addr)
		}
		if p == 0 {
			break
		}
		if i == max && !verbose {
			parts[len(parts)-1] += "..."
			break
		}
		parts = append(parts, readString(mem, p, max, hex))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func countPtrs(mem memReader, addr uint64) int {
	if addr == 0 {
		return 0
	}
	for i := 0; i < 1<<16; i++ {
		p, ok := readU64(mem, addr+uint64(8*i))
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
	set, ok := readU64(mem, addr)
	if !ok {
		return hexPtr(addr)
	}
	return sigsetString(set)
}

// sigsetString prints a signal mask as strace does: [INT TERM], or a mostly full set as its
// complement, ~[RTMIN RT_1]; the full set is ~[].
func sigsetString(set uint64) string {
	prefix := ""
	if bitsSet(set) > 32 {
		prefix, set = "~", ^set
	}
	var names []string
	for sig := 1; sig <= 64; sig++ {
		if set&(1<<(sig-1)) != 0 {
			names = append(names, strings.TrimPrefix(signame.Strace(sig), "SIG"))
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

// readSigaction prints a kernel struct sigaction (handler, flags, restorer, mask).
func readSigaction(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [32]byte
	if n, _ := mem(addr, b[:]); n != 32 {
		return hexPtr(addr)
	}
	h := binary.LittleEndian.Uint64(b[0:])
	flags := binary.LittleEndian.Uint64(b[8:])
	restorer := binary.LittleEndian.Uint64(b[16:])
	mask := binary.LittleEndian.Uint64(b[24:])
	hs := hexPtr(h)
	switch h {
	case 0:
		hs = "SIG_DFL"
	case 1:
		hs = "SIG_IGN"
	}
	s := "{sa_handler=" + hs + ", sa_mask=" + sigsetString(mask) + ", sa_flags=" + bits(flags, saBits, "0")
	if flags&saRestorer != 0 {
		s += ", sa_restorer=" + hexPtr(restorer)
	}
	return s + "}"
}

const saRestorer = 0x04000000

// saBits are in strace's order (its xlat/sigact_flags.in).
var saBits = []bitName{
	{saRestorer, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"}, {0x40000000, "SA_NODEFER"},
	{0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"}, {1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"},
	{0x400, "SA_UNSUPPORTED"}, {0x800, "SA_EXPOSE_TAGBITS"},
}

func rlimString(v uint64) string {
	switch {
	case v == ^uint64(0):
		return "RLIM64_INFINITY"
	case v > 0 && v%1024 == 0:
		return strconv.FormatUint(v/1024, 10) + "*1024"
	}
	return strconv.FormatUint(v, 10)
}

func readRlimit(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [16]byte
	if n, _ := mem(addr, b[:]); n != 16 {
		return hexPtr(addr)
	}
	return "{rlim_cur=" + rlimString(binary.LittleEndian.Uint64(b[:])) + ", rlim_max=" + rlimString(binary.LittleEndian.Uint64(b[8:])) + "}"
}

func readTimespec(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [16]byte
	if n, _ := mem(addr, b[:]); n != 16 {
		return hexPtr(addr)
	}
	return "{tv_sec=" + strconv.FormatInt(int64(binary.LittleEndian.Uint64(b[:])), 10) + ", tv_nsec=" + strconv.FormatInt(int64(binary.LittleEndian.Uint64(b[8:])), 10) + "}"
}

// readWstatus prints a wait status with the macros that describe it: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}].
func readWstatus(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	v, ok := readU32(mem, addr)
	if !ok {
		return hexPtr(addr)
	}
	ws := unix.WaitStatus(v)
	var s string
	switch {
	case ws.Exited():
		s = "WIFEXITED(s) && WEXITSTATUS(s) == " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		s = "WIFSIGNALED(s) && WTERMSIG(s) == " + signame.Strace(int(ws.Signal()))
		if ws.CoreDump() {
			s += " && WCOREDUMP(s)"
		}
	case ws.Stopped():
		s = "WIFSTOPPED(s) && WSTOPSIG(s) == " + signame.Strace(int(ws.StopSignal()))
	case ws.Continued():
		s = "WIFCONTINUED(s)"
	default:
		return "[" + hexNum(uint64(v)) + "]"
	}
	return "[{" + s + "}]"
}

// countDents counts the entries of a getdents64 buffer of n bytes.
func countDents(mem memReader, addr uint64, n int64) int {
	if n <= 0 {
		return 0
	}
	buf := make([]byte, n)
	got, _ := mem(addr, buf)
	buf = buf[:got]
	count := 0
	for off := 0; off+19 <= len(buf); count++ {
		reclen := int(binary.LittleEndian.Uint16(buf[off+16:]))
		if reclen == 0 {
			break
		}
		off += reclen
	}
	return count
}

func devString(major, minor uint64) string {
	return "makedev(" + hexNum(major) + ", " + hexNum(minor) + ")"
}

func modeString(m uint64) string {
	t := map[uint64]string{
		unix.S_IFREG: "S_IFREG", unix.S_IFDIR: "S_IFDIR", unix.S_IFCHR: "S_IFCHR", unix.S_IFBLK: "S_IFBLK",
		unix.S_IFIFO: "S_IFIFO", unix.S_IFLNK: "S_IFLNK", unix.S_IFSOCK: "S_IFSOCK",
	}[m&unix.S_IFMT]
	perm := "0" + strconv.FormatUint(m&0o7777, 8)
	if m&0o7777 == 0 {
		perm = "000"
	}
	if t == "" {
		return perm
	}
	return t + "|" + perm
}

// timeComment prints a time as strace -v does: 1796279964 /* 2026-12-03T06:39:24.438851915+0000 */.
func timeComment(sec, nsec int64) string {
	t := time.Unix(sec, nsec).Local()
	s := t.Format("2006-01-02T15:04:05")
	if nsec != 0 {
		s += "." + strings.Repeat("0", 9-len(strconv.FormatInt(nsec, 10))) + strconv.FormatInt(nsec, 10)
	}
	return strconv.FormatInt(sec, 10) + " /* " + s + t.Format("-0700") + " */"
}

// readStat prints struct stat (x86-64 layout): the mode and size, or the device of a device
// node, then "..."; all fields with -v.
func readStat(mem memReader, addr uint64, verbose bool) string {
	if addr == 0 {
		return "NULL"
	}
	var st unix.Stat_t
	b := make([]byte, 144)
	if n, _ := mem(addr, b); n != 144 {
		return hexPtr(addr)
	}
	u := func(off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	st.Dev, st.Ino, st.Nlink = u(0), u(8), u(16)
	st.Mode = binary.LittleEndian.Uint32(b[24:])
	st.Uid, st.Gid = binary.LittleEndian.Uint32(b[28:]), binary.LittleEndian.Uint32(b[32:])
	st.Rdev, st.Size, st.Blksize, st.Blocks = u(40), int64(u(48)), int64(u(56)), int64(u(64))
	mode := uint64(st.Mode)
	isDev := mode&unix.S_IFMT == unix.S_IFCHR || mode&unix.S_IFMT == unix.S_IFBLK
	size := "st_size=" + strconv.FormatInt(st.Size, 10)
	if isDev {
		size = "st_rdev=" + devString(uint64(unix.Major(st.Rdev)), uint64(unix.Minor(st.Rdev)))
	}
	if !verbose {
		return "{st_mode=" + modeString(mode) + ", " + size + ", ...}"
	}
	f := []string{
		"st_dev=" + devString(uint64(unix.Major(st.Dev)), uint64(unix.Minor(st.Dev))),
		"st_ino=" + strconv.FormatUint(st.Ino, 10), "st_mode=" + modeString(mode),
		"st_nlink=" + strconv.FormatUint(st.Nlink, 10), "st_uid=" + strconv.FormatUint(uint64(st.Uid), 10),
		"st_gid=" + strconv.FormatUint(uint64(st.Gid), 10), "st_blksize=" + strconv.FormatInt(st.Blksize, 10),
		"st_blocks=" + strconv.FormatInt(st.Blocks, 10), size,
	}
	for i, n := range []string{"st_atime", "st_mtime", "st_ctime"} {
		sec, nsec := int64(u(72+16*i)), int64(u(80+16*i))
		f = append(f, n+"="+timeComment(sec, nsec), n+"_nsec="+strconv.FormatInt(nsec, 10))
	}
	return "{" + strings.Join(f, ", ") + "}"
}

// readStatx prints struct statx: mask, attributes, mode and size (or device), then "...";
// all fields with -v.
func readStatx(mem memReader, addr uint64, verbose bool) string {
	if addr == 0 {
		return "NULL"
	}
	b := make([]byte, 256)
	if n, _ := mem(addr, b); n != 256 {
		return hexPtr(addr)
	}
	u32 := func(off int) uint64 { return uint64(binary.LittleEndian.Uint32(b[off:])) }
	u64 := func(off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	mode := uint64(binary.LittleEndian.Uint16(b[28:]))
	isDev := mode&unix.S_IFMT == unix.S_IFCHR || mode&unix.S_IFMT == unix.S_IFBLK
	size := "stx_size=" + strconv.FormatUint(u64(40), 10)
	if isDev && !verbose {
		size = "stx_rdev=" + devString(u32(128), u32(132))
	}
	head := "{stx_mask=" + statxMask(u32(0)) + ", stx_attributes=" + bits(u64(8), statxAttrBits, "0") + ", stx_mode=" + modeString(mode) + ", " + size
	if !verbose {
		return head + ", ...}"
	}
	f := []string{
		"stx_mask=" + statxMask(u32(0)), "stx_blksize=" + strconv.FormatUint(u32(4), 10),
		"stx_attributes=" + bits(u64(8), statxAttrBits, "0"), "stx_nlink=" + strconv.FormatUint(u32(16), 10),
		"stx_uid=" + strconv.FormatUint(u32(20), 10), "stx_gid=" + strconv.FormatUint(u32(24), 10),
		"stx_mode=" + modeString(mode), "stx_ino=" + strconv.FormatUint(u64(32), 10),
		"stx_size=" + strconv.FormatUint(u64(40), 10), "stx_blocks=" + strconv.FormatUint(u64(48), 10),
		"stx_attributes_mask=" + bits(u64(56), statxAttrBits, "0"),
	}
	for i, n := range []string{"stx_atime", "stx_btime", "stx_ctime", "stx_mtime"} {
		off := 64 + 16*i
		sec, nsec := int64(u64(off)), int64(u32(off+8))
		ts := n + "={tv_sec=" + strconv.FormatInt(sec, 10) + ", tv_nsec=" + strconv.FormatInt(nsec, 10) + "}"
		if sec != 0 || nsec != 0 {
			ts += strings.TrimPrefix(timeComment(sec, nsec), strconv.FormatInt(sec, 10))
		}
		f = append(f, ts)
	}
	f = append(f, "stx_rdev_major="+strconv.FormatUint(u32(128), 10), "stx_rdev_minor="+strconv.FormatUint(u32(132), 10),
		"stx_dev_major="+strconv.FormatUint(u32(136), 10), "stx_dev_minor="+strconv.FormatUint(u32(140), 10))
	if u32(0)&unix.STATX_MNT_ID != 0 {
		f = append(f, "stx_mnt_id="+hexNum(u64(144)))
	}
	return "{" + strings.Join(f, ", ") + "}"
}

func statxMask(v uint64) string {
	if v&unix.STATX_ALL == unix.STATX_ALL {
		return bits(v&^unix.STATX_ALL, statxMaskBits, "STATX_ALL", "STATX_ALL")
	}
	if v&unix.STATX_BASIC_STATS == unix.STATX_BASIC_STATS {
		return bits(v&^unix.STATX_BASIC_STATS, statxMaskBits, "STATX_BASIC_STATS", "STATX_BASIC_STATS")
	}
	return bits(v, statxMaskBits, "0")
}

func readUtsname(mem memReader, addr uint64, verbose bool) string {
	if addr == 0 {
		return "NULL"
	}
	b := make([]byte, 65*6)
	if n, _ := mem(addr, b); n != len(b) {
		return hexPtr(addr)
	}
	field := func(i int) string {
		f := b[65*i : 65*i+65]
		if j := indexByte(f, 0); j >= 0 {
			f = f[:j]
		}
		return quote(f, false, 0)
	}
	s := "{sysname=" + field(0) + ", nodename=" + field(1)
	if !verbose {
		return s + ", ...}"
	}
	return s + ", release=" + field(2) + ", version=" + field(3) + ", machine=" + field(4) + ", domainname=" + field(5) + "}"
}

func readSysinfo(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	b := make([]byte, 112)
	if n, _ := mem(addr, b); n != len(b) {
		return hexPtr(addr)
	}
	u := func(off int) string { return strconv.FormatUint(binary.LittleEndian.Uint64(b[off:]), 10) }
	return "{uptime=" + u(0) + ", loads=[" + u(8) + ", " + u(16) + ", " + u(24) + "], totalram=" + u(32) +
		", freeram=" + u(40) + ", sharedram=" + u(48) + ", bufferram=" + u(56) + ", totalswap=" + u(64) +
		", freeswap=" + u(72) + ", procs=" + strconv.Itoa(int(binary.LittleEndian.Uint16(b[80:]))) +
		", totalhigh=" + u(88) + ", freehigh=" + u(96) + ", mem_unit=" + strconv.Itoa(int(binary.LittleEndian.Uint32(b[104:]))) + "}"
}

// readSockaddr prints AF_UNIX, AF_INET and AF_INET6 addresses as strace does; others by family.
func readSockaddr(mem memReader, addr uint64, n int) string {
	if addr == 0 {
		return "NULL"
	}
	if n <= 0 || n > 128 {
		return hexPtr(addr)
	}
	b := make([]byte, n)
	if got, _ := mem(addr, b); got != n {
		return hexPtr(addr)
	}
	if n < 2 {
		return hexPtr(addr)
	}
	fam := uint64(binary.LittleEndian.Uint16(b))
	s := "{sa_family=" + choice(fam, domainNames)
	switch {
	case fam == unix.AF_UNIX:
		p := b[2:]
		if len(p) > 0 && p[0] == 0 {
			if j := len(p); j > 1 {
				return s + ", sun_path=@" + quote(p[1:], false, 0) + "}"
			}
		}
		if j := indexByte(p, 0); j >= 0 {
			p = p[:j]
		}
		if len(b) <= 2 {
			return s + "}"
		}
		return s + ", sun_path=" + quote(p, false, 0) + "}"
	case fam == unix.AF_INET && n >= 8:
		port := uint64(b[2])<<8 | uint64(b[3])
		return s + ", sin_port=htons(" + strconv.FormatUint(port, 10) + "), sin_addr=inet_addr(\"" +
			strconv.Itoa(int(b[4])) + "." + strconv.Itoa(int(b[5])) + "." + strconv.Itoa(int(b[6])) + "." + strconv.Itoa(int(b[7])) + "\")}"
	case fam == unix.AF_INET6 && n >= 28:
		port := uint64(b[2])<<8 | uint64(b[3])
		ip := make([]byte, 16)
		copy(ip, b[8:24])
		return s + ", sin6_port=htons(" + strconv.FormatUint(port, 10) + "), sin6_flowinfo=htonl(" +
			strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[4:])), 10) + "), inet_pton(AF_INET6, \"" + ip6String(ip) +
			"\", &sin6_addr), sin6_scope_id=" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[24:])), 10) + "}"
	}
	return s + ", sa_data=" + quote(b[2:], false, 0) + "}"
}

// ip6String prints an IPv6 address in its shortest form (RFC 5952, as inet_ntop does).
func ip6String(ip []byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(ip[2*i:])
	}
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	var parts []string
	for i := 0; i < 8; i++ {
		if i == best {
			if i == 0 {
				parts = append(parts, "")
			}
			parts = append(parts, "")
			i += bestLen - 1
			if i == 7 {
				parts = append(parts, "")
			}
			continue
		}
		parts = append(parts, strconv.FormatUint(uint64(w[i]), 16))
	}
	return strings.Join(parts, ":")
}

// readPoll prints struct pollfd[n]: events at entry, the descriptors with revents at exit; as
// strace, at most max elements, then "...".
func readPoll(mem memReader, addr, n uint64, revents bool, max int, verbose bool) string {
	if addr == 0 {
		return "NULL"
	}
	if n > 1024 {
		return hexPtr(addr)
	}
	b := make([]byte, 8*n)
	if got, _ := mem(addr, b); got != len(b) {
		return hexPtr(addr)
	}
	var parts []string
	for i := 0; i < int(n); i++ {
		fd := int32(binary.LittleEndian.Uint32(b[8*i:]))
		ev := uint64(binary.LittleEndian.Uint16(b[8*i+4:]))
		rev := uint64(binary.LittleEndian.Uint16(b[8*i+6:]))
		if len(parts) == max && !verbose {
			parts = append(parts, "...")
			break
		}
		if revents {
			if rev != 0 {
				parts = append(parts, "{fd="+strconv.Itoa(int(fd))+", revents="+bits(rev, pollBits, "0")+"}")
			}
			continue
		}
		parts = append(parts, "{fd="+strconv.Itoa(int(fd))+", events="+bits(ev, pollBits, "0")+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// futex prints the arguments each operation uses, like strace.
func (c *call) futex() string {
	a := c.args
	op := a[1]
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	s := hexPtr(a[0]) + ", " + futexOp(op)
	val := strconv.Itoa(int(int32(a[2])))
	timeout := readTimespec(c.mem, a[3])
	switch cmd {
	case 0: // WAIT
		return s + ", " + val + ", " + timeout
	case 1, 7, 10: // WAKE, UNLOCK_PI; WAKE_BITSET adds the mask below
		if cmd == 10 {
			return s + ", " + val + ", " + bitset(a[5])
		}
		return s + ", " + val
	case 9: // WAIT_BITSET
		return s + ", " + val + ", " + timeout + ", " + bitset(a[5])
	case 3: // REQUEUE
		return s + ", " + val + ", " + strconv.FormatUint(a[3], 10) + ", " + hexPtr(a[4])
	case 4: // CMP_REQUEUE
		return s + ", " + val + ", " + strconv.FormatUint(a[3], 10) + ", " + hexPtr(a[4]) + ", " + strconv.Itoa(int(int32(a[5])))
	case 5: // WAKE_OP
		return s + ", " + val + ", " + strconv.FormatUint(a[3], 10) + ", " + hexPtr(a[4]) + ", " + hexNum(a[5])
	case 6, 8, 13: // LOCK_PI, TRYLOCK_PI, LOCK_PI2
		return s + ", " + timeout
	}
	return s + ", " + val + ", " + hexPtr(a[3]) + ", " + hexPtr(a[4]) + ", " + hexNum(a[5])
}

func bitset(v uint64) string {
	if uint32(v) == 0xffffffff {
		return "FUTEX_BITSET_MATCH_ANY"
	}
	return hexNum(v)
}

// clone prints clone(2)'s arguments in strace's order (x86-64 passes flags first, then stack,
// parent_tid, child_tid, tls).
func (c *call) clone() string {
	a := c.args
	flags := a[0]
	s := "child_stack=" + hexPtr(a[1]) + ", flags=" + cloneFlags(flags)
	if flags&unix.CLONE_PARENT_SETTID != 0 {
		s += ", parent_tid=" + hexPtr(a[2])
	}
	if flags&(unix.CLONE_CHILD_SETTID|unix.CLONE_CHILD_CLEARTID) != 0 {
		s += ", child_tidptr=" + hexPtr(a[3])
	}
	if flags&unix.CLONE_SETTLS != 0 {
		s += ", tls=" + hexPtr(a[4])
	}
	return s
}

// clone3 prints struct clone_args' non-zero fields (exit_signal always).
func (c *call) clone3() string {
	b := make([]byte, 88)
	if n, _ := c.mem(c.args[0], b); n != 88 || c.args[1] < 64 {
		return hexPtr(c.args[0])
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	f := []string{"flags=" + cloneBitsString(u(0))}
	// As strace, the pointers only when a flag says the kernel uses them.
	if u(0)&unix.CLONE_PIDFD != 0 {
		f = append(f, "pidfd="+hexPtr(u(1)))
	}
	if u(0)&(unix.CLONE_CHILD_SETTID|unix.CLONE_CHILD_CLEARTID) != 0 {
		f = append(f, "child_tid="+hexPtr(u(2)))
	}
	if u(0)&unix.CLONE_PARENT_SETTID != 0 {
		f = append(f, "parent_tid="+hexPtr(u(3)))
	}
	f = append(f, "exit_signal="+exitSignal(u(4)))
	if v := u(5); v != 0 {
		f = append(f, "stack="+hexPtr(v))
	}
	if v := u(6); v != 0 {
		f = append(f, "stack_size="+hexNum(v))
	}
	if v := u(7); v != 0 {
		f = append(f, "tls="+hexPtr(v))
	}
	return "{" + strings.Join(f, ", ") + "}"
}

func exitSignal(v uint64) string {
	if v == 0 {
		return "0"
	}
	return signame.Strace(int(v))
}

func (c *call) fcntl() string {
	a := c.args
	s := c.fd(int32(a[0])) + ", " + choice(a[1], fcntlNames)
	switch a[1] {
	case unix.F_GETFD, unix.F_GETFL, unix.F_GETOWN, unix.F_GET_SEALS, unix.F_GETPIPE_SZ:
		return s
	case unix.F_SETFD:
		return s + ", " + bits(a[2], []bitName{{unix.FD_CLOEXEC, "FD_CLOEXEC"}}, "0")
	case unix.F_SETFL:
		return s + ", " + openFlags(a[2])
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC, unix.F_SETPIPE_SZ, unix.F_SETOWN:
		return s + ", " + strconv.Itoa(int(int32(a[2])))
	}
	return s + ", " + hexPtr(a[2])
}

// octal prints a mode as C's %#03o does, strace's format: 000, 022, 0644.
func octal(v uint64) string {
	s := "0" + strconv.FormatUint(v, 8)
	if v == 0 {
		s = "0"
	}
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// prctl prints the arguments each option uses; strace's five in hex for the rest.
func (c *call) prctl() string {
	a := c.args
	opt := choice(a[0], prctlNames)
	switch a[0] {
	case unix.PR_CAPBSET_READ:
		if n, ok := capNames[a[1]]; ok {
			return opt + ", " + n
		}
		return opt + ", " + hexNum(a[1]) + " /* CAP_??? */"
	case unix.PR_SET_NAME:
		return opt + ", " + readString(c.mem, a[1], 15, c.t.opts.Hex)
	case unix.PR_GET_DUMPABLE, unix.PR_GET_NO_NEW_PRIVS, unix.PR_GET_CHILD_SUBREAPER:
		return opt
	case unix.PR_SET_PDEATHSIG:
		return opt + ", " + signame.Strace(int(a[1]))
	case unix.PR_SET_DUMPABLE, unix.PR_SET_CHILD_SUBREAPER:
		return opt + ", " + strconv.FormatUint(a[1], 10)
	case unix.PR_SET_NO_NEW_PRIVS:
		return opt + ", " + strconv.FormatUint(a[1], 10) + ", " + strconv.FormatUint(a[2], 10) + ", " + strconv.FormatUint(a[3], 10) + ", " + strconv.FormatUint(a[4], 10)
	}
	return opt + ", " + hexNum(a[1]) + ", " + hexNum(a[2]) + ", " + hexNum(a[3]) + ", " + hexNum(a[4])
}

func (c *call) ioctl() string {
	a := c.args
	s := c.fd(int32(a[0])) + ", "
	n, ok := ioctlNames[a[1]]
	if a[1] == unix.FICLONE {
		n, ok = ficloneName, true
	}
	if !ok {
		return s + hexNum(a[1]) + ", " + hexNum(a[2])
	}
	switch a[1] {
	case unix.FICLONE, unix.TIOCSCTTY:
		return s + n + ", " + strconv.Itoa(int(int32(a[2])))
	}
	return s + n + ", " + hexPtr(a[2])
}

// signalName names a signal the way strace does.
func signalName(sig int) string { return signame.Strace(sig) }

type bitName struct {
	v    uint64
	name string
}

// bits prints v as NAME|NAME|0x... from table; zero as zero. lead, if given, is printed first
// and stands for the bits the caller took out (statx's STATX_ALL, STATX_BASIC_STATS).
func bits(v uint64, table []bitName, zero string, lead ...string) string {
	var parts []string
	parts = append(parts, lead...)
	if v == 0 {
		if len(parts) > 0 {
			return parts[0]
		}
		return zero
	}
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
	return strconv.FormatInt(int64(int32(v)), 10)
}

func choiceHex(v uint64, names map[uint64]string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return hexNum(v)
}

func openFlags(v uint64) string {
	acc := []string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[v&unix.O_ACCMODE]
	rest := v &^ unix.O_ACCMODE
	if rest == 0 {
		return acc
	}
	return acc + "|" + bits(rest, openBits, "0")
}

func mmapFlags(v uint64) string {
	typ := v & 0xf
	s := map[uint64]string{unix.MAP_SHARED: "MAP_SHARED", unix.MAP_PRIVATE: "MAP_PRIVATE", unix.MAP_SHARED_VALIDATE: "MAP_SHARED_VALIDATE"}[typ]
	if s == "" {
		s = hexNum(typ)
	}
	if rest := v &^ 0xf; rest != 0 {
		s += "|" + bits(rest, mmapBits, "0")
	}
	return s
}

func sockType(a uint64) string {
	return choice(a&0xf, sockTypeNames) + flagSuffix(a&^0xf, sockFlagBits)
}

func cloneFlags(v uint64) string {
	sig := v & 0xff
	s := bits(v&^0xff, cloneBits, "")
	if sig != 0 {
		if s != "" {
			s += "|"
		}
		s += signame.Strace(int(sig))
	}
	if s == "" {
		return "0"
	}
	return s
}

func cloneBitsString(v uint64) string { return bits(v, cloneBits, "0") }

// flagSuffix renders extra flag bits as "|NAME|NAME", or nothing.
func flagSuffix(v uint64, table []bitName) string {
	if v == 0 {
		return ""
	}
	return "|" + bits(v, table, "")
}

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

// touches reports whether the call names one of paths (-P): a path argument equal to one, or a
// descriptor argument open on one.
func (c *call) touches(paths []string) bool {
	spec := specs[c.name]
	for i, k := range spec {
		var p string
		switch k {
		case kPath:
			b := make([]byte, 4096)
			n, _ := c.mem(c.args[i], b)
			if j := indexByte(b[:n], 0); j >= 0 {
				p = string(b[:j])
			}
		case kFd, kDirfd:
			if int32(c.args[i]) >= 0 {
				p = fdPath(c.pid, int(int32(c.args[i])))
			}
		default:
			continue
		}
		for _, q := range paths {
			if p == q {
				return true
			}
		}
	}
	return false
}

// readIov prints struct iovec[n]: each buffer's bytes, at most -s of each; for a read (total >= 0)
// only the total bytes the kernel filled, spread over the buffers in order.
func (c *call) readIov(addr, n uint64, total int64) string {
	if addr == 0 {
		return "NULL"
	}
	if n > 1024 {
		return hexPtr(addr)
	}
	b := make([]byte, 16*n)
	if got, _ := c.mem(addr, b); got != len(b) {
		return hexPtr(addr)
	}
	o := &c.t.opts
	var parts []string
	for i := 0; i < int(n); i++ {
		if len(parts) == o.strLimit() && !o.Verbose {
			parts = append(parts, "...")
			break
		}
		base, l := binary.LittleEndian.Uint64(b[16*i:]), binary.LittleEndian.Uint64(b[16*i+8:])
		show := l
		if total >= 0 {
			show = min(l, uint64(total))
			total -= int64(show)
		}
		parts = append(parts, "{iov_base="+readBuf(c.mem, base, show, o.strLimit(), o.Hex)+", iov_len="+strconv.FormatUint(l, 10)+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// readStack prints a stack_t: {ss_sp=..., ss_flags=..., ss_size=...}.
func readStack(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [24]byte
	if n, _ := mem(addr, b[:]); n != 24 {
		return hexPtr(addr)
	}
	flags := uint64(binary.LittleEndian.Uint32(b[8:]))
	return "{ss_sp=" + hexPtr(binary.LittleEndian.Uint64(b[:])) + ", ss_flags=" + bits(flags, ssBits, "0") +
		", ss_size=" + strconv.FormatUint(binary.LittleEndian.Uint64(b[16:]), 10) + "}"
}

// readStatfs prints struct statfs (x86-64).
func readStatfs(mem memReader, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [120]byte
	if n, _ := mem(addr, b[:]); n != 120 {
		return hexPtr(addr)
	}
	u := func(off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	d := func(off int) string { return strconv.FormatUint(u(off), 10) }
	return "{f_type=" + choiceHex(u(0), fsMagicNames) + ", f_bsize=" + d(8) + ", f_blocks=" + d(16) + ", f_bfree=" + d(24) +
		", f_bavail=" + d(32) + ", f_files=" + d(40) + ", f_ffree=" + d(48) +
		", f_fsid={val=[" + hexNum(uint64(binary.LittleEndian.Uint32(b[56:]))) + ", " + hexNum(uint64(binary.LittleEndian.Uint32(b[60:]))) + "]}" +
		", f_namelen=" + d(64) + ", f_frsize=" + d(72) + ", f_flags=" + bits(u(80), statfsFlagBits, "0") + "}"
}
