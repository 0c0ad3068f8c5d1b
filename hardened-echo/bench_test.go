package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// referenceEnv makes the test binary run referenceServer instead of the tests: the plain
// stdlib echo (io.Copy per connection, ReadFrom/WriteTo for UDP) that the benchmarks compare
// hardened-echo with, in a process of its own like the server under test.
const referenceEnv = "HARDENED_ECHO_REFERENCE"

func referenceServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	// Same log lines as hardened-echo, so the benchmarks start both the same way.
	os.Stderr.WriteString("info: listening on tcp " + ln.Addr().String() + "\n")
	os.Stderr.WriteString("info: listening on udp " + pc.LocalAddr().String() + "\n")
	os.Stderr.WriteString("info: ready\n")
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}

// benchServers yields hardened-echo and the reference, each started on free loopback ports.
func benchServers(b *testing.B, f func(b *testing.B, tcpAddr, udpAddr string)) {
	for _, name := range []string{"hardened-echo", "reference"} {
		b.Run(name, func(b *testing.B) {
			var cmd *exec.Cmd
			if name == "reference" {
				cmd = exec.Command(os.Args[0])
				cmd.Env = cleanEnv(referenceEnv + "=1")
			} else {
				cmd = echoCmd("-listen", "127.0.0.1:0", "-udp", "127.0.0.1:0")
			}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			var tcpAddr, udpAddr string
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				line := sc.Text()
				if a, ok := strings.CutPrefix(line, "info: listening on tcp "); ok {
					tcpAddr = a
				}
				if a, ok := strings.CutPrefix(line, "info: listening on udp "); ok {
					udpAddr = a
				}
				if line == "info: ready" {
					break
				}
			}
			go io.Copy(io.Discard, stderr)
			f(b, tcpAddr, udpAddr)
		})
	}
}

// BenchmarkTCPRoundTrip64 is request/response latency: one connection, 64 bytes out, 64 back.
func BenchmarkTCPRoundTrip64(b *testing.B) {
	benchServers(b, func(b *testing.B, tcpAddr, _ string) {
		c, err := net.Dial("tcp", tcpAddr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		msg, buf := make([]byte, 64), make([]byte, 64)
		b.SetBytes(64)
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTCPStream is throughput: 1 MiB per op written while a second goroutine reads the echo.
func BenchmarkTCPStream(b *testing.B) {
	benchServers(b, func(b *testing.B, tcpAddr, _ string) {
		c, err := net.Dial("tcp", tcpAddr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		chunk := make([]byte, 1<<20)
		b.SetBytes(int64(len(chunk)))
		b.ResetTimer()
		done := make(chan error, 1)
		go func() {
			_, err := io.CopyN(io.Discard, c, int64(b.N)*int64(len(chunk)))
			done <- err
		}()
		for range b.N {
			if _, err := c.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkUDPRoundTrip64 is one 64-byte datagram out and its echo back.
func BenchmarkUDPRoundTrip64(b *testing.B) {
	benchServers(b, func(b *testing.B, _, udpAddr string) {
		c, err := net.Dial("udp", udpAddr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		msg, buf := make([]byte, 64), make([]byte, 128)
		b.SetBytes(64)
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
