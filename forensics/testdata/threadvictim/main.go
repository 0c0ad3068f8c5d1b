// threadvictim is a multi-threaded process for the trace tests: four goroutines locked to
// their own threads, each blocked in read(2) on its own pipe, and a main loop that echoes stdin
// to stdout. It prints "ready" once every thread exists.
//
// "threadvictim -exec PATH ARGS..." instead execs PATH from a thread that is not the thread group
// leader, the case where execve(2) changes the caller's thread id to the pid.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-exec" {
		runtime.LockOSThread() // main stays on the leader, so the goroutine below cannot run there
		failed := make(chan error)
		go func() {
			runtime.LockOSThread()
			failed <- syscall.Exec(os.Args[2], os.Args[2:], os.Environ())
		}()
		fmt.Fprintln(os.Stderr, <-failed)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		defer w.Close()
		wg.Add(1)
		go func() {
			runtime.LockOSThread() // one thread per goroutine, blocked in read(2)
			wg.Done()
			var b [1]byte
			r.Read(b[:])
		}()
	}
	wg.Wait()
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(in.Text())
	}
}
