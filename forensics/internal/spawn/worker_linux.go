package spawn

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"kernel-foundations/forensics/internal/eintr"
	"kernel-foundations/forensics/internal/signame"
)

// progressEvery is how often a worker reports its hash count.
const progressEvery = 200 * time.Millisecond

// RunWorker is the worker process: it hashes (SHA-256 chained over a 64 KiB block, real CPU
// work) for the duration, writes progress to fd 3, and on SIGTERM or SIGINT writes one line naming
// itself and the signal to stdout, then exits 0.
func RunWorker(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(WorkerCommand, flag.ContinueOnError)
	id := fs.Int("id", 0, "worker number")
	duration := fs.Duration("duration", 5*time.Second, "how long to hash")
	if err := fs.Parse(args); err != nil {
		return err
	}
	progress := os.NewFile(3, "progress")
	if progress == nil {
		return fmt.Errorf("worker %d: no progress pipe on fd 3", *id)
	}
	defer progress.Close()

	// The handler must be in place before the parent is told we are ready: the parent holds
	// back its SIGTERM until then, since a SIGTERM before signal.Notify would kill us by default
	// action, with no line.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	ppid := os.Getppid()
	// Who sent SIGTERM? The parent writes a token on the control pipe (fd 4) before it forwards
	// one; the kernel's PR_SET_PDEATHSIG comes with the parent dying instead, which closes the
	// pipe (EOF) and makes a pidfd on the parent readable. getppid(2) alone cannot tell: the
	// signal fires when the forking *thread* exits, and the orphan is first handed to another
	// thread of the dying parent, so getppid still returns the old pid for a moment.
	control := os.NewFile(4, "control")
	if control == nil {
		return fmt.Errorf("worker %d: no control pipe on fd 4", *id)
	}
	defer control.Close()
	parent, perr := unix.PidfdOpen(ppid, 0)
	if perr != nil {
		parent = -1 // already gone: poll ignores a negative fd
	} else {
		defer unix.Close(parent)
	}
	var got atomic.Value // os.Signal
	go func() { got.Store(<-sigs) }()
	// A failed write to the progress pipe means the parent is gone; the parent-death signal
	// (or our own deadline) ends the work, so progress errors are not fatal.
	fmt.Fprintln(progress, "ready")

	start := time.Now()
	deadline := start.Add(*duration)
	block := make([]byte, 64<<10)
	for i := range block {
		block[i] = byte(i)
	}
	var hashes uint64
	nextReport := start.Add(progressEvery)
	for {
		sum := sha256.Sum256(block)
		copy(block, sum[:]) // chain: every hash depends on the previous one
		hashes++
		if hashes%8 != 0 {
			continue
		}
		if got.Load() != nil {
			break
		}
		now := time.Now()
		if now.After(deadline) {
			break
		}
		if now.After(nextReport) {
			fmt.Fprintf(progress, "progress %d\n", hashes)
			nextReport = now.Add(progressEvery)
		}
	}
	elapsed := time.Since(start)
	rate := float64(hashes) * float64(len(block)) / (1 << 20) / elapsed.Seconds()
	fmt.Fprintf(progress, "progress %d\n", hashes)
	var line string
	if s, ok := got.Load().(os.Signal); ok {
		why := sender(control, parent, ppid)
		line = fmt.Sprintf("worker %d pid %d: received %s (%s), stopping after %d hashes in %.2fs (%.0f MiB/s)",
			*id, os.Getpid(), signame.Of(s), why, hashes, elapsed.Seconds(), rate)
	} else {
		line = fmt.Sprintf("worker %d pid %d: done after %.2fs, %d hashes (%.0f MiB/s)",
			*id, os.Getpid(), elapsed.Seconds(), hashes, rate)
	}
	// The parent prints our last line itself when it is alive, so that its output (a live table
	// redrawn on a terminal) and ours never interleave. Parent gone: straight to the inherited
	// stdout, so the line survives the parent's death.
	if parent >= 0 && !parentExited(parent) {
		if _, err := fmt.Fprintf(progress, "log %s\n", line); err == nil {
			return nil
		}
	}
	_, err := fmt.Fprintln(stdout, line)
	return err
}

// parentExited polls the parent's pidfd without waiting: readable means it has exited.
func parentExited(pidfd int) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := poll(fds, 0)
	return err == nil && n > 0
}

// sender waits for the control token, EOF, or the parent's exit, and names the SIGTERM's origin.
// A SIGTERM from anyone else (kill -TERM on the worker) matches none within senderWait.
func sender(control *os.File, parent, ppid int) string {
	const senderWait = 2 * time.Second
	fds := []unix.PollFd{{Fd: int32(control.Fd()), Events: unix.POLLIN}, {Fd: int32(parent), Events: unix.POLLIN}}
	if _, err := poll(fds, senderWait); err != nil {
		return "sender unknown: " + err.Error()
	}
	if fds[0].Revents != 0 {
		var b [len(StopToken)]byte
		if n, _ := control.Read(b[:]); string(b[:n]) == StopToken {
			return fmt.Sprintf("from parent %d", ppid)
		}
		return fmt.Sprintf("parent %d died: PR_SET_PDEATHSIG", ppid) // EOF: every write end closed
	}
	if fds[1].Revents != 0 || parent < 0 {
		return fmt.Sprintf("parent %d died: PR_SET_PDEATHSIG", ppid)
	}
	return fmt.Sprintf("not from parent %d, which is alive", ppid)
}

// poll wraps poll(2), retrying EINTR (eintr.Retry): the Go runtime's own signals (SIGURG
// preemption) interrupt it, and poll is never restarted (signal(7)).
func poll(fds []unix.PollFd, timeout time.Duration) (n int, err error) {
	err = eintr.Retry(func() (err error) {
		n, err = unix.Poll(fds, int(timeout.Milliseconds()))
		return err
	})
	return n, err
}

// Message is one line of a worker's progress pipe.
type Message struct {
	Ready  bool   // "ready": the SIGTERM handler is installed
	Hashes uint64 // "progress N"
	Log    string // "log TEXT": the worker's last line, for the parent to print
}

// ParseProgress parses one progress-pipe line.
func ParseProgress(line string) (Message, error) {
	line = strings.TrimRight(line, "\n")
	if line == "ready" {
		return Message{Ready: true}, nil
	}
	if text, ok := strings.CutPrefix(line, "log "); ok {
		return Message{Log: text}, nil
	}
	n, ok := strings.CutPrefix(line, "progress ")
	if !ok {
		return Message{}, fmt.Errorf("progress line %q", line)
	}
	hashes, err := strconv.ParseUint(n, 10, 64)
	return Message{Hashes: hashes}, err
}
