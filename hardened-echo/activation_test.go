package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// freePort returns a loopback port that was free a moment ago, for tools that cannot bind port 0
// and report it (systemd-socket-activate rejects 127.0.0.1:0).
func freePort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "tcp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	default:
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().(*net.UDPAddr).Port
	}
}

// TestSocketActivate runs the server under systemd-socket-activate(1), which binds the socket,
// waits for the first client and execs the server with LISTEN_FDS=1 and LISTEN_FDNAMES.
func TestSocketActivate(t *testing.T) {
	if _, err := exec.LookPath("systemd-socket-activate"); err != nil {
		skipf(t, "%v (Debian package systemd)", err)
	}
	for _, tc := range []struct {
		name     string
		datagram bool
	}{
		{"tcp", false},
		{"udp", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t, tc.name)
			addr := "127.0.0.1:" + strconv.Itoa(port)
			args := []string{"-l", addr, "--fdname=echo-" + tc.name}
			if tc.datagram {
				args = append(args, "--datagram")
			}
			cmd := exec.Command("systemd-socket-activate", append(args, binPath)...)
			cmd.Env = cleanEnv()
			s := startServer(t, cmd)
			s.waitLine(t, `^Listening on `+strings.ReplaceAll(addr, ".", `\.`)+` as 3\.$`)
			payload := []byte("activated " + tc.name)
			var got []byte
			if tc.datagram {
				got = udpRoundTrip(t, addr, payload)
			} else {
				got = roundTrip(t, addr, payload)
			}
			if !bytes.Equal(got, payload) {
				t.Errorf("echo %q, want %q", got, payload)
			}
			kind := map[bool]string{false: "stream", true: "datagram"}[tc.datagram]
			s.waitLine(t, fmt.Sprintf(`^info: serving passed %s socket "echo-%s" on %s$`, kind, tc.name, strings.ReplaceAll(addr, ".", `\.`)))
			if err := s.stop(t); err != nil {
				t.Errorf("exit after SIGTERM: %v", err)
			}
		})
	}
}

// trampolineCmd runs the server through the test binary's trampoline (TestMain), so that
// LISTEN_PID is the server's own pid and files are its fds 3, 4, ...
func trampolineCmd(files []*os.File, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-listen", "", "-udp", "")
	cmd.Env = cleanEnv(append([]string{
		trampolineEnv + "=" + binPath,
		trampolinePassedEnv + "=" + strconv.Itoa(len(files)),
		"LISTEN_FDS=" + strconv.Itoa(len(files)),
	}, env...)...)
	cmd.ExtraFiles = files
	return cmd
}

// TestListenFDs passes a TCP and a UDP socket the way systemd does and checks the server serves
// both, tells them apart by SO_TYPE, names them from LISTEN_FDNAMES, and keeps every socket
// descriptor close-on-exec.
func TestListenFDs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	lnFile, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer lnFile.Close()
	pcFile, err := pc.(*net.UDPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer pcFile.Close()

	// UDP first: the server must not assume an order.
	s := startServer(t, trampolineCmd([]*os.File{pcFile, lnFile}, "LISTEN_FDNAMES=dgram:stream"))
	s.waitLine(t, `^info: serving passed datagram socket "dgram" on `+pc.LocalAddr().String()+`$`)
	s.waitLine(t, `^info: serving passed stream socket "stream" on `+ln.Addr().String()+`$`)
	s.waitLine(t, `^info: ready$`)
	// Our copies stay open but nobody accepts on them here: the server's copies get the traffic.
	if got := roundTrip(t, ln.Addr().String(), []byte("tcp via fd")); string(got) != "tcp via fd" {
		t.Errorf("tcp echo %q", got)
	}
	if got := udpRoundTrip(t, pc.LocalAddr().String(), []byte("udp via fd")); string(got) != "udp via fd" {
		t.Errorf("udp echo %q", got)
	}

	// Every socket the server holds is close-on-exec (fdinfo flags are octal; O_CLOEXEC 02000000).
	pid := s.cmd.Process.Pid
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	sockets := 0
	for _, e := range ents {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err != nil || !strings.HasPrefix(target, "socket:") {
			continue
		}
		sockets++
		info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "flags:"); ok {
				flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
				if err != nil {
					t.Fatal(err)
				}
				if flags&0o2000000 == 0 {
					t.Errorf("fd %s (%s): flags %#o lack O_CLOEXEC", e.Name(), target, flags)
				}
			}
		}
	}
	if sockets < 2 {
		t.Errorf("server holds %d sockets, want at least the 2 passed", sockets)
	}
	if err := s.stop(t); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}

func TestListenFDsRejected(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lnFile, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer lnFile.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	// A connected stream socket, what an Accept=yes unit passes: SOCK_STREAM, but not listening.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	connFile, err := conn.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer connFile.Close()

	for _, tc := range []struct {
		name  string
		files []*os.File
		env   []string
		want  string
	}{
		{"names do not match the count", []*os.File{lnFile}, []string{"LISTEN_FDNAMES=a:b"},
			`socket activation: LISTEN_FDNAMES="a:b" names 2 descriptors, LISTEN_FDS=1`},
		{"a passed fd is not a socket", []*os.File{devNull}, nil,
			"socket activation: passed fd 3 (\"unknown\"): getsockopt SO_TYPE: socket operation on non-socket"},
		// fd 4 is either closed (EBADF) or, since Go 1.25, a cgroup CPU-limit file the runtime
		// opened before main (ENOTSOCK): it takes the lowest free fds, which under systemd
		// come after the passed ones. Both must be refused.
		{"LISTEN_FDS counts fds never passed", []*os.File{lnFile}, []string{"LISTEN_FDS=3"},
			"socket activation: passed fd 4 (\"unknown\"): "},
		{"a connected stream socket (Accept=yes)", []*os.File{connFile}, nil,
			`passed socket "unknown": a connected stream socket, not a listening one`},
		{"LISTEN_FDS not a number", []*os.File{lnFile}, []string{"LISTEN_FDS=x"},
			`socket activation: LISTEN_FDS="x": not a descriptor count`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := trampolineCmd(tc.files, tc.env...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 125 {
				t.Fatalf("exit %v, want 125\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output %q, want it to contain %q", out, tc.want)
			}
		})
	}

	// LISTEN_PID naming another process: the descriptors are not ours, so the server ignores
	// them and serves its flags instead (a plain exec, no trampoline).
	t.Run("LISTEN_PID of another process", func(t *testing.T) {
		cmd := echoCmd("-listen", "127.0.0.1:0", "-udp", "")
		cmd.Env = append(cmd.Env, "LISTEN_PID=1", "LISTEN_FDS=1")
		cmd.ExtraFiles = []*os.File{lnFile}
		s := startServer(t, cmd)
		s.waitLine(t, `^info: listening on tcp 127\.0\.0\.1:\d+$`)
		if err := s.stop(t); err != nil {
			t.Errorf("exit: %v", err)
		}
	})
}
