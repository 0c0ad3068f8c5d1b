package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unsafe"

	"golang.org/x/sys/unix"
)

// tracefsDir is where bpftrace 0.17 looks for tracepoint formats (it also tries
// /sys/kernel/debug/tracing). systemd mounts tracefs there at boot; a VM without systemd as PID 1,
// like the one this was built on, may not have it mounted at all, and then bpftrace reports
// "tracepoint not found" for every tracepoint.
const tracefsDir = "/sys/kernel/tracing"

// requireBpftrace returns the path of bpftrace, or an error saying what is missing: bpftrace
// itself, or root (bpftrace 0.17 refuses to run unless euid is 0).
func requireBpftrace() (string, error) {
	bin, err := exec.LookPath("bpftrace")
	if err != nil {
		return "", fmt.Errorf("bpftrace not found in PATH (Debian: apt-get install bpftrace): %w", err)
	}
	if os.Geteuid() != 0 {
		return "", fmt.Errorf("bpftrace needs root to load BPF programs and attach probes (euid is %d): run as root", os.Geteuid())
	}
	return bin, nil
}

// ensureTracefs mounts tracefs on /sys/kernel/tracing when neither place bpftrace looks has it.
// It says so on w: mounting is a change to the machine.
func ensureTracefs(w io.Writer) error {
	for _, d := range []string{tracefsDir, "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "events")); err == nil {
			return nil
		}
	}
	err := unix.Mount("tracefs", tracefsDir, "tracefs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
	if err != nil {
		return fmt.Errorf("tracefs is not mounted and mounting it on %s failed: %w", tracefsDir, os.NewSyscallError("mount", err))
	}
	fmt.Fprintf(w, "vfs-explorer: mounted tracefs on %s (bpftrace reads tracepoint formats there)\n", tracefsDir)
	return nil
}

// kprobeSupport reports whether this kernel can attach a kprobe, and why not. It asks the way
// libbpf and bcc (which bpftrace 0.17 attaches through) do, in their order: the kprobe PMU
// (/sys/bus/event_source/devices/kprobe, perf_event_open(2) with config1 = function name), then
// the legacy tracefs interface (kprobe_events). Existence of the PMU is not enough: it tries to
// create a kprobe on vfs_read and closes it at once. bpftrace --info is no answer: it reports
// "kprobe: yes" on this very kernel, because it only checks that BPF_PROG_TYPE_KPROBE programs
// load, not that anything can attach them.
func kprobeSupport() (bool, string) {
	b, err := os.ReadFile("/sys/bus/event_source/devices/kprobe/type")
	if err == nil {
		var typ uint32
		if _, err := fmt.Sscanf(string(b), "%d", &typ); err != nil {
			return false, fmt.Sprintf("kprobe PMU type %q: %v", b, err)
		}
		sym, _ := unix.BytePtrFromString("vfs_read")
		attr := unix.PerfEventAttr{
			Type: typ,
			Size: uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
			Ext1: uint64(uintptr(unsafe.Pointer(sym))), // config1: kprobe_func
		}
		fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
		runtime.KeepAlive(sym) // the kernel read the name through attr.Ext1, a bare address
		if err != nil {
			return false, fmt.Sprintf("kprobe PMU present but a kprobe on vfs_read cannot be created: %v", os.NewSyscallError("perf_event_open", err))
		}
		unix.Close(fd)
		return true, "kprobe PMU: a kprobe on vfs_read can be created"
	}
	for _, d := range []string{tracefsDir, "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "kprobe_events")); err == nil {
			return true, "legacy kprobes: " + filepath.Join(d, "kprobe_events") + " exists"
		}
	}
	return false, "no kprobe PMU (/sys/bus/event_source/devices/kprobe) and no kprobe_events in tracefs: kernel built without CONFIG_KPROBES"
}

// chooseFamily resolves -family: auto takes kprobe where kprobes attach (the vfs_* hooks count an
// operation however it was reached: io_uring's openat/unlinkat/renameat requests, nfsd and
// overlayfs call vfs_open, vfs_unlink, vfs_rename without passing a syscall tracepoint) and
// tracepoint elsewhere. An explicit kprobe on a kernel without kprobes is an error, never a run
// that would attach nothing and print zeros. pickRecipe then checks that the recipe's functions
// exist in this kernel.
func chooseFamily(flagValue string) (Family, string, error) {
	switch flagValue {
	case "tracepoint":
		return Tracepoint, "asked for", nil
	case "kprobe":
		if ok, why := kprobeSupport(); !ok {
			return "", "", fmt.Errorf("the kprobe family cannot run on this kernel: %s (use -family tracepoint)", why)
		}
		return Kprobe, "asked for", nil
	case "", "auto":
		if ok, why := kprobeSupport(); ok {
			return Kprobe, why, nil
		} else {
			return Tracepoint, why, nil
		}
	}
	return "", "", fmt.Errorf("unknown family %q (want auto, tracepoint or kprobe)", flagValue)
}

// pickRecipe returns recipe name as run loads it under -family flagValue, with the reason for the
// family: for kprobe, its attach points resolved against the running kernel (resolve.go). Where
// a kprobe recipe cannot be exact here (a function it needs is renamed or inlined away), auto
// falls back to the tracepoint twin and says why, and an explicit -family kprobe is an error.
func pickRecipe(flagValue, name string) (Recipe, string, error) {
	f, why, err := chooseFamily(flagValue)
	if err != nil {
		return Recipe{}, "", err
	}
	r, err := lookup(f, name)
	if err != nil || f != Kprobe {
		return r, why, err
	}
	rr, notes, err := resolveRecipe(r)
	if err == nil {
		if len(notes) > 0 {
			why += "; " + strings.Join(notes, "; ")
		}
		return rr, why, nil
	}
	if flagValue == string(Kprobe) {
		return Recipe{}, "", fmt.Errorf("%w (use -family tracepoint)", err)
	}
	t, lerr := lookup(Tracepoint, name)
	return t, fmt.Sprintf("instead of the kprobe family: %v", err), lerr
}

// tracepointSupport reports whether the tracepoint family can attach here: the syscall
// tracepoints exist in tracefs (CONFIG_FTRACE_SYSCALLS). When tracefs is not mounted it cannot
// tell, and says run and check mount it.
func tracepointSupport() (bool, string) {
	for _, d := range []string{tracefsDir, "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "events")); err != nil {
			continue
		}
		p := filepath.Join(d, "events", "syscalls", "sys_enter_openat")
		if _, err := os.Stat(p); err != nil {
			return false, fmt.Sprintf("no syscall tracepoints (%v): kernel built without CONFIG_FTRACE_SYSCALLS", err)
		}
		return true, "syscall tracepoints present (" + p + ")"
	}
	return true, "tracefs not mounted, so not verified (run and check mount it on " + tracefsDir + ")"
}

// childCommand turns argv into the string bpftrace -c takes. bpftrace 0.17 splits that string on
// spaces with no quoting, and insists that a bare program name resolve to exactly one file in
// PATH (on a merged-/usr system "cat" is both /bin/cat and /usr/bin/cat and is refused), so the
// program is resolved here to an absolute path. When an argument would be split (or dropped:
// an empty one), the command goes through this binary instead: "vfs-explorer exec-argv X..."
// with every argument hex-encoded, which decodes them and execs the real command in the same
// process, so the pid bpftrace knows as cpid is the command's from its exec on (check's window
// prelude matches on it).
func childCommand(argv []string) (string, error) {
	words, err := resolveArgv(argv)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(words, splitByBpftrace) {
		return strings.Join(words, " "), nil
	}
	return throughSelf(execArgvCommand, words)
}

// waiterCommand returns the bpftrace -c string for run -- CMD: this binary's run-child command,
// which starts CMD as its child, waits for it and writes how it ended to statusPath. bpftrace
// 0.17 reaps its -c child itself and exits 0 whatever that child's status, so without a waiter
// in between the status would be lost. The follow prelude starts tracing at the first exec of a
// process the waiter forks: the waiter, and the Go runtime's start-up in it, never show.
// stderrFD, if not -1, is the descriptor the waiter inherits (through bpftrace, which passes its
// descriptors on to its -c child) and makes the command's stderr.
func waiterCommand(argv []string, statusPath string, stderrFD int) (string, error) {
	words, err := resolveArgv(argv)
	if err != nil {
		return "", err
	}
	return throughSelf(runChildCommand, append([]string{statusPath, strconv.Itoa(stderrFD)}, words...))
}

// resolveArgv returns argv with its program as an absolute path, found in PATH as exec does.
func resolveArgv(argv []string) ([]string, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command after --")
	}
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, err
	}
	if prog, err = filepath.Abs(prog); err != nil {
		return nil, err
	}
	return append([]string{prog}, argv[1:]...), nil
}

// throughSelf returns "SELF COMMAND xHEX..." with every word hex-encoded, a string bpftrace -c
// passes on intact whatever the words hold.
func throughSelf(command string, words []string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own binary to start the command through: %w", err)
	}
	if splitByBpftrace(self) {
		return "", fmt.Errorf("this binary's own path %q has a space: bpftrace -c cannot start it", self)
	}
	enc := []string{self, command}
	for _, w := range words {
		enc = append(enc, "x"+hex.EncodeToString([]byte(w)))
	}
	return strings.Join(enc, " "), nil
}

// splitByBpftrace reports whether bpftrace -c would not pass w through as one argument.
func splitByBpftrace(w string) bool {
	return w == "" || strings.ContainsFunc(w, unicode.IsSpace)
}

// The hidden commands the strings above start.
const (
	execArgvCommand = "exec-argv"
	runChildCommand = "run-child"
)

// decodeWords undoes throughSelf's encoding.
func decodeWords(command string, args []string) ([]string, error) {
	words := make([]string, len(args))
	for i, a := range args {
		h, ok := strings.CutPrefix(a, "x")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: argument %d %q is not x<hex>", command, i, a)
		}
		words[i] = string(b)
	}
	return words, nil
}

// execArgv decodes childCommand's encoding and replaces this process with the command. It runs
// before anything else in the process would open a file of its own.
func execArgv(args []string) error {
	argv, err := decodeWords(execArgvCommand, args)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return errors.New("exec-argv: no command")
	}
	err = unix.Exec(argv[0], argv, os.Environ())
	return fmt.Errorf("exec %s: %w", argv[0], os.NewSyscallError("execve", err))
}

// runChild is the waiter waiterCommand starts. It runs the command on this process's stdin and
// stdout and on run's own stderr, the descriptors themselves (a terminal stays a terminal, and a
// prompt without a newline shows at once), waits for it, and writes "exit N", "signal N" or
// "error MESSAGE" to the status file. run's stderr arrives as an extra descriptor, since the one
// bpftrace gives its child is its own, filtered line by line; the waiter moves it onto 2 and so
// holds nothing of bpftrace's stderr either. A terminal's SIGINT and SIGQUIT go to the whole
// foreground process group, the command included, so the waiter only outlives them (dying
// first would end bpftrace's trace before the command ends). SIGTERM and SIGHUP, sent to a
// process as often as to a group, are passed on.
func runChild(args []string) error {
	words, err := decodeWords(runChildCommand, args)
	if err != nil {
		return err
	}
	if len(words) < 3 {
		return errors.New("run-child: want a status file, a descriptor and a command")
	}
	status, argv := words[0], words[2:]
	if fd, err := strconv.Atoi(words[1]); err != nil {
		return fmt.Errorf("run-child: descriptor %q: %w", words[1], err)
	} else if fd >= 0 {
		// EBADF: a bpftrace that closes what it does not know; the command then gets the
		// filtered stderr, as it would under bpftrace -c.
		if err := unix.Dup3(fd, 2, 0); err != nil && err != unix.EBADF {
			return fmt.Errorf("run-child: stderr from descriptor %d: %w", fd, os.NewSyscallError("dup3", err))
		}
		unix.Close(fd)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGHUP)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The status file is the only report: bpftrace reaps the waiter and drops its exit status,
	// and run turns the file into its own (commandStatus).
	if err := cmd.Start(); err != nil {
		if werr := os.WriteFile(status, []byte("error "+err.Error()+"\n"), 0o600); werr != nil {
			return errors.Join(err, werr)
		}
		return nil
	}
	go func() {
		for s := range sigs {
			if s == unix.SIGTERM || s == unix.SIGHUP {
				cmd.Process.Signal(s)
			}
		}
	}()
	cmd.Wait() // the status is in ProcessState; the descriptors were handed over, not copied
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	line := fmt.Sprintf("exit %d", ws.ExitStatus())
	if ws.Signaled() {
		line = fmt.Sprintf("signal %d", ws.Signal())
	}
	return os.WriteFile(status, []byte(line+"\n"), 0o600)
}

// commandStatus reads what runChild wrote and turns it into run's result: nil for "exit 0", the
// command's own status otherwise (a signal as 128+N, as shells report it, with a line saying
// which), 127 if it could not be started. Nothing written means bpftrace ended before the
// command did: an interrupted run (nil) or an error (which run turns into 125).
func commandStatus(path, name string, interrupted bool, stderr io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	kind, val, _ := strings.Cut(strings.TrimSuffix(string(b), "\n"), " ")
	n, nerr := strconv.Atoi(val)
	if (kind == "exit" || kind == "signal") && nerr != nil {
		return fmt.Errorf("%s: unreadable exit status %q", name, b)
	}
	switch kind {
	case "exit":
		if n != 0 {
			return exitError(n)
		}
		return nil
	case "signal":
		fmt.Fprintf(stderr, "vfs-explorer: %s: killed by signal %d (%s)\n", name, n, unix.SignalName(syscall.Signal(n)))
		return exitError(128 + n)
	case "error":
		fmt.Fprintf(stderr, "vfs-explorer: start %s: %s\n", name, val)
		return exitError(127)
	case "":
		if interrupted {
			return nil
		}
		return fmt.Errorf("%s: bpftrace ended before the command reported its exit status", name)
	}
	return fmt.Errorf("%s: unreadable exit status %q", name, b)
}

// bpftraceRun is one bpftrace invocation.
type bpftraceRun struct {
	Bin     string   // path of bpftrace
	Program string   // the script, written to a temporary file
	Name    string   // recipe name, for the temporary file's name and error messages
	Child   string   // -c command, or ""
	Args    []string // extra bpftrace options (-f json, -o FILE)
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// ChildStderr, if set, is passed to bpftrace as descriptor 3, for waiterCommand's command:
	// bpftrace's own stderr goes through a filter (memlockNoise) that the command's must not.
	ChildStderr *os.File
}

// memlockNoise is the line bpftrace 0.17 prints when it cannot raise RLIMIT_MEMLOCK. Since Linux
// 5.11 BPF memory is charged to the memory cgroup, not to RLIMIT_MEMLOCK, so the failure changes
// nothing; the line is dropped from the stderr we pass on so that it is not read as a failure.
const memlockNoise = "couldn't set RLIMIT_MEMLOCK for bpftrace"

// Run starts bpftrace and waits for it. When ctx is cancelled (Ctrl-C, SIGTERM) bpftrace gets
// SIGINT, its normal way to stop: it then prints its maps and exits.
func (b bpftraceRun) Run(ctx context.Context) error {
	f, err := os.CreateTemp("", "vfs-explorer-"+b.Name+"-*.bt")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(b.Program); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	args := append([]string{}, b.Args...)
	if b.Child != "" {
		args = append(args, "-c", b.Child)
	}
	args = append(args, f.Name())
	cmd := exec.CommandContext(ctx, b.Bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	cmd.Stdin, cmd.Stdout = b.Stdin, b.Stdout
	if b.ChildStderr != nil {
		cmd.ExtraFiles = []*os.File{b.ChildStderr} // descriptor 3
	}
	if _, set := os.LookupEnv("BPFTRACE_STRLEN"); !set {
		// str() copies 64 bytes by default, cutting longer paths; 200 is the most bpftrace 0.17
		// allows (strings live on the 512-byte BPF stack).
		cmd.Env = append(os.Environ(), "BPFTRACE_STRLEN=200")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stderr = pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if !bytes.Contains(sc.Bytes(), []byte(memlockNoise)) {
				fmt.Fprintf(b.Stderr, "%s\n", sc.Bytes())
			}
		}
		io.Copy(io.Discard, pr)
	}()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return fmt.Errorf("start bpftrace: %w", err)
	}
	err = cmd.Wait()
	<-done
	pr.Close()
	if err != nil && ctx.Err() != nil && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		return nil
	}
	return err
}
