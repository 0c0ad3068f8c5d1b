package seccomp

// syscallNumbers maps the names a policy may use to linux/amd64 system call numbers
// (arch/x86/entry/syscalls/syscall_64.tbl). It lists the calls syscall-cat and the Go runtime
// make plus a few that tests forbid; unknown names are a policy error, not a silent skip.
var syscallNumbers = map[string]uint32{
	"read":              0,
	"write":             1,
	"open":              2,
	"close":             3,
	"fstat":             5,
	"lseek":             8,
	"mmap":              9,
	"mprotect":          10,
	"munmap":            11,
	"brk":               12,
	"rt_sigaction":      13,
	"rt_sigprocmask":    14,
	"rt_sigreturn":      15,
	"ioctl":             16,
	"pread64":           17,
	"sched_yield":       24,
	"madvise":           28,
	"nanosleep":         35,
	"getpid":            39,
	"sendfile":          40,
	"socket":            41,
	"clone":             56,
	"fork":              57,
	"vfork":             58,
	"execve":            59,
	"exit":              60,
	"kill":              62,
	"uname":             63,
	"fcntl":             72,
	"getcwd":            79,
	"sigaltstack":       131,
	"prctl":             157,
	"gettid":            186,
	"tkill":             200,
	"futex":             202,
	"sched_getaffinity": 204,
	"clock_gettime":     228,
	"clock_nanosleep":   230,
	"exit_group":        231,
	"epoll_ctl":         233,
	"tgkill":            234,
	"openat":            257,
	"newfstatat":        262,
	"splice":            275,
	"epoll_pwait":       281,
	"eventfd2":          290,
	"epoll_create1":     291,
	"pipe2":             293,
	"prlimit64":         302,
	"getrandom":         318,
	"seccomp":           317,
	"copy_file_range":   326,
	"clone3":            435,
	"epoll_pwait2":      441,
}

// syscallName returns the policy name of nr, or "" if the table does not know it.
func syscallName(nr uint32) string {
	for name, n := range syscallNumbers {
		if n == nr {
			return name
		}
	}
	return ""
}
