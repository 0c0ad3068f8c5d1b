package spawn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
	"kernel-foundations/forensics/internal/proc"
)

// Tracked is one worker as its supervisor knows it. Only the supervising goroutine touches it.
type Tracked struct {
	*Worker
	Ready    bool   // its "ready" line arrived: the SIGTERM handler is installed
	Hashes   uint64 // the last "progress N"
	StopSent bool   // Stop (token, then SIGTERM) was sent
	Exited   bool   // waitid has returned
	EOF      bool   // the progress pipe is closed: every line the worker wrote is in

	exit     *Exit // held until EOF, so the worker's last line comes before its exit status
	exitErr  error // waitid's own failure, reported in place of an exit
	reported bool
	partial  []byte // an incomplete progress line (ReadAvailable)
}

// Group is the one worker model of the lab, shared by spawn (a goroutine per pidfd and pipe) and
// supervise (one epoll loop): the state of each worker, SIGTERM forwarding, the report once both
// the exit and the pipe's EOF are in, and the clean-up on error. The supervisor feeds it events
// (Message, Closed, Exited) from whatever it waits on.
type Group struct {
	Workers []*Tracked
	// Print writes one line of output; Prefix ("spawn: ") goes before the group's own lines,
	// not before the workers' last lines, which carry their own.
	Print  func(line string)
	Prefix string
	// Reaped formats the report of an ended worker (after Prefix); after is " after SIGTERM"
	// or "".
	Reaped func(t *Tracked, e Exit, after string) string

	Stopping bool // SIGTERM forwarding has begun: workers that become ready get it too
	Live     int  // started and not yet reported
	Failed   int  // reported with an error or a status other than 0
}

// Say prints one line of the group's own, after Prefix.
func (g *Group) Say(format string, a ...any) { g.Print(g.Prefix + fmt.Sprintf(format, a...)) }

// Add tracks a started worker.
func (g *Group) Add(w *Worker) *Tracked {
	t := &Tracked{Worker: w}
	g.Workers = append(g.Workers, t)
	g.Live++
	return t
}

// Forward sends Stop (the control token, then SIGTERM) to every ready worker that has not had it
// yet, and marks the group stopping. A worker that is not ready has no handler yet (SIGTERM would
// kill it by default action, without its line): it gets the signal when its "ready" arrives.
func (g *Group) Forward() {
	g.Stopping = true
	for _, t := range g.Workers {
		if t.Exited || t.StopSent || !t.Ready {
			continue
		}
		if err := t.Stop(); err != nil {
			g.Say("worker %d pid %d: %v", t.ID, t.Pid, err)
		}
		t.StopSent = true
	}
}

// Kill sends SIGKILL to every worker that has not exited: the answer to a second signal.
func (g *Group) Kill() {
	for _, t := range g.Workers {
		if !t.Exited {
			if err := t.Signal(unix.SIGKILL); err != nil {
				g.Say("worker %d pid %d: %v", t.ID, t.Pid, err)
			}
		}
	}
}

// AllReady reports whether every worker still running has said "ready".
func (g *Group) AllReady() bool {
	for _, t := range g.Workers {
		if !t.Ready && !t.Exited {
			return false
		}
	}
	return true
}

// Message applies one progress-pipe line of t. A worker's last line ("log TEXT") is printed
// as it is.
func (g *Group) Message(t *Tracked, msg Message) {
	switch {
	case msg.Ready:
		t.Ready = true
		if g.Stopping {
			g.Forward() // it was not ready when the signal came: send it now
		}
	case msg.Log != "":
		g.Print(msg.Log)
	default:
		t.Hashes = msg.Hashes
	}
}

// Closed records the EOF of t's progress pipe and reports t if its exit is already in.
func (g *Group) Closed(t *Tracked) error {
	t.EOF = true
	if t.Exited {
		return g.report(t)
	}
	return nil
}

// Exited records t's exit (or waitid's failure) and reports t if its pipe has reached EOF.
func (g *Group) Exited(t *Tracked, e Exit, err error) error {
	t.Exited, t.exit, t.exitErr = true, &e, err
	if t.EOF {
		return g.report(t)
	}
	return nil
}

// report prints how t ended and releases its descriptors; the Close error is returned.
func (g *Group) report(t *Tracked) error {
	t.reported = true
	g.Live--
	switch {
	case t.exitErr != nil:
		g.Failed++
		g.Say("worker %d pid %d: %v", t.ID, t.Pid, t.exitErr)
	default:
		if !t.exit.Success() {
			g.Failed++
		}
		after := ""
		if t.StopSent {
			after = " after SIGTERM"
		}
		g.Say("%s", g.Reaped(t, *t.exit, after))
	}
	if err := t.Close(); err != nil {
		return fmt.Errorf("worker %d: close: %w", t.ID, err)
	}
	return nil
}

// Abort cleans up after an error: every worker not yet reaped is killed with SIGKILL and reaped
// through its pidfd, and every worker not yet reported (exited ones waiting for their pipe's EOF
// too) has its descriptors closed. Nothing is left running, nothing left open.
func (g *Group) Abort() {
	for _, t := range g.Workers {
		if t.reported {
			continue
		}
		if !t.Exited {
			t.Signal(unix.SIGKILL) // ESRCH: it exited meanwhile; the wait below reaps it either way
			t.Wait(0)
			t.Exited = true
		}
		t.Close()
	}
}

// Scan reads t's progress pipe until EOF through a blocking duplicate of its fd and hands each
// line to each, for a supervisor that gives every worker a goroutine. The dup shares the
// non-blocking file description, so os.NewFile makes it pollable; the Worker keeps owning the
// original fd.
func (t *Tracked) Scan(each func(Message)) error {
	dup, err := unix.FcntlInt(uintptr(t.progress), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(dup), "progress")
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if msg, err := ParseProgress(sc.Text()); err == nil {
			each(msg)
		}
	}
	return sc.Err()
}

// ReadAvailable reads what t's non-blocking progress pipe holds, for an epoll loop: each
// complete line goes to g.Message, an incomplete one waits for the rest. eof reports that the
// worker closed its end (it exited).
func (g *Group) ReadAvailable(t *Tracked) (eof bool, err error) {
	var buf [512]byte
	for {
		var n int
		err := eintr.Retry(func() (err error) {
			n, err = unix.Read(t.progress, buf[:])
			return err
		})
		if errors.Is(err, unix.EAGAIN) {
			return false, nil // drained; level-triggered epoll calls again when more arrives
		}
		if err != nil {
			return false, os.NewSyscallError("read progress", err)
		}
		if n == 0 {
			return true, nil
		}
		t.partial = append(t.partial, buf[:n]...)
		for {
			i := bytes.IndexByte(t.partial, '\n')
			if i < 0 {
				break
			}
			msg, err := ParseProgress(string(t.partial[:i]))
			t.partial = t.partial[i+1:]
			if err == nil {
				g.Message(t, msg)
			}
		}
	}
}

// ChildrenLeft lists the processes whose parent is pid, from /proc/*/stat: "none" is the claim
// "nothing left behind" checked against the kernel.
func ChildrenLeft(pid int) string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err.Error()
	}
	var kids []string
	for _, e := range entries {
		var p int
		if _, err := fmt.Sscanf(e.Name(), "%d", &p); err != nil {
			continue
		}
		if s, err := proc.ReadStat("/proc", p); err == nil && s.PPID == pid {
			kids = append(kids, fmt.Sprintf("%d (%c)", s.PID, s.State))
		}
	}
	if len(kids) == 0 {
		return "none"
	}
	return strings.Join(kids, " ")
}
