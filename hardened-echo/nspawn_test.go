package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The nspawn test boots a real systemd (Debian bookworm, systemd 252) in a container, with the
// built binary and the shipped units, and checks the sandbox on the live service process.
//
// The rootfs is debootstrapped once into rootfsCache (about 40 s to 3 min and 245 MB, depending
// on the mirror) and reused: it is built in a temporary directory beside the cache and renamed
// into place only when complete, so an interrupted build is never mistaken for a cache. The
// container runs with --volatile=overlay: its writes go to a tmpfs, the cache stays clean.
const rootfsCacheDefault = "/var/cache/kernel-foundations/bookworm-systemd"

// evidenceDirEnv names a directory into which the test copies what the probe collected (boot
// trace, online security table); `make -C hardened-echo boot-trace` uses it to refresh docs/.
const evidenceDirEnv = "HARDENED_ECHO_EVIDENCE_DIR"

func TestNspawnHardening(t *testing.T) {
	for _, tool := range []string{"systemd-nspawn", "debootstrap"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipf(t, "%v (install with .ci/deps: debootstrap systemd-container)", err)
		}
	}
	// systemd-nspawn starts by unsharing its mount namespace: try that, and skip on its error
	// (EPERM: needs root), not on a guess from the euid.
	if out, err := exec.Command("unshare", "--mount", "true").CombinedOutput(); err != nil {
		skipf(t, "unshare --mount, systemd-nspawn's first step: %v: %s (needs root)", err, bytes.TrimSpace(out))
	}
	rootfs := ensureRootfs(t)

	// The container's view: units in /usr/local/lib/systemd/system (on the unit search path,
	// absent from the image), the binary and the probe read-only, the evidence directory writable.
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	lib := filepath.Join(dir, "lib")
	out := filepath.Join(dir, "evidence")
	for _, d := range []string{units, lib, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, "systemd/hardened-echo.socket", filepath.Join(units, "hardened-echo.socket"), 0o644)
	copyFile(t, "systemd/hardened-echo.service", filepath.Join(units, "hardened-echo.service"), 0o644)
	copyFile(t, "testdata/nspawn/hardened-echo-probe.service", filepath.Join(units, "hardened-echo-probe.service"), 0o644)
	copyFile(t, "testdata/nspawn/probe.sh", filepath.Join(lib, "probe.sh"), 0o755)
	// RootDirectory= of the unit, laid out as `make install-root` does.
	if out, err := exec.Command("make", "--no-print-directory", "install-root",
		"ROOT="+filepath.Join(lib, "root"), "BINARY="+binPath).CombinedOutput(); err != nil {
		t.Fatalf("make install-root: %v\n%s", err, out)
	}

	machine := fmt.Sprintf("hardened-echo-test-%d", os.Getpid())
	console, err := os.Create(filepath.Join(dir, "console.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()

	cmd := exec.Command("systemd-nspawn",
		"--quiet",
		// No machined on this host (systemd is not PID 1), so no registration and no scope:
		// the container stays in the test's cgroup.
		"--register=no", "--keep-unit",
		"--machine="+machine,
		"--directory="+rootfs,
		"--volatile=overlay",
		// Its own network namespace with only lo: the container cannot touch the host's network,
		// and gets CAP_NET_ADMIN over its namespace, which systemd needs to bring up lo in the
		// service's PrivateNetwork= namespace (without it: "Failed to configure loopback
		// network device, ignoring: Operation not permitted").
		"--private-network",
		// IPAddressDeny= is enforced by a BPF program attached to the service's cgroup, and
		// nspawn's seccomp allow-list lacks bpf(2): without this, PID 1 finds BPF unsupported
		// and starts the unit unfiltered (RUNBOOK "hardened-echo"). CAP_SYS_ADMIN, which nspawn
		// keeps, is enough for bpf(2) itself.
		"--system-call-filter=bpf",
		"--bind-ro="+units+":/usr/local/lib/systemd/system",
		// Writable, so that the read-only / the service sees is systemd's doing, not the bind's.
		"--bind="+lib+":/usr/local/lib/hardened-echo",
		"--bind="+out+":/srv/evidence",
		"--boot",
		// systemd in a container reads its own command line as the kernel's (systemd(1)):
		// pull in the socket and the probe without touching the image.
		"systemd.wants=hardened-echo.socket",
		"systemd.wants=hardened-echo-probe.service",
	)
	// The host's cgroups are hybrid; this gives the container a pure cgroup2 tree, the layout
	// systemd 252 is built for (systemd-nspawn(1), ENVIRONMENT). Without it the container
	// inherits the hybrid layout and boots with "Failed to create symlink /sys/fs/cgroup/cpu".
	cmd.Env = append(os.Environ(), "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1")
	cmd.Stdout, cmd.Stderr = console, console
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start systemd-nspawn: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	// stopContainer ends a container that is still up: SIGTERM asks nspawn for an orderly
	// shutdown (SIGRTMIN+3 to its init, systemd-nspawn(1)); if that hangs, the container is
	// killed, init first. SIGKILL to nspawn alone would orphan the container: its init, a child
	// of nspawn, keeps running under the host's PID 1 with every unit in it (tried by hand).
	stopContainer := func() {
		select {
		case <-exited:
			return
		default:
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			return
		case <-time.After(30 * time.Second):
		}
		killContainer(cmd.Process.Pid)
		<-exited
	}
	t.Cleanup(stopContainer)
	// Readiness is the container's exit: the probe powers it off when its evidence is written.
	// The bound only catches a boot or a probe that hangs.
	select {
	case <-exited:
	case <-time.After(3 * time.Minute):
		t.Errorf("container still up after 3 min: stopping it")
		stopContainer()
	}
	t.Logf("container up for %v (boot, probe, power-off)", time.Since(start).Round(time.Millisecond))
	if waitErr != nil {
		t.Errorf("systemd-nspawn: %v\nconsole tail:\n%s", waitErr, tail(filepath.Join(dir, "console.txt"), 40))
	}

	ev := readEvidence(t, filepath.Join(out, "evidence.txt"))
	if ev["done"] != "1" {
		t.Fatalf("probe did not finish; console tail:\n%s", tail(filepath.Join(dir, "console.txt"), 40))
	}
	if d := os.Getenv(evidenceDirEnv); d != "" {
		if err := os.CopyFS(d, os.DirFS(out)); err != nil {
			t.Errorf("copy evidence to %s: %v", d, err)
		}
	}

	check := func(key, why string, ok func(string) bool) {
		t.Helper()
		v, present := ev[key]
		t.Logf("%-22s %s", key+":", v)
		if !present || !ok(v) {
			t.Errorf("%s = %q: want %s", key, v, why)
		}
	}
	equals := func(want string) func(string) bool { return func(v string) bool { return v == want } }
	contains := func(want string) func(string) bool { return func(v string) bool { return strings.Contains(v, want) } }

	check("system_state", "running", equals("running"))
	check("tcp_echo", "the line sent over TCP", equals("hello over tcp"))
	check("udp_echo", "the datagram sent over UDP", equals("hello over udp"))
	check("active_state", "active", equals("active"))
	check("status_text", "STATUS= counting the probe's connection and datagram",
		func(v string) bool {
			return strings.Contains(v, "1 accepted") && strings.Contains(v, "1 datagrams echoed")
		})
	check("watchdog_usec", "WatchdogSec=10s", equals("10s"))
	// DynamicUser= allocates from 61184-65519 (systemd's DYNAMIC_UID_MIN/MAX).
	check("status_Uid", "one dynamic UID (61184-65519) for real, effective, saved, fs", func(v string) bool {
		f := strings.Fields(v)
		if len(f) != 4 {
			return false
		}
		uid, err := strconv.Atoi(f[0])
		return err == nil && uid >= 61184 && uid <= 65519 && f[1] == f[0] && f[2] == f[0] && f[3] == f[0]
	})
	check("status_Gid", "the dynamic GID, equal to the UID, for all four", func(v string) bool {
		return v == ev["status_Uid"]
	})
	check("dynamic_user", "the unit's name", equals("hardened-echo"))
	for _, k := range []string{"status_CapEff", "status_CapPrm", "status_CapBnd", "status_CapAmb"} {
		check(k, "no capability at all", equals("0000000000000000"))
	}
	check("status_NoNewPrivs", "1", equals("1"))
	check("status_Seccomp", "2 (SECCOMP_MODE_FILTER)", equals("2"))
	check("status_Seccomp_filters", "at least one filter installed", func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n > 0
	})
	check("proc_mount", "a private /proc with hidepid=invisible,subset=pid",
		func(v string) bool {
			return strings.Contains(v, "hidepid=invisible") && strings.Contains(v, "subset=pid")
		})
	check("proc_twin_listing", "a twin unit's /proc: its own pid, self, thread-self, nothing else", func(v string) bool {
		f := strings.Fields(v)
		if len(f) != 3 || f[1] != "self" || f[2] != "thread-self" {
			return false
		}
		_, err := strconv.Atoi(f[0])
		return err == nil
	})
	check("root_ls", "a root holding the binary and mount points only", equals("dev etc hardened-echo proc root run sys tmp usr var"))
	check("etc_ls", "an empty /etc", equals(""))
	check("usr_ls", "an empty /usr", equals(""))
	check("root_mount", "/ mounted read-only", func(v string) bool { return strings.HasPrefix(v, "ro,") })
	check("root_write", "EROFS writing its /, even as root", contains("Read-only file system"))
	check("etc_write", "EROFS writing its /etc, even as root", contains("Read-only file system"))
	check("dir_write", "the same directory writable outside the service", equals("ok"))
	check("exec_in_ns", "EACCES executing anything but the binary (NoExecPaths=/)", contains("Permission denied"))
	check("netns_ifaces", "only lo", equals("lo"))
	check("netns_lo_addr", "::1 on lo: the loopback is up", equals("00000000000000000000000000000001"))
	check("netns_private", "a network namespace of its own", equals("yes"))
	check("ipdeny_send", "EPERM sending from a unit with IPAddressDeny=any (BPF firewall on)",
		func(v string) bool {
			return strings.HasPrefix(v, "rc=1 ") && strings.Contains(v, "Operation not permitted")
		})
	check("ipallow_send", "the same send allowed without IPAddressDeny=", func(v string) bool { return strings.HasPrefix(v, "rc=0") })
	check("watchdog_timestamp", "a WATCHDOG=1 received by PID 1 (non-zero monotonic stamp)", func(v string) bool {
		n, err := strconv.ParseUint(v, 10, 64)
		return err == nil && n > 0
	})
	check("stop_result", "success", equals("success"))
	check("stop_exit_status", "0", equals("0"))
	// 2 datagrams: the probe's and the IPAddressDeny-free unit's; the denied one never left.
	check("stop_log", "the drained stop logged last, counting 2 datagrams",
		contains("stopped: 0 open, 1 accepted, 0 refused, 15 bytes echoed, 2 datagrams echoed"))
	check("journal_ready_priority", "6: the <6> prefix reached the journal as PRIORITY=6", equals("6"))
	// On disk, outside the container, the root still holds one file: the binary.
	var files []string
	filepath.WalkDir(filepath.Join(lib, "root"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, d.Name())
		}
		return err
	})
	if len(files) != 1 || files[0] != "hardened-echo" {
		t.Errorf("files under the RootDirectory= tree after the boot: %q, want only hardened-echo", files)
	}
	// The boot trace (RUNBOOK section 1) came out of the same boot: each file is what its
	// systemd-analyze verb prints (blame lists the service: it started during this boot).
	for _, f := range []struct{ name, want string }{
		{"boot-time.txt", "Startup finished in "},
		{"boot-blame.txt", " hardened-echo.service\n"},
		{"boot-critical-chain.txt", "multi-user.target @"},
		{"boot.svg", "<svg "},
	} {
		data, err := os.ReadFile(filepath.Join(out, f.name))
		if err != nil {
			t.Errorf("boot trace: %v", err)
		} else if !strings.Contains(string(data), f.want) {
			t.Errorf("boot trace %s does not contain %q:\n%s", f.name, f.want, lastLines(string(data), 10))
		}
	}
	documented := documentedExposure(t)
	check("security_online", fmt.Sprintf("an online exposure of at most %.1f (SECURITY.md)", documented), func(v string) bool {
		m := regexp.MustCompile(`hardened-echo\.service: ([0-9.]+)`).FindStringSubmatch(v)
		if m == nil {
			return false
		}
		got, err := strconv.ParseFloat(m[1], 64)
		return err == nil && got <= documented
	})
}

// killContainer SIGKILLs the children of nspawn (pid), then nspawn. Its child is the container's
// init, PID 1 of the container's PID namespace: when it dies, the kernel kills every other
// process in that namespace (pid_namespaces(7)), and the container's mounts go with the last one.
// pid is safe to use: nspawn has not been waited for, so its pid cannot have been reused.
func killContainer(pid int) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if f := strings.Fields(string(stat[i+1:])); i >= 0 && len(f) > 1 && f[1] == strconv.Itoa(pid) {
			syscall.Kill(child, syscall.SIGKILL)
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// ensureRootfs returns the cached bookworm+systemd tree, building it first when it is missing.
// HARDENED_ECHO_ROOTFS overrides the cache path.
func ensureRootfs(t *testing.T) string {
	t.Helper()
	cache := rootfsCacheDefault
	if p := os.Getenv("HARDENED_ECHO_ROOTFS"); p != "" {
		cache = p
	}
	parent := filepath.Dir(cache)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	// One builder at a time: a second test run waits here for the first one's rename.
	lock, err := os.OpenFile(filepath.Join(parent, "."+filepath.Base(cache)+".lock"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(os.NewSyscallError("flock", err))
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	if _, err := os.Stat(filepath.Join(cache, "usr/lib/systemd/systemd")); err == nil {
		t.Logf("rootfs: reusing %s", cache)
		return cache
	}
	// An empty directory (made by hand, or a mount point) is built into: rename(2) replaces an
	// empty directory as atomically as it creates a new name. Anything else is not ours to delete.
	if ents, err := os.ReadDir(cache); err == nil && len(ents) > 0 {
		t.Fatalf("rootfs: %s is neither empty nor a rootfs with usr/lib/systemd/systemd: remove it to rebuild", cache)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("rootfs: %v", err)
	}
	// Leftovers of interrupted builds: never renamed, so never used; reclaim the space.
	stale, _ := filepath.Glob(filepath.Join(parent, "."+filepath.Base(cache)+".tmp*"))
	for _, s := range stale {
		os.RemoveAll(s)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(cache)+".tmp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	mirror := debianMirror(t)
	log := filepath.Join(tmp, "debootstrap.log")
	t.Logf("rootfs: debootstrap bookworm from %s into %s (once; a few minutes)", mirror, cache)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	db := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "--include=systemd,systemd-sysv,dbus",
		"bookworm", filepath.Join(tmp, "root"), mirror)
	// debootstrap mounts /proc, /sys (and, in a container, binds /dev nodes) inside the target
	// and unmounts them only if it gets to its own cleanup. In a mount namespace of its own
	// (Go marks / MS_PRIVATE|MS_REC there, syscall/exec_linux.go), those mounts die with it even
	// when the timeout kills it: nothing stays mounted under /var/cache, and RemoveAll(tmp)
	// below never walks into a live /proc or /dev.
	db.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	db.Stdout, db.Stderr = f, f
	err = db.Run()
	f.Close()
	if err != nil {
		t.Fatalf("debootstrap: %v\n%s", err, tail(log, 30))
	}
	// rename(2) itself: os.Rename refuses any existing directory as the target (EEXIST,
	// os/file_unix.go rename), the empty one included.
	if err := syscall.Rename(filepath.Join(tmp, "root"), cache); err != nil {
		t.Fatalf("rootfs: %v", os.NewSyscallError("rename", err))
	}
	t.Logf("rootfs: built in %v", time.Since(start).Round(time.Second))
	return cache
}

// debianMirror returns the Debian archive the machine's apt uses (the only network the CI
// machine reaches): the URI of the first source serving the plain "bookworm" suite, from
// deb822 files in /etc/apt/sources.list.d or one-line entries in /etc/apt/sources.list.
// HARDENED_ECHO_MIRROR overrides it.
func debianMirror(t *testing.T) string {
	t.Helper()
	if m := os.Getenv("HARDENED_ECHO_MIRROR"); m != "" {
		return m
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		for _, stanza := range strings.Split(string(data), "\n\n") {
			var uris, suites []string
			for _, line := range strings.Split(stanza, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok || strings.HasPrefix(strings.TrimSpace(line), "#") {
					continue
				}
				switch strings.TrimSpace(k) {
				case "URIs":
					uris = strings.Fields(v)
				case "Suites":
					suites = strings.Fields(v)
				}
			}
			for _, s := range suites {
				if s == "bookworm" && len(uris) > 0 {
					return uris[0]
				}
			}
		}
	}
	if data, err := os.ReadFile("/etc/apt/sources.list"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			// deb [options] URI SUITE COMPONENTS...
			if len(f) >= 3 && f[0] == "deb" {
				f = f[1:]
				if strings.HasPrefix(f[0], "[") {
					for len(f) > 0 && !strings.HasSuffix(f[0], "]") {
						f = f[1:]
					}
					f = f[1:]
				}
				if len(f) >= 2 && f[1] == "bookworm" {
					return f[0]
				}
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// documentedExposure reads the hardened unit's overall exposure from SECURITY.md, the value the
// score tests hold the unit to.
func documentedExposure(t *testing.T) float64 {
	t.Helper()
	data, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Overall exposure level for hardened-echo\.service: ([0-9.]+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("SECURITY.md: no overall exposure line for hardened-echo.service (run make -C hardened-echo score)")
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readEvidence(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("probe wrote no evidence (%v)", err)
		}
		t.Fatal(err)
	}
	defer f.Close()
	ev := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			ev[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ev
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

// tail returns the last n lines of a file, for failure messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
