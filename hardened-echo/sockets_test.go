package main

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"kernel-foundations/hardened-echo/internal/sd"
)

// fileOf returns a dup of c's socket as an *os.File and closes c: the File is then the only
// owner, as with a descriptor systemd passes.
func fileOf(t *testing.T, c interface {
	File() (*os.File, error)
	Close() error
}) *os.File {
	t.Helper()
	f, err := c.File()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return f
}

// TestFromPassedClosesEverything counts /proc/self/fd around fromPassed's error path: a refused
// socket (a connected stream socket, as an Accept=yes unit passes) after one it already serves
// and before two it never reaches. Every passed descriptor must be closed, and the listener it
// made from the first one too.
func TestFromPassedClosesEverything(t *testing.T) {
	before := openFDs()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	ln.Close()
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln3, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	passed := []sd.Socket{
		{File: fileOf(t, ln2.(*net.TCPListener)), Name: "served", Type: unix.SOCK_STREAM, Listening: true},
		{File: fileOf(t, server.(*net.TCPConn)), Name: "connected", Type: unix.SOCK_STREAM},
		{File: fileOf(t, ln3.(*net.TCPListener)), Name: "never-reached", Type: unix.SOCK_STREAM, Listening: true},
		{File: fileOf(t, pc.(*net.UDPConn)), Name: "never-reached-udp", Type: unix.SOCK_DGRAM},
	}
	if openFDs() != before+len(passed) {
		t.Fatalf("%d descriptors opened, want the %d passed ones only", openFDs()-before, len(passed))
	}

	lns, pcs, err := fromPassed(passed, newLogger(io.Discard, false))
	if err == nil || !strings.Contains(err.Error(), `passed socket "connected": a connected stream socket`) {
		t.Fatalf("fromPassed = %v, want the connected socket refused", err)
	}
	if lns != nil || pcs != nil {
		t.Errorf("fromPassed returned %d listeners and %d packet conns with its error, want none", len(lns), len(pcs))
	}
	if leaked := openFDs() - before; leaked != 0 {
		t.Errorf("fromPassed's error path left %d descriptors open", leaked)
	}
}
