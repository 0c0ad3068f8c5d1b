// Command stdecho is the benchmark's reference: the echo server most Go programs would write, a
// goroutine per connection copying net.Conn to itself with io.Copy. It lives under testdata so
// `go build ./...` and the root `make build` skip it; the bench builds it in the same run with
// `go build ./testdata/stdecho`.
package main

import (
	"flag"
	"io"
	"log"
	"net"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:7009", "listen on `HOST:PORT`")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}
