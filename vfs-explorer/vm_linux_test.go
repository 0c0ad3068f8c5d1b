package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The VM tests boot Debian's stock kernels under QEMU (internal/vm). They need root (the image
// cache in /var/cache, systemd-nspawn to build an image), qemu-system-x86 and apt; CI has all
// three (.ci/deps). The first run builds and caches the images (about 5 minutes per kernel).

// needVM skips, after looking, when this machine cannot boot the guests.
func needVM(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		skipf(t, "qemu-system-x86_64: %v (Debian: apt-get install qemu-system-x86)", err)
	}
	if os.Geteuid() != 0 {
		skipf(t, "the VM images are built with systemd-nspawn into /var/cache: needs root (euid %d)", os.Geteuid())
	}
}

// qemuProcesses returns the QEMU processes running now: pid -> command line.
func qemuProcesses(t *testing.T) map[int]string {
	t.Helper()
	out := map[int]string{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err == nil && strings.HasPrefix(string(comm), "qemu-system") {
			cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			out[pid] = string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
	return out
}

// loopDevices lists the backing files of the loop devices in use.
func loopDevices() []string {
	var out []string
	files, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

// vmTmpDir is the TMPDIR of every vm this test binary starts, inside TestMain's directory
// (removed at the end): the guests' payload disks live under it, so their QEMU command lines
// name it, and nothingLeft looks at this binary's guests only, never at another run's.
var vmTmpDir = sync.OnceValue(func() string {
	dir := filepath.Join(filepath.Dir(binPath), "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		panic(err)
	}
	return dir
})

// vmEnv is the environment of a vm started by a test.
func vmEnv(env ...string) []string {
	return append(append(os.Environ(), "TMPDIR="+vmTmpDir()), env...)
}

// nothingLeft fails if one of this binary's QEMU processes (named kf-..., with a disk under
// vmTmpDir) started after before is still running, or the set of loop devices changed.
func nothingLeft(t *testing.T, before map[int]string, loops []string) {
	t.Helper()
	for pid, cmd := range qemuProcesses(t) {
		if _, ok := before[pid]; !ok && strings.Contains(cmd, "-name kf-") && strings.Contains(cmd, vmTmpDir()+"/") {
			t.Errorf("qemu left running: pid %d: %s", pid, cmd)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if now := loopDevices(); strings.Join(now, ",") != strings.Join(loops, ",") {
		t.Errorf("loop devices changed: %v, before %v", now, loops)
	}
}

// vmx is vfsx for the VM commands: if the test's deadline (go test -timeout) comes near, vm gets
// SIGTERM, which kills its guests, so that a test binary killed by its timeout leaves no
// vfs-explorer vm and no QEMU behind.
func vmx(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-time.Minute))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	// A test binary killed outright (CI's deadline, ^C) takes vm with it, and vm its guests.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	cmd.Env = vmEnv(env...)
	out, errs, code := runExit(t, cmd, args)
	if ctx.Err() != nil {
		t.Errorf("vfs-explorer %v: stopped (SIGTERM) a minute before the test's deadline", args)
	}
	return out, errs, code
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

var vmSummary = regexp.MustCompile(`(?m)^kernel (\d+\.\d+)\S* family (tracepoint|kprobe): (\d+) passed, (\d+) failed$`)

// TestVMCheck is `make vm-check`: check on Debian's 6.1 and 6.12 kernels, every family each
// supports, both guests at once. Both kernels have kprobes, so four lines, each 0 failed.
func TestVMCheck(t *testing.T) {
	needVM(t)
	before, loops := qemuProcesses(t), loopDevices()
	start, load := time.Now(), loadavg()
	out, errs, code := vmx(t, nil, "vm", "check", "-parallel", "2")
	t.Logf("vm check: %v, loadavg %s at the start, %s at the end\n%s", time.Since(start).Round(time.Second), load, loadavg(), errs)
	lines := vmSummary.FindAllStringSubmatch(out, -1)
	got := map[string]bool{}
	for _, m := range lines {
		got[m[2]+"/"+m[1]] = true
		if n, _ := strconv.Atoi(m[3]); n == 0 || m[4] != "0" {
			t.Errorf("%s", m[0])
		}
	}
	for _, want := range []string{"tracepoint/6.1", "kprobe/6.1", "tracepoint/6.12", "kprobe/6.12"} {
		if !got[want] {
			t.Errorf("no summary line for %s", want)
		}
	}
	if code != 0 || len(lines) != 4 || t.Failed() {
		t.Errorf("vm check: exit %d, %d summary lines\n%s", code, len(lines), out)
	} else {
		for _, m := range lines {
			t.Log(m[0])
		}
	}
	nothingLeft(t, before, loops)
}

// TestVMRunRecipes is the issue's `make vm-run KERNEL=6.1 CMD='vfs-explorer run NAME -- ...'` for
// every recipe, in one boot: each exits 0 with the family run picks there (kprobe) and prints
// non-zero counts for the calls its command made; the guest command's own status comes back.
func TestVMRunRecipes(t *testing.T) {
	needVM(t)
	before, loops := qemuProcesses(t), loopDevices()
	const cmd = `sh -c 'dd if=/dev/zero of=/var/tmp/kf-f bs=4k count=4 conv=fsync status=none; ` +
		`dd if=/dev/zero of=/var/tmp/kf-g bs=4k count=4 conv=fdatasync status=none; ` +
		`cat /var/tmp/kf-f > /dev/null; ls / > /dev/null; rm /var/tmp/kf-f /var/tmp/kf-g'`
	var script strings.Builder
	for _, r := range wantRecipes {
		script.WriteString("echo '=== " + r + "'; vfs-explorer run " + r + " -- " + cmd + " 2>&1; echo \"=== " + r + " exit $?\"; ")
	}
	script.WriteString("exit 7")
	start, load := time.Now(), loadavg()
	out, errs, code := vmx(t, nil, "vm", "run", "-kernel", "6.1", "--", script.String())
	t.Logf("vm run: %v, loadavg %s at the start, %s at the end\n%s", time.Since(start).Round(time.Second), load, loadavg(), errs)
	if code != 7 {
		t.Errorf("vm run: exit %d, want 7 (the guest command's)", code)
	}
	// One non-zero count each recipe must show for that command.
	want := map[string]string{
		"vfsstat":   `(?m)^@total\[open\]: [1-9]`,
		"vfscount":  `(?m)^@\[dd, \d+, kprobe:vfs_write\]: [1-9]`,
		"opensnoop": `(?m)^\d+ +dd +[0-9]+ +0 +[0-9a-f]+ /var/tmp/kf-f$`,
		"vfssize":   `(?m)^@write_bytes\[dd\]:\s*\n\[4K, 8K\) +[1-9]`,
		"rwlat":     `(?m)^@write_us\[dd\]:`,
		"filetop":   `(?m)^@write_bytes\[dd, \d+, \d+, kf-f\]: 16384$`,
		"fsynclat":  `(?m)^@sync_us\[fdatasync\]:`,
		"filelife":  `(?m)^\d+ +rm +\d+\.\d{3} kf-g$`,
		"writeback": `(?m)^@dirtied\[dd, \d+\]: 4$`,
	}
	for _, r := range wantRecipes {
		section := regexp.MustCompile(`(?s)=== ` + r + `\n(.*?)=== ` + r + ` exit (\d+)`).FindStringSubmatch(out)
		if section == nil {
			t.Errorf("%s: no output section", r)
			continue
		}
		if section[2] != "0" {
			t.Errorf("%s: exit %s", r, section[2])
		}
		if !strings.Contains(section[1], "vfs-explorer: kprobe/"+r+" (") {
			t.Errorf("%s: not the kprobe family", r)
		}
		if !regexp.MustCompile(want[r]).MatchString(section[1]) {
			t.Errorf("%s: no line matching %s", r, want[r])
		}
	}
	if t.Failed() {
		t.Logf("guest output:\n%s", out)
	}
	nothingLeft(t, before, loops)
}

// TestVMBadInput: each failure of the harness is one line (console lines it quotes are indented
// under it), exit 125, and no QEMU nor loop device left; SIGTERM kills the guest and leaves
// with 143.
func TestVMBadInput(t *testing.T) {
	needVM(t)
	before, loops := qemuProcesses(t), loopDevices()
	// A PATH with everything vm needs but QEMU.
	noQemu := t.TempDir()
	for _, tool := range []string{"apt-cache", "apt-get", "mke2fs", "debugfs", "cp", "systemd-nspawn", "debootstrap"} {
		if p, err := exec.LookPath(tool); err == nil {
			os.Symlink(p, filepath.Join(noQemu, tool))
		}
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown kernel", nil, []string{"vm", "run", "-kernel", "5.10", "--", "true"}, `unknown kernel "5.10" (want 6.1 or 6.12`},
		{"no command", nil, []string{"vm", "run", "-kernel", "6.1"}, "vm run: no command"},
		{"no qemu", []string{"PATH=" + noQemu}, []string{"vm", "run", "-kernel", "6.1", "--", "true"}, "qemu-system-x86_64 not found in PATH"},
		{"guest never boots", nil, []string{"vm", "run", "-kernel", "6.1", "-boot-timeout", "3s", "--", "true"},
			"the guest did not start the payload within 3s"},
		{"payload hangs", nil, []string{"vm", "run", "-kernel", "6.1", "-timeout", "5s", "--", "echo started; sleep 600"},
			"the payload did not finish within 5s of its start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			out, errs, code := vmx(t, tc.env, tc.args...)
			var msgs []string
			for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
				if !strings.HasPrefix(l, "vm: ") && !strings.HasPrefix(l, "  | ") && l != "" {
					msgs = append(msgs, l) // progress lines and quoted console lines aside
				}
			}
			if code != 125 || len(msgs) != 1 || !strings.Contains(msgs[0], tc.want) {
				t.Errorf("exit %d, stderr %q; want 125 and one line with %q", code, errs, tc.want)
			}
			if tc.name == "payload hangs" && out != "started\n" {
				t.Errorf("stdout %q: want the payload's output up to the hang", out)
			}
			t.Logf("%v: %s", time.Since(start).Round(time.Second), msgs)
		})
	}
	t.Run("SIGTERM", func(t *testing.T) {
		cmd := exec.Command(binPath, "vm", "run", "-kernel", "6.1", "--", "sleep 600")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		cmd.Env = vmEnv()
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		booting := make(chan struct{})
		done := make(chan string)
		go func() {
			var all strings.Builder
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				all.WriteString(sc.Text() + "\n")
				if strings.HasPrefix(sc.Text(), "vm: booting") {
					close(booting)
				}
			}
			done <- all.String()
		}()
		select {
		case <-booting:
		case <-time.After(time.Minute):
			t.Error("no 'vm: booting' line within a minute")
		}
		time.Sleep(2 * time.Second) // QEMU is up
		cmd.Process.Signal(syscall.SIGTERM)
		errs := <-done
		err = cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 143 {
			t.Errorf("vm run after SIGTERM: %v, stderr %q; want exit 143", err, errs)
		}
	})
	nothingLeft(t, before, loops)
}
