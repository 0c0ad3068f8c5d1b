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
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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
// operation however it was reached: io_uring's openat/unlinkat/renameat/fsync requests, nfsd
// and overlayfs call vfs_open, vfs_unlink, vfs_rename, vfs_fsync_range without passing a syscall
// tracepoint) and tracepoint elsewhere. An explicit kprobe on a kernel without kprobes is an
// error, never a run that would attach nothing and print zeros.
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

// childCommand turns argv into the string bpftrace -c takes. bpftrace 0.17 splits that string on
// spaces with no quoting, and insists that a bare program name resolve to exactly one file in
// PATH (on a merged-/usr system "cat" is both /bin/cat and /usr/bin/cat and is refused), so the
// program is resolved here to an absolute path. When an argument would be split (or dropped:
// an empty one), the command goes through this binary instead: "vfs-explorer exec-argv X..."
// with every argument hex-encoded, which decodes them and execs the real command in the same
// process; trampoline is then true, and the follow prelude must skip that first exec.
func childCommand(argv []string) (cmd string, trampoline bool, err error) {
	if len(argv) == 0 {
		return "", false, errors.New("no command after --")
	}
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return "", false, err
	}
	if prog, err = filepath.Abs(prog); err != nil {
		return "", false, err
	}
	words := append([]string{prog}, argv[1:]...)
	if !slices.ContainsFunc(words, splitByBpftrace) {
		return strings.Join(words, " "), false, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", false, fmt.Errorf("find own binary to pass arguments with spaces: %w", err)
	}
	if splitByBpftrace(self) {
		return "", false, fmt.Errorf("argument with spaces, and this binary's own path %q has one too: bpftrace -c cannot start either", self)
	}
	enc := []string{self, execArgvCommand}
	for _, w := range words {
		enc = append(enc, "x"+hex.EncodeToString([]byte(w)))
	}
	return strings.Join(enc, " "), true, nil
}

// splitByBpftrace reports whether bpftrace -c would not pass w through as one argument.
func splitByBpftrace(w string) bool {
	return w == "" || strings.ContainsFunc(w, unicode.IsSpace)
}

// execArgvCommand is the hidden command childCommand's trampoline runs.
const execArgvCommand = "exec-argv"

// execArgv decodes childCommand's encoding and replaces this process with the command. It runs
// before anything else in the process would open a file of its own.
func execArgv(args []string) error {
	if len(args) == 0 {
		return errors.New("exec-argv: no command")
	}
	argv := make([]string, len(args))
	for i, a := range args {
		h, ok := strings.CutPrefix(a, "x")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			return fmt.Errorf("exec-argv: argument %d %q is not x<hex>", i, a)
		}
		argv[i] = string(b)
	}
	err := unix.Exec(argv[0], argv, os.Environ())
	return fmt.Errorf("exec %s: %w", argv[0], os.NewSyscallError("execve", err))
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
