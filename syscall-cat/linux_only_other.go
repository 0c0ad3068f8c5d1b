//go:build !linux || !amd64

// syscall-cat is a Linux x86-64 program: raw system calls, sendfile/splice/copy_file_range and a
// seccomp filter assembled for that architecture's syscall numbers. On any other GOOS or GOARCH
// the build stops here, on the undefined name below, which is the message.
package main

var _ = syscall_cat_builds_on_linux_amd64_only
