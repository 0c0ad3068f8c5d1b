package main

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"kernel-foundations/vfs-explorer/internal/vm"
)

const vmUsage = `usage: vfs-explorer vm run [-kernel 6.1|6.12] [-timeout D] [-console FILE] -- SHELL-COMMAND
       vfs-explorer vm check [-kernel 6.1,6.12] [-parallel N] [-timeout D] [-save DIR]
`

// cmdVM boots Debian's stock kernels under QEMU (internal/vm): run executes one shell command
// as root in a guest; check runs vfs-explorer check for every family the guest's kernel
// supports. Both exit 125 when the harness itself fails (no QEMU, an image that cannot be built,
// a guest that does not boot or does not finish).
func cmdVM(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, vmUsage)
		return statusError{errors.New("vm: want run or check"), 125}
	}
	var err error
	switch args[0] {
	case "run":
		err = cmdVMRun(ctx, args[1:], stdout, stderr)
	case "check":
		err = cmdVMCheck(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprint(stderr, vmUsage)
		err = fmt.Errorf("vm: unknown subcommand %q (want run or check)", args[0])
	}
	if err != nil && ctx.Err() != nil {
		// SIGTERM or Ctrl-C, whatever step it interrupted (an image build, a boot): QEMU and
		// the build's commands are gone; leave as a process killed by that signal would.
		return statusError{fmt.Errorf("vm %s: interrupted; qemu and any build step killed", args[0]), 128 + int(interruptSignal(ctx))}
	}
	var exit exitError
	var coded statusError
	if err != nil && !errors.As(err, &exit) && !errors.As(err, &coded) && !errors.Is(err, flag.ErrHelp) {
		err = statusError{err, 125}
	}
	return err
}

// vmFlags are the options run and check share.
type vmFlags struct {
	timeout, bootTimeout time.Duration
	icount               string
	memory               string
}

func (v *vmFlags) register(fs *flag.FlagSet, timeout time.Duration, icount string) {
	fs.DurationVar(&v.timeout, "timeout", timeout, "kill the guest if the payload has not finished `D` after its start")
	fs.DurationVar(&v.bootTimeout, "boot-timeout", 10*time.Minute, "kill the guest if the payload has not started after `D`")
	fs.StringVar(&v.icount, "icount", icount, "TCG: QEMU's -icount `option` (the guest clock from the instruction count), \"\" for none")
	fs.StringVar(&v.memory, "m", "512M", "guest `memory`")
}

// scale stretches the default timeouts (those not set on the command line) by the host's load:
// loadavg over the CPU count, between 1 and 4. Emulated guests on a shared machine slow down in
// proportion (a boot took over 5 minutes at loadavg 16 on 2 cores, 30 s when idle).
func (v *vmFlags) scale(fs *flag.FlagSet, log io.Writer) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	load, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	if err != nil {
		return
	}
	k := min(max(load/float64(runtime.NumCPU()), 1), 4)
	if k == 1 {
		return
	}
	if !set["timeout"] {
		v.timeout = time.Duration(float64(v.timeout) * k).Round(time.Second)
	}
	if !set["boot-timeout"] {
		v.bootTimeout = time.Duration(float64(v.bootTimeout) * k).Round(time.Second)
	}
	fmt.Fprintf(log, "vm: loadavg %.1f on %d CPUs: default timeouts x%.1f (boot %v, payload %v)\n", load, runtime.NumCPU(), k, v.bootTimeout, v.timeout)
}

// projectBinaries lists the static executables beside this one (bin/ after make build: the
// project's binaries), which the guest gets on its PATH. A dynamically linked one would not run
// in the guest and is left out.
func projectBinaries() (map[string]string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	out := map[string]string{"vfs-explorer": self}
	ents, err := os.ReadDir(filepath.Dir(self))
	if err != nil {
		return out, nil
	}
	for _, e := range ents {
		p := filepath.Join(filepath.Dir(self), e.Name())
		if info, err := e.Info(); err != nil || !info.Mode().IsRegular() || info.Mode()&0o111 == 0 || p == self {
			continue
		}
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		static := true
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				static = false
			}
		}
		f.Close()
		if static {
			out[e.Name()] = p
		}
	}
	return out, nil
}

func cmdVMRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vm run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kernel := fs.String("kernel", "6.1", "kernel `series` (6.1, 6.12) or linux-image-RELEASE package")
	console := fs.String("console", "", "copy the guest console (kernel, initrd, systemd) to `FILE`")
	var v vmFlags
	v.register(fs, 15*time.Minute, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	v.scale(fs, stderr)
	rest := fs.Args()
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return errors.New("vm run: no command (vm run [-kernel K] -- SHELL-COMMAND)")
	}
	k, err := vm.ResolveKernel(ctx, *kernel)
	if err != nil {
		return err
	}
	if err := vm.CheckTools(); err != nil {
		return err
	}
	bins, err := projectBinaries()
	if err != nil {
		return err
	}
	im, err := vm.Ensure(ctx, k, stderr)
	if err != nil {
		return err
	}
	res, err := vm.Run(ctx, vm.Options{Image: im, Script: strings.Join(rest, " ") + "\n", Bin: bins,
		BootTimeout: v.bootTimeout, Timeout: v.timeout, Icount: v.icount, Memory: v.memory,
		Stdout: stdout, Log: stderr, Console: *console})
	if err != nil {
		return fmt.Errorf("vm run: %w", err)
	}
	fmt.Fprintf(stderr, "vm: %s: payload started %v after qemu, guest off after %v; exit status %d\n",
		k.Release, res.Booted.Round(100*time.Millisecond), res.Elapsed.Round(100*time.Millisecond), res.Status)
	if res.Status != 0 {
		return exitError(res.Status)
	}
	return nil
}

// vmCheckIcount is vm check's -icount default: check's filelife ages are held to ±5 ms of the
// workload's own clock, which TCG on a loaded host stretches (README "vm").
const vmCheckIcount = "shift=3,sleep=on"

// checkScript runs in the guest: list (which families run here, and why), then check for each
// family that runs, each into its own file on the payload disk.
const checkScript = `vfs-explorer list -all > /kf/out/list.txt 2>&1
cat /kf/out/list.txt
for f in tracepoint kprobe; do
	if grep -q "^family $f *runs here" /kf/out/list.txt; then
		echo "=== check -family $f"
		vfs-explorer check -family $f > /kf/out/check-$f.txt 2>&1
		echo "exit $?" >> /kf/out/check-$f.txt
		tail -n 2 /kf/out/check-$f.txt
	fi
done
exit 0
`

var checkSummary = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed$`)

// vmCheckResult is one kernel's outcome.
type vmCheckResult struct {
	kernel vm.Kernel
	lines  []string // the summary lines, one per family
	failed bool
	err    error
	report string // the guest's check outputs, for the log
}

func cmdVMCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("vm check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kernels := fs.String("kernel", strings.Join(vm.SeriesNames(), ","), "comma-separated kernel `series` or packages")
	parallel := fs.Int("parallel", 1, "boot up to `N` guests at a time")
	save := fs.String("save", "", "write each kernel's list, check outputs and console into `DIR`")
	var v vmFlags
	v.register(fs, 30*time.Minute, vmCheckIcount)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("vm check: unexpected argument %q", fs.Arg(0))
	}
	v.scale(fs, stderr)
	if *parallel < 1 {
		return fmt.Errorf("vm check: -parallel %d: want 1 or more", *parallel)
	}
	var ks []vm.Kernel
	for _, name := range strings.Split(*kernels, ",") {
		k, err := vm.ResolveKernel(ctx, name)
		if err != nil {
			return err
		}
		ks = append(ks, k)
	}
	if err := vm.CheckTools(); err != nil {
		return err
	}
	bins, err := projectBinaries()
	if err != nil {
		return err
	}
	// Images first, one at a time (each build is apt and mke2fs: I/O, and they share the rootfs).
	images := make([]vm.Image, len(ks))
	for i, k := range ks {
		if images[i], err = vm.Ensure(ctx, k, stderr); err != nil {
			return err
		}
	}
	results := make([]vmCheckResult, len(ks))
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	for i := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = vmCheckOne(ctx, images[i], bins, v, *save, stderr)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	failed := false
	var errs []error
	for _, r := range results {
		fmt.Fprint(stdout, r.report)
	}
	for _, r := range results {
		for _, l := range r.lines {
			fmt.Fprintln(stdout, l)
		}
		if r.err != nil {
			errs = append(errs, fmt.Errorf("kernel %s: %w", r.kernel.Release, r.err))
		}
		failed = failed || r.failed
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if failed {
		return exitError(1)
	}
	return nil
}

// vmCheckOne boots one kernel with checkScript and turns its outputs into summary lines.
func vmCheckOne(ctx context.Context, im vm.Image, bins map[string]string, v vmFlags, save string, log io.Writer) vmCheckResult {
	r := vmCheckResult{kernel: im.Kernel}
	var console string
	if save != "" {
		if err := os.MkdirAll(save, 0o755); err != nil {
			r.err = err
			return r
		}
		console = filepath.Join(save, im.Kernel.Release+".console.log")
	}
	var out bytes.Buffer
	res, err := vm.Run(ctx, vm.Options{Image: im, Script: checkScript, Bin: bins,
		BootTimeout: v.bootTimeout, Timeout: v.timeout, Icount: v.icount, Memory: v.memory,
		Stdout: &out, Log: prefixed{log, im.Kernel.Release}, Console: console,
		Keep: []string{"list.txt", "check-tracepoint.txt", "check-kprobe.txt"}})
	if err != nil {
		r.err = err
		r.report = fmt.Sprintf("=== kernel %s: guest output\n%s", im.Kernel.Release, out.String())
		return r
	}
	fmt.Fprintf(log, "vm: %s: payload started %v after qemu, guest off after %v (%s)\n", im.Kernel.Release,
		res.Booted.Round(100*time.Millisecond), res.Elapsed.Round(100*time.Millisecond), res.Accel)
	var report strings.Builder
	list := string(res.Files["list.txt"])
	fmt.Fprintf(&report, "=== kernel %s: vfs-explorer list -all\n%s", im.Kernel.Release, list)
	for _, f := range []Family{Tracepoint, Kprobe} {
		name := "check-" + string(f) + ".txt"
		if save != "" {
			os.WriteFile(filepath.Join(save, im.Kernel.Release+"."+name), res.Files[name], 0o644)
		}
		status := regexp.MustCompile(`(?m)^family ` + string(f) + ` +(runs here|cannot run here): (.*)$`).FindStringSubmatch(list)
		if status == nil {
			r.lines = append(r.lines, fmt.Sprintf("kernel %s family %s: no status from list", im.Kernel.Release, f))
			r.failed = true
			continue
		}
		if status[1] != "runs here" {
			r.lines = append(r.lines, fmt.Sprintf("kernel %s family %s: not run (%s)", im.Kernel.Release, f, status[2]))
			continue
		}
		body, ok := res.Files[name]
		fmt.Fprintf(&report, "=== kernel %s: vfs-explorer check -family %s\n%s", im.Kernel.Release, f, body)
		m := checkSummary.FindAllStringSubmatch(string(body), -1)
		if !ok || m == nil {
			r.lines = append(r.lines, fmt.Sprintf("kernel %s family %s: check printed no summary (see its output above)", im.Kernel.Release, f))
			r.failed = true
			continue
		}
		last := m[len(m)-1]
		r.lines = append(r.lines, fmt.Sprintf("kernel %s family %s: %s passed, %s failed", im.Kernel.Release, f, last[1], last[2]))
		if n, _ := strconv.Atoi(last[2]); n > 0 {
			r.failed = true
		}
	}
	r.report = report.String()
	if save != "" {
		os.WriteFile(filepath.Join(save, im.Kernel.Release+".list.txt"), []byte(list), 0o644)
	}
	return r
}

// prefixed writes each progress line of one guest with a prefix, so that parallel guests'
// lines can be told apart.
type prefixed struct {
	w      io.Writer
	prefix string
}

func (p prefixed) Write(b []byte) (int, error) {
	for line := range strings.Lines(string(b)) {
		line = strings.TrimPrefix(line, "vm: ")
		fmt.Fprintf(p.w, "vm: [%s] %s", p.prefix, line)
	}
	return len(b), nil
}
