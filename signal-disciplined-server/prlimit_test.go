package main

import (
	"syscall"
	"unsafe"
)

// prlimit wraps prlimit64(2) on another process, with the standard library only (tests use no
// x/sys).
func prlimit(pid int, resource int, lim *syscall.Rlimit) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(resource),
		uintptr(unsafe.Pointer(lim)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
