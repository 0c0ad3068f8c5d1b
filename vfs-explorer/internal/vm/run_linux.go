package vm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options describe one unattended boot.
type Options struct {
	Image  Image
	Script string            // bash, run as root in the guest, in /root, PATH starting with /kf/bin
	Bin    map[string]string // name in the guest's /kf/bin -> host file
	Data   map[string][]byte // more files for the payload disk, by path under /kf

	// BootTimeout is how long the payload may take to start (kernel, initrd, systemd); Timeout
	// is how long it may run from then until the guest is off. Either expiring kills QEMU.
	BootTimeout, Timeout time.Duration
	// Icount, when set, is QEMU's -icount option under TCG (e.g. "shift=3,sleep=on"): the guest's
	// clock then advances by the count of emulated instructions (2^shift ns each) while the
	// guest runs, so a host that deschedules QEMU does not stretch the times measured inside;
	// with sleep=on idle time still passes in real time, so the guest's own timeouts (udev,
	// systemd's device jobs) keep their meaning. Ignored under KVM.
	Icount string
	Memory string // -m, default 512M
	CPUs   int    // -smp, default 1

	Stdout  io.Writer // the payload's output (stdout and stderr), as it comes
	Log     io.Writer // the harness's progress lines
	Console string    // if set, the guest console (kernel, initrd, systemd) is copied there
	Keep    []string  // paths under /kf/out to read back from the payload disk after the run
}

// Result is what came back from the guest.
type Result struct {
	Status  int               // the script's exit status
	Files   map[string][]byte // Options.Keep, read from the payload disk with debugfs
	Elapsed time.Duration     // QEMU start to exit
	Booted  time.Duration     // QEMU start to the payload's first line
	Accel   string            // "kvm" or "tcg" and why
}

// startMarker is the guest script's first line on the output port: the payload runs. The host
// strips it from the output.
const startMarker = "KF-PAYLOAD-START"

// guestScript runs the payload on the second serial port (raw: no \r added) and into
// /kf/out/output, writes its status to /kf/out/status, unmounts the payload disk so that the
// host reads it whole, and powers the guest off at once (root is a throw-away snapshot).
const guestScript = `#!/bin/bash
mkdir -p /kf/out
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
echo "` + startMarker + ` $(uname -r)" >&3
export PATH=/kf/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C
cd /root
bash /kf/payload.sh </dev/null 2>&1 | tee /kf/out/output >&3
echo "${PIPESTATUS[0]}" > /kf/out/status
exec 3>&-
cd /
sync
umount /kf || mount -o remount,ro /kf
systemctl poweroff --force --force
`

// Accel says which accelerator to use: KVM when the host CPU offers virtualisation to this
// machine (vmx or svm in /proc/cpuinfo) and /dev/kvm opens, else TCG (software emulation).
func Accel() (kvm bool, why string) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false, "tcg: " + err.Error()
	}
	flags := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "flags") {
			flags = " " + l + " "
			break
		}
	}
	if !strings.Contains(flags, " vmx ") && !strings.Contains(flags, " svm ") {
		return false, "tcg: the CPU shows neither vmx nor svm (no nested virtualisation), KVM cannot run a guest"
	}
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false, "tcg: " + err.Error()
	}
	f.Close()
	return true, "kvm: /dev/kvm opens and the CPU has vmx or svm"
}

// Run boots o.Image with the payload, waits for the guest to power off, and returns the script's
// status. On any failure (no QEMU, a guest that does not boot, a payload that does not finish,
// ctx cancelled) QEMU is killed and waited for before Run returns.
func Run(ctx context.Context, o Options) (res Result, err error) {
	if err := CheckTools(); err != nil {
		return res, err
	}
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return res, err
	}
	if o.Memory == "" {
		o.Memory = "512M"
	}
	if o.CPUs == 0 {
		o.CPUs = 1
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	tmp, err := os.MkdirTemp("", "kf-vm-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmp)
	disk, err := payloadDisk(ctx, tmp, o)
	if err != nil {
		return res, err
	}
	console := filepath.Join(tmp, "console.log")
	kvm, why := Accel()
	res.Accel = why
	args := []string{"-name", "kf-" + o.Image.Kernel.Release, "-machine", "pc", "-m", o.Memory, "-smp", strconv.Itoa(o.CPUs),
		"-display", "none", "-vga", "none", "-monitor", "none", "-nic", "none", "-no-reboot",
		"-kernel", o.Image.path("vmlinuz"), "-initrd", o.Image.path("initrd.img"),
		"-append", "root=/dev/vda rw console=ttyS0 panic=-1 printk.time=1",
		"-drive", "file=" + o.Image.path("root.ext4") + ",format=raw,if=virtio,snapshot=on",
		"-drive", "file=" + disk + ",format=raw,if=virtio",
		"-serial", "file:" + console, "-serial", "stdio"}
	if kvm {
		args = append(args, "-accel", "kvm", "-cpu", "host")
	} else {
		args = append(args, "-accel", "tcg", "-cpu", "max")
		if o.Icount != "" {
			args = append(args, "-icount", o.Icount)
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cmd := exec.CommandContext(runCtx, qemu, args...)
	cmd.Stdin = nil
	var qerr bytes.Buffer
	cmd.Stderr = &qerr
	// QEMU dies with us even if we are killed (SIGKILL gives no chance to clean up).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	fmt.Fprintf(o.Log, "vm: booting %s (%s; %s, -m %s)\n", o.Image.Kernel.Package, filepath.Base(o.Image.Dir), why, o.Memory)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start qemu: %w", err)
	}
	booted := make(chan struct{})
	var bootOnce sync.Once
	bootTimer := time.AfterFunc(o.BootTimeout, func() {
		cancel(fmt.Errorf("the guest did not start the payload within %v (kernel, initrd or systemd stuck?)", o.BootTimeout))
	})
	if o.BootTimeout <= 0 {
		bootTimer.Stop()
	}
	var payloadTimer *time.Timer
	var timerMu sync.Mutex
	defer func() {
		timerMu.Lock()
		if payloadTimer != nil {
			payloadTimer.Stop()
		}
		timerMu.Unlock()
	}()
	copied := make(chan error, 1)
	go func() {
		copied <- copyOutput(out, o.Stdout, func() {
			bootOnce.Do(func() {
				bootTimer.Stop()
				res.Booted = time.Since(start)
				if o.Timeout > 0 {
					timerMu.Lock()
					payloadTimer = time.AfterFunc(o.Timeout, func() {
						cancel(fmt.Errorf("the payload did not finish within %v of its start (hung?)", o.Timeout))
					})
					timerMu.Unlock()
				}
				close(booted)
			})
		})
	}()
	werr := cmd.Wait()
	bootTimer.Stop()
	<-copied
	res.Elapsed = time.Since(start)
	if o.Console != "" {
		if b, err := os.ReadFile(console); err == nil {
			os.WriteFile(o.Console, b, 0o644)
		}
	}
	if cause := context.Cause(runCtx); cause != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, fmt.Errorf("%w; killed qemu after %v; last console lines:\n%s", cause, res.Elapsed.Round(time.Second), quoted(console, 8))
	}
	if werr != nil {
		return res, fmt.Errorf("qemu: %w: %s", werr, strings.TrimSpace(qerr.String()))
	}
	select {
	case <-booted:
	default:
		return res, fmt.Errorf("the guest powered off without starting the payload; last console lines:\n%s", quoted(console, 8))
	}
	st, err := debugfsCat(ctx, disk, "/out/status")
	if err != nil {
		return res, fmt.Errorf("the payload left no status (it did not finish): %w; last console lines:\n%s", err, quoted(console, 8))
	}
	res.Status, err = strconv.Atoi(strings.TrimSpace(string(st)))
	if err != nil {
		return res, fmt.Errorf("payload status %q: %w", st, err)
	}
	res.Files = map[string][]byte{}
	for _, k := range o.Keep {
		if b, err := debugfsCat(ctx, disk, "/out/"+k); err == nil {
			res.Files[k] = b
		}
	}
	return res, nil
}

// quoted returns the last n lines of a file, each indented, so that they read as a quotation
// under the one-line error they follow.
func quoted(path string, n int) string {
	var b strings.Builder
	for l := range strings.Lines(tail(path, n)) {
		b.WriteString("  | " + strings.TrimRight(l, "\r\n") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// CheckTools says what is missing to boot a guest: QEMU, mke2fs and debugfs.
func CheckTools() error {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		return fmt.Errorf("qemu-system-x86_64 not found in PATH (Debian: apt-get install qemu-system-x86): %w", err)
	}
	for _, tool := range []string{"mke2fs", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found in PATH (Debian: apt-get install e2fsprogs): %w", tool, err)
		}
	}
	return nil
}

// copyOutput copies QEMU's stdout (the guest's second serial port) to w, dropping everything
// up to and including the start marker's line, and calls started when the marker is seen.
func copyOutput(r io.Reader, w io.Writer, started func()) error {
	if w == nil {
		w = io.Discard
	}
	var pre []byte
	buf := make([]byte, 32<<10)
	seen := false
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if !seen {
				pre = append(pre, chunk...)
				i := bytes.Index(pre, []byte(startMarker))
				if i >= 0 {
					if j := bytes.IndexByte(pre[i:], '\n'); j >= 0 {
						seen = true
						started()
						chunk = pre[i+j+1:]
						pre = nil
					}
				}
			}
			if seen && len(chunk) > 0 {
				w.Write(chunk)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
	}
}

// payloadDisk makes the second disk: guest.sh, payload.sh, bin/ and the data files, as an ext4
// image made with mke2fs -d (no loop device), with room for the output.
func payloadDisk(ctx context.Context, tmp string, o Options) (string, error) {
	root := filepath.Join(tmp, "payload")
	var size int64
	write := func(p string, b []byte, mode os.FileMode) error {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		size += int64(len(b))
		return os.WriteFile(full, b, mode)
	}
	if err := write("guest.sh", []byte(guestScript), 0o755); err != nil {
		return "", err
	}
	if err := write("payload.sh", []byte(o.Script), 0o755); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		return "", err
	}
	for name, src := range o.Bin {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		if err := write(filepath.Join("bin", name), b, 0o755); err != nil {
			return "", err
		}
	}
	for p, b := range o.Data {
		if err := write(p, b, 0o644); err != nil {
			return "", err
		}
	}
	disk := filepath.Join(tmp, "payload.ext4")
	mb := size>>20 + 128
	out, err := exec.CommandContext(ctx, "mke2fs", "-q", "-t", "ext4", "-L", "kf-payload", "-d", root, disk, fmt.Sprintf("%dM", mb)).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("mke2fs: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return disk, nil
}

// debugfsCat reads one file from an ext4 image without mounting it.
func debugfsCat(ctx context.Context, disk, path string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "debugfs", "-R", "cat "+path, disk)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("debugfs cat %s: %w: %s", path, err, strings.TrimSpace(errb.String()))
	}
	// debugfs prints its banner on stderr and "File not found" there too, exiting 0.
	if strings.Contains(errb.String(), "not found") {
		return nil, fmt.Errorf("debugfs cat %s: %s", path, strings.TrimSpace(errb.String()))
	}
	return out, nil
}
