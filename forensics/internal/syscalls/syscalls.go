// Package syscalls names Linux x86-64 system calls by number. The table is generated from
// golang.org/x/sys/unix's SYS_* constants (go generate; see gen.go), never typed by hand.
package syscalls

//go:generate go run gen.go

import "strconv"

// Name returns the kernel's name for syscall nr, or "syscall_0x1d8" (strace's spelling) for a
// number the table does not know, such as a syscall newer than the x/sys release.
func Name(nr uint64) string {
	if nr < uint64(len(names)) && names[nr] != "" {
		return names[nr]
	}
	return "syscall_0x" + strconv.FormatUint(nr, 16)
}

// Number returns the number of the syscall called name, and false if the table has no such name.
func Number(name string) (uint64, bool) {
	for nr, n := range names {
		if n == name {
			return uint64(nr), true
		}
	}
	return 0, false
}
