//go:build ignore

// gentables writes ztables_linux.go: the flag and value name tables the decoders print, each
// listed here once by name, in the order strace prints them, with the values taken from
// golang.org/x/sys/unix's constants (zerrors_linux.go, zerrors_linux_amd64.go, ztypes_linux.go).
// "SHOWN=XSYS" prints x/sys's XSYS under strace's name SHOWN; "NAME:VALUE" is a constant x/sys
// does not export, with its header in the comment after the table. Run by `go generate` here;
// TestTablesGenerated fails when the committed file differs from what this writes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

type table struct {
	name, kind, doc, names string // kind: bits ([]bitName, in order) or choice (map[uint64]string)
}

var tables = []table{
	{"openBits", "bits", "open(2) flags above the access mode, in strace's order (xlat/open_mode_flags.in): O_SYNC before O_DSYNC, which it contains, O_TMPFILE before O_DIRECTORY; O_LARGEFILE is the kernel's 0100000 (asm-generic/fcntl.h; x/sys has 0 on amd64, as glibc, but F_GETFL reports it)",
		"O_CREAT O_EXCL O_NOCTTY O_TRUNC O_APPEND O_NONBLOCK O_SYNC O_DSYNC O_DIRECT O_LARGEFILE:0o100000 O_NOFOLLOW O_NOATIME O_CLOEXEC O_PATH O_TMPFILE O_DIRECTORY FASYNC=O_ASYNC"},
	{"pipeBits", "bits", "pipe2's and dup3's flags: open flags without an access mode", "O_CLOEXEC O_DIRECT O_NONBLOCK"},
	{"cloneBits", "bits", "clone flags above the exit signal",
		"CLONE_VM CLONE_FS CLONE_FILES CLONE_SIGHAND CLONE_PIDFD CLONE_PTRACE CLONE_VFORK CLONE_PARENT CLONE_THREAD CLONE_NEWNS CLONE_SYSVSEM CLONE_SETTLS CLONE_PARENT_SETTID CLONE_CHILD_CLEARTID CLONE_UNTRACED CLONE_CHILD_SETTID CLONE_NEWCGROUP CLONE_NEWUTS CLONE_NEWIPC CLONE_NEWUSER CLONE_NEWPID CLONE_NEWNET CLONE_IO"},
	{"protBits", "bits", "mmap protection", "PROT_READ PROT_WRITE PROT_EXEC PROT_GROWSDOWN PROT_GROWSUP"},
	{"mmapBits", "bits", "MAP_* above the mapping type (MAP_SHARED, MAP_PRIVATE, printed first)",
		"MAP_FIXED MAP_ANONYMOUS MAP_32BIT MAP_GROWSDOWN MAP_DENYWRITE MAP_EXECUTABLE MAP_LOCKED MAP_NORESERVE MAP_POPULATE MAP_NONBLOCK MAP_STACK MAP_HUGETLB MAP_SYNC MAP_FIXED_NOREPLACE"},
	{"waitBits", "bits", "wait options", "WNOHANG WSTOPPED=WUNTRACED WEXITED WCONTINUED WNOWAIT __WNOTHREAD=WNOTHREAD __WALL=WALL __WCLONE=WCLONE"},
	{"atBits", "bits", "AT_* flags", "AT_SYMLINK_NOFOLLOW AT_REMOVEDIR AT_SYMLINK_FOLLOW AT_NO_AUTOMOUNT AT_EMPTY_PATH AT_STATX_FORCE_SYNC AT_STATX_DONT_SYNC AT_RECURSIVE"},
	{"accessBits", "bits", "access(2) modes", "R_OK W_OK X_OK"},
	{"sockFlagBits", "bits", "socket type flags", "SOCK_CLOEXEC SOCK_NONBLOCK"},
	{"grndBits", "bits", "getrandom flags", "GRND_NONBLOCK GRND_RANDOM GRND_INSECURE"},
	{"msgBits", "bits", "send and recv flags",
		"MSG_OOB MSG_PEEK MSG_DONTROUTE MSG_CTRUNC MSG_PROXY MSG_TRUNC MSG_DONTWAIT MSG_EOR MSG_WAITALL MSG_FIN MSG_SYN MSG_CONFIRM MSG_RST MSG_ERRQUEUE MSG_NOSIGNAL MSG_MORE MSG_WAITFORONE MSG_FASTOPEN MSG_CMSG_CLOEXEC"},
	{"statxMaskBits", "bits", "statx request and result mask",
		"STATX_TYPE STATX_MODE STATX_NLINK STATX_UID STATX_GID STATX_ATIME STATX_MTIME STATX_CTIME STATX_INO STATX_SIZE STATX_BLOCKS STATX_BTIME STATX_MNT_ID STATX_DIOALIGN"},
	{"statxAttrBits", "bits", "statx attributes",
		"STATX_ATTR_COMPRESSED STATX_ATTR_IMMUTABLE STATX_ATTR_APPEND STATX_ATTR_NODUMP STATX_ATTR_ENCRYPTED STATX_ATTR_AUTOMOUNT STATX_ATTR_MOUNT_ROOT STATX_ATTR_VERITY STATX_ATTR_DAX"},
	{"pollBits", "bits", "poll events (POLLRDNORM..POLLWRBAND: asm-generic/poll.h, not in x/sys)",
		"POLLIN POLLPRI POLLOUT POLLERR POLLHUP POLLNVAL POLLRDNORM:0x40 POLLRDBAND:0x80 POLLWRNORM:0x100 POLLWRBAND:0x200 POLLRDHUP"},
	{"ssBits", "bits", "sigaltstack flags (asm-generic/signal-defs.h, not in x/sys)", "SS_ONSTACK:1 SS_DISABLE:2 SS_AUTODISARM:0x80000000"},
	{"statfsFlagBits", "bits", "statfs f_flags (ST_VALID, the kernel's \"f_flags is filled in\", is not in x/sys)",
		"ST_VALID:0x20 ST_RDONLY ST_NOSUID ST_NODEV ST_NOEXEC ST_SYNCHRONOUS ST_MANDLOCK ST_NOATIME ST_NODIRATIME ST_RELATIME"},
	{"howNames", "choice", "sigprocmask how", "SIG_BLOCK SIG_UNBLOCK SIG_SETMASK"},
	{"whenceNames", "choice", "lseek whence", "SEEK_SET SEEK_CUR SEEK_END SEEK_DATA SEEK_HOLE"},
	{"fcntlNames", "choice", "fcntl commands",
		"F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL F_GETLK F_SETLK F_SETLKW F_SETOWN F_GETOWN F_SETSIG F_GETSIG F_OFD_GETLK F_OFD_SETLK F_OFD_SETLKW F_SETLEASE F_GETLEASE F_NOTIFY F_DUPFD_CLOEXEC F_SETPIPE_SZ F_GETPIPE_SZ F_ADD_SEALS F_GET_SEALS"},
	{"rlimitNames", "choice", "resources",
		"RLIMIT_CPU RLIMIT_FSIZE RLIMIT_DATA RLIMIT_STACK RLIMIT_CORE RLIMIT_RSS RLIMIT_NPROC RLIMIT_NOFILE RLIMIT_MEMLOCK RLIMIT_AS RLIMIT_LOCKS RLIMIT_SIGPENDING RLIMIT_MSGQUEUE RLIMIT_NICE RLIMIT_RTPRIO RLIMIT_RTTIME"},
	{"domainNames", "choice", "address families",
		"AF_UNSPEC AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET AF_VSOCK AF_BLUETOOTH AF_ALG AF_KEY AF_XDP"},
	{"sockTypeNames", "choice", "socket types", "SOCK_STREAM SOCK_DGRAM SOCK_RAW SOCK_RDM SOCK_SEQPACKET SOCK_DCCP SOCK_PACKET"},
	{"ipProtoNames", "choice", "IP protocols", "IPPROTO_IP IPPROTO_ICMP IPPROTO_TCP IPPROTO_UDP IPPROTO_IPV6 IPPROTO_ICMPV6 IPPROTO_SCTP IPPROTO_RAW"},
	{"madviseNames", "choice", "madvise advice",
		"MADV_NORMAL MADV_RANDOM MADV_SEQUENTIAL MADV_WILLNEED MADV_DONTNEED MADV_FREE MADV_REMOVE MADV_DONTFORK MADV_DOFORK MADV_HWPOISON MADV_MERGEABLE MADV_UNMERGEABLE MADV_HUGEPAGE MADV_NOHUGEPAGE MADV_DONTDUMP MADV_DODUMP MADV_WIPEONFORK MADV_KEEPONFORK MADV_COLD MADV_PAGEOUT MADV_POPULATE_READ MADV_POPULATE_WRITE MADV_DONTNEED_LOCKED MADV_COLLAPSE"},
	{"fadviseNames", "choice", "fadvise advice (x/sys spells them FADV_*)",
		"POSIX_FADV_NORMAL=FADV_NORMAL POSIX_FADV_RANDOM=FADV_RANDOM POSIX_FADV_SEQUENTIAL=FADV_SEQUENTIAL POSIX_FADV_WILLNEED=FADV_WILLNEED POSIX_FADV_DONTNEED=FADV_DONTNEED POSIX_FADV_NOREUSE=FADV_NOREUSE"},
	{"clockNames", "choice", "clock ids",
		"CLOCK_REALTIME CLOCK_MONOTONIC CLOCK_PROCESS_CPUTIME_ID CLOCK_THREAD_CPUTIME_ID CLOCK_MONOTONIC_RAW CLOCK_REALTIME_COARSE CLOCK_MONOTONIC_COARSE CLOCK_BOOTTIME CLOCK_REALTIME_ALARM CLOCK_BOOTTIME_ALARM CLOCK_TAI"},
	{"prctlNames", "choice", "prctl options",
		"PR_SET_PDEATHSIG PR_GET_PDEATHSIG PR_GET_DUMPABLE PR_SET_DUMPABLE PR_GET_KEEPCAPS PR_SET_KEEPCAPS PR_SET_NAME PR_GET_NAME PR_GET_SECCOMP PR_SET_SECCOMP PR_CAPBSET_READ PR_CAPBSET_DROP PR_GET_SECUREBITS PR_SET_SECUREBITS PR_SET_TIMERSLACK PR_GET_TIMERSLACK PR_SET_CHILD_SUBREAPER PR_GET_CHILD_SUBREAPER PR_SET_NO_NEW_PRIVS PR_GET_NO_NEW_PRIVS PR_SET_THP_DISABLE PR_GET_THP_DISABLE PR_CAP_AMBIENT PR_SET_VMA PR_SET_MM"},
	{"ioctlNames", "choice", "terminal and socket ioctl requests (FIONREAD is x/sys's TIOCINQ)",
		"TCGETS TCSETS TCSETSW TCSETSF TIOCGWINSZ TIOCSWINSZ TIOCGPGRP TIOCSPGRP TIOCSCTTY TIOCNOTTY FIONREAD=TIOCINQ TIOCOUTQ FIOCLEX:0x5451 FIONCLEX:0x5450 FIONBIO:0x5421 FIOASYNC:0x5452 TIOCGPTN TIOCSPTLCK TIOCGSID SIOCGIFCONF SIOCGIFFLAGS SIOCGIFINDEX",
	},
	{"idtypeNames", "choice", "waitid id types", "P_ALL P_PID P_PGID P_PIDFD"},
	{"fsMagicNames", "choice", "file system magic numbers (ext2, ext3 and ext4 share one: strace's EXT2_SUPER_MAGIC)",
		"EXT2_SUPER_MAGIC=EXT4_SUPER_MAGIC TMPFS_MAGIC PROC_SUPER_MAGIC SYSFS_MAGIC BTRFS_SUPER_MAGIC XFS_SUPER_MAGIC OVERLAYFS_SUPER_MAGIC CGROUP2_SUPER_MAGIC CGROUP_SUPER_MAGIC DEVPTS_SUPER_MAGIC NFS_SUPER_MAGIC SQUASHFS_MAGIC RAMFS_MAGIC DEBUGFS_MAGIC TRACEFS_MAGIC BPF_FS_MAGIC"},
	{"capNames", "choice", "capabilities",
		"CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE"},
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gentables: ")
	out := flag.String("o", "ztables_linux.go", "output file")
	flag.Parse()
	mod, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "golang.org/x/sys").Output()
	if err != nil {
		log.Fatalf("locate golang.org/x/sys: %v", err)
	}
	dir, version, _ := strings.Cut(strings.TrimSpace(string(mod)), " ")
	values := map[string]uint64{}
	for _, f := range []string{"constants.go", "zerrors_linux.go", "zerrors_linux_amd64.go", "ztypes_linux.go", "ztypes_linux_amd64.go", "syscall_linux.go"} {
		readConsts(filepath.Join(dir, "unix", f), values)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gentables.go from golang.org/x/sys@%s; DO NOT EDIT.\n\npackage ptrace\n", version)
	for _, t := range tables {
		fmt.Fprintf(&b, "\n// %s: %s.\n", t.name, t.doc)
		if t.kind == "bits" {
			fmt.Fprintf(&b, "var %s = []bitName{\n", t.name)
		} else {
			fmt.Fprintf(&b, "var %s = map[uint64]string{\n", t.name)
		}
		seen := map[uint64]string{}
		for _, n := range strings.Fields(t.names) {
			shown, v := resolve(n, values)
			if prev, dup := seen[v]; dup && t.kind == "choice" {
				log.Fatalf("%s: %s and %s are both %#x", t.name, prev, shown, v)
			}
			seen[v] = shown
			if t.kind == "bits" {
				fmt.Fprintf(&b, "\t{%#x, %q},\n", v, shown)
			} else {
				fmt.Fprintf(&b, "\t%#x: %q,\n", v, shown)
			}
		}
		b.WriteString("}\n")
	}
	code, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, code, 0o644); err != nil {
		log.Fatal(err)
	}
}

// resolve reads one entry of a table's list: NAME, SHOWN=XSYS or NAME:VALUE.
func resolve(n string, values map[string]uint64) (string, uint64) {
	if name, val, ok := strings.Cut(n, ":"); ok {
		v, err := strconv.ParseUint(val, 0, 64)
		if err != nil {
			log.Fatalf("%s: %v", n, err)
		}
		if _, inXsys := values[name]; inXsys && name != "O_LARGEFILE" {
			log.Fatalf("%s: x/sys has %s now; drop the literal value", n, name)
		}
		return name, v
	}
	shown, xsys := n, n
	if s, x, ok := strings.Cut(n, "="); ok {
		shown, xsys = s, x
	}
	v, ok := values[xsys]
	if !ok {
		log.Fatalf("%s: no such constant in x/sys/unix", xsys)
	}
	return shown, v
}

// readConsts adds the integer constants of a Go file to values, evaluating each expression
// (x/sys writes some as other constants or shifts) with go/types over the file alone.
func readConsts(path string, values map[string]uint64) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	// Keep only the constant declarations: the file's types and funcs need other files.
	var decls []ast.Decl
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
			decls = append(decls, gd)
		}
	}
	f.Decls, f.Imports = decls, nil
	conf := types.Config{Error: func(error) {}}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	conf.Check("unix", fset, []*ast.File{f}, info)
	for id, obj := range info.Defs {
		c, ok := obj.(*types.Const)
		if !ok || c.Val().Kind() != constant.Int {
			continue
		}
		if v, exact := constant.Uint64Val(c.Val()); exact {
			values[id.Name] = v
		} else if v, exact := constant.Int64Val(c.Val()); exact {
			values[id.Name] = uint64(v)
		}
	}
}
