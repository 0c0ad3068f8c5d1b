// threadvictim is a multi-threaded process for the trace -p tests: four goroutines locked to
// their own threads, each blocked in read(2) on its own pipe, and a main loop that echoes stdin
// to stdout. It prints "ready" once every thread exists.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sync"
)

func main() {
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
