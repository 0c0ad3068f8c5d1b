// Command victim installs syscall-cat's seccomp filter exactly as syscall-cat does and then
// makes one system call, named by its argument, that the policy allows or forbids. It lives in
// testdata so that nothing but the seccomp tests builds it.
//
//	victim POLICY-FILE MODE CASE
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/syscall-cat/internal/seccomp"
)

func main() {
	text, err := readRaw(os.Args[1]) // not os.ReadFile, which would create the netpoller now
	check(err)
	p, err := seccomp.Parse(string(text))
	check(err)
	mode, err := seccomp.ParseMode(os.Args[2])
	check(err)
	prog, err := p.Assemble(mode)
	check(err)
	check(seccomp.Install(prog))
	fmt.Println("installed") // readiness: the parent knows any death from here is the filter's

	switch os.Args[3] {
	case "open-read": // allowed: the control case
		fd, err := unix.Openat(unix.AT_FDCWD, "/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		report(fd, err)
	case "open-write":
		fd, err := unix.Openat(unix.AT_FDCWD, "/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		report(fd, err)
	case "open-create":
		fd, err := unix.Openat(unix.AT_FDCWD, os.Args[4], unix.O_RDONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
		report(fd, err)
	case "socket":
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		report(fd, err)
	case "fork": // clone without CLONE_THREAD: a new process
		r, _, errno := unix.RawSyscall6(unix.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
		if r == 0 && errno == 0 {
			unix.Exit(0) // the child, had the filter let it exist
		}
		report(int(r), errnoErr(errno))
	case "x32": // getpid through the x32 ABI's number
		r, _, errno := unix.RawSyscall(unix.SYS_GETPID|0x40000000, 0, 0, 0)
		report(int(r), errnoErr(errno))
	case "first-timer": // the runtime creates its netpoller under the filter, for a timer
		time.Sleep(time.Millisecond)
		report(0, nil)
	case "other-thread": // a forbidden call on another thread kills the whole process
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			report(fd, err)
			close(done)
		}()
		<-done
	default:
		check(fmt.Errorf("unknown case %q", os.Args[3]))
	}
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func report(r int, err error) {
	if err != nil {
		fmt.Printf("error %v\n", err)
		return
	}
	fmt.Printf("ok %d\n", r)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "victim:", err)
		os.Exit(2)
	}
}

// readRaw reads a whole file with raw system calls, as syscall-cat reads its inputs: the
// process starts the filter without a netpoller, as the cat does.
func readRaw(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var text []byte
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return text, nil
		}
		text = append(text, buf[:n]...)
	}
}
