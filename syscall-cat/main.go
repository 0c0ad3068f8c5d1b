// Two runtime features cat does not need, off from the start: the goroutine re-reading the CPU
// limit every second to update GOMAXPROCS, and the naming of each anonymous mapping with
// prctl(PR_SET_VMA), one call per mapping. A GODEBUG variable in the environment overrides
// these directives, so the filter copes with both anyway (seccomp.Install, seccomp.policy).
//
//go:debug updatemaxprocs=0
//go:debug decoratemappings=0

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
	"os"

	"kernel-foundations/syscall-cat/internal/gnu"
	"kernel-foundations/syscall-cat/internal/seccomp"
)

func main() {
	os.Exit(run(os.Args[0], os.Args[1:], os.LookupEnv))
}

// run is the whole program. It works on file descriptors 0, 1 and 2 rather than io.Readers:
// cat's contract is about descriptors (their kinds, positions, inode identity and flags).
// It returns the exit status; a write error or EPIPE ends the process from inside.
func run(prog string, args []string, lookupEnv func(string) (string, bool)) int {
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	mode, err := seccomp.ParseMode(getenv("SYSCALL_CAT_SECCOMP"))
	if err != nil {
		fatal(prog, err.Error())
	}
	c := &cat{prog: prog, utf8: utf8Locale(getenv)} // may stat locale files: before the filter
	if err := restoreDefaultSignals(); err != nil {
		fatal(prog, err.Error())
	}
	// The filter assembled from seccomp.policy at build time (internal/seccomp/program.go).
	if err := seccomp.Install(seccomp.Program(mode)); err != nil {
		fatal(prog, "install seccomp filter: "+err.Error())
	}

	_, posixlyCorrect := lookupEnv("POSIXLY_CORRECT") // set, even empty, counts (glibc getopt)
	cmd := gnu.Parse(args, posixlyCorrect)
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
