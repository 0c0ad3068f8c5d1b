// Package vm boots Debian's stock kernels under QEMU, unattended, to run a command in them: the
// harness behind vfs-explorer's `vm run` and `vm check`.
//
// An image is built once per kernel package and cached outside the repository
// (/var/cache/kernel-foundations/vm-RELEASE: vmlinuz, initrd.img, root.ext4, build.log): the
// debootstrapped bookworm rootfs that hardened-echo's systemd test also uses (same path, same
// lock), plus bpftrace, initramfs-tools and the kernel package installed in it with
// systemd-nspawn, then turned into an ext4 image with mke2fs -d (no loop device, no mount). It is
// built in a temporary directory beside the cache under an exclusive flock and renamed into place,
// so a half-built image is never used and two builders never race.
//
// A run boots that image with the payload on a second disk (payload.go): root on virtio-blk
// ext4 with -snapshot (the cached image is never written), no network, a unit that runs the
// payload after boot and powers the guest off, output over a second serial port, the exit status
// read back from the payload disk with debugfs, and a host-side timeout that kills QEMU.
package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// CacheDir is where images and the shared bookworm rootfs live. KF_VM_CACHE overrides it.
var CacheDir = "/var/cache/kernel-foundations"

func cacheDir() string {
	if d := os.Getenv("KF_VM_CACHE"); d != "" {
		return d
	}
	return CacheDir
}

// Series are the kernel series a run can ask for, each mapped to the Debian metapackage that
// depends on its newest kernel package: bookworm's default (6.1) and the 6.12 series the
// archive serves for bookworm (the kernel generation of Debian 13 and current Ubuntu).
var Series = map[string]string{
	"6.1":  "linux-image-amd64",
	"6.12": "linux-image-6.12-amd64",
}

// SeriesNames lists Series' keys in order.
func SeriesNames() []string { return []string{"6.1", "6.12"} }

// Kernel is one kernel package.
type Kernel struct {
	Series  string // "6.1"
	Package string // "linux-image-6.1.0-57-amd64"
	Release string // "6.1.0-57-amd64", uname -r in the guest
}

// ResolveKernel maps a series ("6.1", "6.12") or a kernel package name
// ("linux-image-6.1.0-57-amd64") to a kernel package, asking apt for the metapackage's current
// dependency.
func ResolveKernel(ctx context.Context, name string) (Kernel, error) {
	if rel, ok := strings.CutPrefix(name, "linux-image-"); ok && strings.Count(rel, "-") >= 1 && rel != "amd64" {
		return Kernel{Series: name, Package: name, Release: rel}, nil
	}
	meta, ok := Series[name]
	if !ok {
		return Kernel{}, fmt.Errorf("unknown kernel %q (want %s, or a linux-image-RELEASE package name)", name, strings.Join(SeriesNames(), " or "))
	}
	out, err := exec.CommandContext(ctx, "apt-cache", "show", "--no-all-versions", meta).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return Kernel{}, fmt.Errorf("kernel %s: apt-cache show %s: %w", name, meta, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		deps, ok := strings.CutPrefix(line, "Depends: ")
		if !ok {
			continue
		}
		for _, d := range strings.Split(deps, ",") {
			f := strings.Fields(d)
			if len(f) > 0 && strings.HasPrefix(f[0], "linux-image-") {
				return Kernel{Series: name, Package: f[0], Release: strings.TrimPrefix(f[0], "linux-image-")}, nil
			}
		}
	}
	return Kernel{}, fmt.Errorf("kernel %s: %s depends on no linux-image package (apt-cache show printed %d bytes)", name, meta, len(out))
}

// Image is a built, cached guest image.
type Image struct {
	Kernel Kernel
	Dir    string // vmlinuz, initrd.img, root.ext4, build.log
}

func (im Image) path(name string) string { return filepath.Join(im.Dir, name) }

// withLock runs f holding an exclusive flock on parent/.NAME.lock.
func withLock(parent, name string, f func() error) error {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(parent, "."+name+".lock"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return os.NewSyscallError("flock", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	return f()
}

// buildDir makes the temporary directory a cache entry is built in, after removing the
// leftovers of interrupted builds (never renamed, so never used).
func buildDir(parent, name string) (string, error) {
	stale, _ := filepath.Glob(filepath.Join(parent, "."+name+".tmp*"))
	for _, s := range stale {
		os.RemoveAll(s)
	}
	return os.MkdirTemp(parent, "."+name+".tmp")
}

// Ensure returns the cached image of kernel k, building it first if needed. Progress goes to
// log (one line per step; the commands' output goes to build.log).
func Ensure(ctx context.Context, k Kernel, log io.Writer) (Image, error) {
	parent := cacheDir()
	name := "vm-" + k.Release
	im := Image{Kernel: k, Dir: filepath.Join(parent, name)}
	err := withLock(parent, name, func() error {
		if _, err := os.Stat(im.path("root.ext4")); err == nil {
			return nil
		}
		if ents, err := os.ReadDir(im.Dir); err == nil && len(ents) > 0 {
			return fmt.Errorf("%s is neither empty nor an image with root.ext4: remove it to rebuild", im.Dir)
		}
		rootfs, err := ensureRootfs(ctx, parent, log)
		if err != nil {
			return err
		}
		tmp, err := buildDir(parent, name)
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		start := time.Now()
		fmt.Fprintf(log, "vm: building the %s image in %s (once; a few minutes)\n", k.Package, im.Dir)
		if err := build(ctx, k, rootfs, tmp); err != nil {
			return err
		}
		if err := syscall.Rename(tmp, im.Dir); err != nil {
			return fmt.Errorf("image: %w", os.NewSyscallError("rename", err))
		}
		fmt.Fprintf(log, "vm: image built in %v\n", time.Since(start).Round(time.Second))
		return nil
	})
	return im, err
}

// run runs a build step with its output appended to logPath; a failure quotes the log's tail.
func run(ctx context.Context, logPath string, name string, args ...string) error {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "+ %s %s\n", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	// debootstrap and nspawn mount things inside the target; in a mount namespace of their own
	// those mounts die with them even when the timeout kills them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, tail(logPath, 15))
	}
	return nil
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ensureRootfs returns the debootstrapped bookworm rootfs shared with hardened-echo's test
// (hardened-echo/nspawn_test.go ensureRootfs: same path, same lock, same debootstrap options).
func ensureRootfs(ctx context.Context, parent string, log io.Writer) (string, error) {
	const name = "bookworm-systemd"
	dir := filepath.Join(parent, name)
	err := withLock(parent, name, func() error {
		if _, err := os.Stat(filepath.Join(dir, "usr/lib/systemd/systemd")); err == nil {
			return nil
		}
		if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
			return fmt.Errorf("rootfs: %s is neither empty nor a rootfs with usr/lib/systemd/systemd: remove it to rebuild", dir)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		tmp, err := buildDir(parent, name)
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		mirror := os.Getenv("KF_DEBIAN_MIRROR")
		if mirror == "" {
			mirror = "http://deb.debian.org/debian"
		}
		fmt.Fprintf(log, "vm: debootstrap bookworm from %s into %s (once; a few minutes)\n", mirror, dir)
		if err := run(ctx, filepath.Join(tmp, "debootstrap.log"), "debootstrap", "--variant=minbase",
			"--include=systemd,systemd-sysv,dbus", "bookworm", filepath.Join(tmp, "root"), mirror); err != nil {
			return err
		}
		return os.NewSyscallError("rename", syscall.Rename(filepath.Join(tmp, "root"), dir))
	})
	if err != nil {
		return "", err
	}
	return dir, nil
}

// payloadUnit starts the payload once the system is up: the script on the second disk, which
// ends by powering the guest off.
const payloadUnit = `[Unit]
Description=kernel-foundations VM payload (the script on the second disk)
Requires=dev-vdb.device
After=dev-vdb.device

[Service]
Type=exec
ExecStart=/bin/sh -c 'mkdir -p /kf && mount -o nosuid,nodev /dev/vdb /kf && exec /bin/bash /kf/guest.sh'
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
`

// build makes the image in tmp: a copy of the rootfs with the kernel package, bpftrace and
// initramfs-tools installed (systemd-nspawn, network shared with the host for apt), the payload
// unit enabled, the kernel and initrd copied out, then root.ext4 made from the tree.
func build(ctx context.Context, k Kernel, rootfs, tmp string) error {
	log := filepath.Join(tmp, "build.log")
	root := filepath.Join(tmp, "root")
	if err := run(ctx, log, "cp", "-a", "--reflink=auto", rootfs, root); err != nil {
		return err
	}
	// The kernel package comes from the host's apt, which knows the security suite the
	// debootstrapped rootfs does not.
	debs := filepath.Join(root, "var/cache/kf-debs")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return err
	}
	dl := exec.CommandContext(ctx, "apt-get", "download", k.Package)
	dl.Dir = debs
	if out, err := dl.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get download %s: %w: %s", k.Package, err, strings.TrimSpace(string(out)))
	}
	ents, err := os.ReadDir(debs)
	if err != nil || len(ents) != 1 {
		return fmt.Errorf("apt-get download %s: want one .deb in %s, have %d (%v)", k.Package, debs, len(ents), err)
	}
	script := "set -e; apt-get update -qq; apt-get install -y -q --no-install-recommends bpftrace initramfs-tools e2fsprogs " +
		"/var/cache/kf-debs/" + ents[0].Name() + "; rm -rf /var/cache/kf-debs /var/cache/apt/archives/*.deb /var/lib/apt/lists/*"
	if err := run(ctx, log, "systemd-nspawn", "-q", "--register=no", "--keep-unit", "--pipe", "-D", root,
		"--machine=kf-vm-build-"+fmt.Sprint(os.Getpid()), "/bin/sh", "-c", script); err != nil {
		return err
	}
	files := map[string]string{
		"etc/fstab":                             "/dev/vda / ext4 rw,errors=remount-ro 0 1\n",
		"etc/hostname":                          "kf-vm\n",
		"etc/systemd/system/kf-payload.service": payloadUnit,
	}
	for p, content := range files {
		if err := os.WriteFile(filepath.Join(root, p), []byte(content), 0o644); err != nil {
			return err
		}
	}
	wants := filepath.Join(root, "etc/systemd/system/multi-user.target.wants")
	if err := os.MkdirAll(wants, 0o755); err != nil {
		return err
	}
	if err := os.Symlink("/etc/systemd/system/kf-payload.service", filepath.Join(wants, "kf-payload.service")); err != nil {
		return err
	}
	for src, dst := range map[string]string{"boot/vmlinuz-" + k.Release: "vmlinuz", "boot/initrd.img-" + k.Release: "initrd.img"} {
		if err := run(ctx, log, "cp", filepath.Join(root, src), filepath.Join(tmp, dst)); err != nil {
			return err
		}
	}
	// 3 GiB, sparse: the rootfs takes about 1 GiB; the rest is room for what a payload writes
	// (the run uses -snapshot, so that goes to QEMU's temporary overlay, never to this file).
	if err := run(ctx, log, "mke2fs", "-q", "-t", "ext4", "-L", "kf-root", "-d", root, filepath.Join(tmp, "root.ext4"), "3G"); err != nil {
		return err
	}
	return os.RemoveAll(root)
}
