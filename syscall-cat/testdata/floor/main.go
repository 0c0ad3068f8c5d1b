// Command floor is the bench's floor: the least a Go program does to copy a file to standard
// output, io.Copy(os.Stdout, file), which already takes the kernel's zero-copy paths
// (os.File.ReadFrom: copy_file_range, splice, sendfile). `make bench` builds it static, as
// syscall-cat is, and times it beside both cats. Not shipped.
package main

import (
	"io"
	"os"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		os.Exit(1)
	}
	if _, err := io.Copy(os.Stdout, f); err != nil {
		os.Exit(1)
	}
}
