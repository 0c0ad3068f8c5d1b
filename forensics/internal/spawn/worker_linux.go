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
	// A pidfd on the parent tells, when SIGTERM comes, whether it was forwarded by a live parent
	// or sent by the kernel because the parent died (PR_SET_PDEATHSIG). getppid(2) alone cannot
	// tell: the signal fires when the forking *thread* exits, and the orphan is first handed to
	// another thread of the dying parent, so getppid still returns the old pid for a moment.
	parent, perr := unix.PidfdOpen(ppid, 0)
	if perr == nil {
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
	if s, ok := got.Load().(os.Signal); ok {
		why := fmt.Sprintf("from parent %d", ppid)
		if perr != nil || exited(parent, 100*time.Millisecond) {
			why = fmt.Sprintf("parent %d died: PR_SET_PDEATHSIG", ppid)
		}
		_, err := fmt.Fprintf(stdout, "worker %d pid %d: received %s (%s), stopping after %d hashes in %.2fs (%.0f MiB/s)\n",
			*id, os.Getpid(), signalName(s), why, hashes, elapsed.Seconds(), rate)
		return err
	}
	_, err := fmt.Fprintf(stdout, "worker %d pid %d: done after %.2fs, %d hashes (%.0f MiB/s)\n",
		*id, os.Getpid(), elapsed.Seconds(), hashes, rate)
	return err
}

// exited polls a pidfd, which turns readable once the whole process has exited, for up to wait:
// a SIGKILLed parent takes well under a millisecond to finish exiting.
func exited(pidfd int, wait time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(wait.Milliseconds()))
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}

func signalName(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		switch n {
		case syscall.SIGTERM:
			return "SIGTERM"
		case syscall.SIGINT:
			return "SIGINT"
		}
		return "signal " + strconv.Itoa(int(n))
	}
	return s.String()
}

// ParseProgress parses one progress-pipe line: "ready" or "progress N".
func ParseProgress(line string) (ready bool, hashes uint64, err error) {
	line = strings.TrimSpace(line)
	if line == "ready" {
		return true, 0, nil
	}
	n, ok := strings.CutPrefix(line, "progress ")
	if !ok {
		return false, 0, fmt.Errorf("progress line %q", line)
	}
	hashes, err = strconv.ParseUint(n, 10, 64)
	return false, hashes, err
}
