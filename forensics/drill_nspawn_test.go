package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The week-4 hardening drill for real: forensics.service, as shipped, runs under a booted systemd
// 252 in a container, and its LimitNPROC= and LimitSTACK= are read back from the live process
// with prlimit -p and /proc/PID/limits. The container is the one hardened-echo's nspawn test
// boots: a debootstrapped bookworm with systemd, cached at drillRootfs and built once by whichever
// of the two tests runs first (about a minute). Modules never import each other, so the helpers
// below are copies of hardened-echo's (nspawn_test.go).
const drillRootfs = "/var/cache/kernel-foundations/bookworm-systemd"

func TestDrillUnderSystemd(t *testing.T) {
	for _, tool := range []string{"systemd-nspawn", "debootstrap"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipf(t, "%v (install with .ci/deps: debootstrap systemd-container)", err)
		}
	}
	// systemd-nspawn starts by unsharing its mount namespace: try that, and skip on its error
	// (EPERM: needs root), not on a guess from the euid (as hardened-echo's test does).
	if out, err := exec.Command("unshare", "--mount", "true").CombinedOutput(); err != nil {
		skipf(t, "unshare --mount, systemd-nspawn's first step: %v: %s (needs root)", err, strings.TrimSpace(string(out)))
	}
	rootfs := drillEnsureRootfs(t)
	nproc, stack := unitLimit(t, "systemd/forensics.service", "LimitNPROC"), unitLimit(t, "systemd/forensics.service", "LimitSTACK")

	// The container's view: the shipped unit and the probe on the unit search path, the binary at
	// ExecStart='s path, this module's systemd/ directory at /srv/kf/forensics/systemd so that the
	// RUNBOOK's `systemd-analyze verify forensics/systemd/forensics.service` runs as written.
	dir := t.TempDir()
	units, lib, bin, out := filepath.Join(dir, "units"), filepath.Join(dir, "lib"), filepath.Join(dir, "bin"), filepath.Join(dir, "evidence")
	for _, d := range []string{units, lib, bin, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	drillCopy(t, "systemd/forensics.service", filepath.Join(units, "forensics.service"), 0o644)
	drillCopy(t, "testdata/nspawn/forensics-drill-probe.service", filepath.Join(units, "forensics-drill-probe.service"), 0o644)
	drillCopy(t, "testdata/nspawn/drill-probe.sh", filepath.Join(lib, "drill-probe.sh"), 0o755)
	drillCopy(t, binPath, filepath.Join(bin, "forensics"), 0o755)
	systemdDir, err := filepath.Abs("systemd")
	if err != nil {
		t.Fatal(err)
	}

	console, err := os.Create(filepath.Join(dir, "console.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer console.Close()
	cmd := exec.Command("systemd-nspawn",
		"--quiet",
		// No machined on this host (systemd is not PID 1): no registration, no scope.
		"--register=no", "--keep-unit",
		fmt.Sprintf("--machine=forensics-drill-%d", os.Getpid()),
		"--directory="+rootfs,
		// The cache stays read-only under a tmpfs overlay: nothing the boot writes reaches it.
		"--volatile=overlay",
		"--private-network",
		"--bind-ro="+units+":/usr/local/lib/systemd/system",
		"--bind-ro="+bin+":/usr/local/bin",
		"--bind-ro="+lib+":/usr/local/lib/forensics-drill",
		"--bind-ro="+systemdDir+":/srv/kf/forensics/systemd",
		"--bind="+out+":/srv/evidence",
		"--boot",
		// systemd in a container reads its own command line as the kernel's (systemd(1)).
		"systemd.wants=forensics-drill-probe.service",
	)
	// A pure cgroup2 tree for the container (the host's is hybrid), as hardened-echo's test does.
	cmd.Env = append(os.Environ(), "SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1")
	cmd.Stdout, cmd.Stderr = console, console
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start systemd-nspawn: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	// SIGTERM asks nspawn for an orderly shutdown; if that hangs, the container's init is killed
	// first (its PID namespace dies with it), then nspawn: nspawn alone would orphan the container.
	stop := func() {
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
		drillKillContainer(cmd.Process.Pid)
		<-exited
	}
	t.Cleanup(stop)
	// Readiness is the container's exit: the probe powers it off when its evidence is written.
	select {
	case <-exited:
	case <-time.After(3 * time.Minute):
		t.Errorf("container still up after 3 min: stopping it")
		stop()
	}
	t.Logf("container up for %v (boot, drill, power-off)", time.Since(start).Round(time.Millisecond))
	if waitErr != nil {
		t.Errorf("systemd-nspawn: %v\nconsole:\n%s", waitErr, drillFile(filepath.Join(dir, "console.txt")))
	}
	ev := drillEvidence(t, filepath.Join(out, "evidence.txt"))
	if ev["done"] != "1" {
		t.Fatalf("probe did not finish; console:\n%s", drillFile(filepath.Join(dir, "console.txt")))
	}
	if d := os.Getenv("FORENSICS_DRILL_EVIDENCE_DIR"); d != "" {
		if err := os.CopyFS(d, os.DirFS(out)); err != nil {
			t.Errorf("copy evidence to %s: %v", d, err)
		}
	}

	check := func(key, want string) {
		t.Helper()
		t.Logf("%-16s %s", key+":", ev[key])
		if ev[key] != want {
			t.Errorf("%s = %q, want %q", key, ev[key], want)
		}
	}
	check("system_state", "running")
	check("verify_rc", "0")
	if v := drillFile(filepath.Join(out, "verify.txt")); v != "" {
		t.Errorf("systemd-analyze verify forensics/systemd/forensics.service printed:\n%s", v)
	}
	check("active_state", "active")
	check("unit_nproc", strconv.FormatUint(nproc, 10))
	check("unit_stack", strconv.FormatUint(stack, 10))
	check("prlimit_rc", "0")
	check("stop_result", "success")
	// DynamicUser= allocates from 61184-65519 (systemd's DYNAMIC_UID_MIN/MAX): root would be
	// exempt from RLIMIT_NPROC, so the limit binds only because the uid is not 0.
	if uid, err := strconv.Atoi(ev["main_uid"]); err != nil || uid < 61184 || uid > 65519 {
		t.Errorf("main_uid = %q, want a dynamic uid (61184-65519)", ev["main_uid"])
	}
	workers := strings.Fields(ev["workers"])
	if len(workers) != 4 {
		t.Errorf("workers = %q, want the 4 children of the main process", ev["workers"])
	}

	// prlimit -p as root: refused where root lacks CAP_SYS_RESOURCE (this machine's bounding set),
	// since prlimit(2) on another uid's process needs it; logged, not required.
	t.Logf("prlimit -p %s as root: exit %s, %s", ev["main_pid"], ev["prlimit_root_rc"],
		strings.SplitN(drillFile(filepath.Join(out, "prlimit-root.txt")), "\n", 2)[0])
	// prlimit -p, asked as the service's uid: util-linux's table, one row per limit.
	pr := drillFile(filepath.Join(out, "prlimit.txt"))
	t.Logf("prlimit -p %s:\n%s", ev["main_pid"], drillGrep(pr, "NPROC", "STACK"))
	for _, row := range []struct{ name, value string }{
		{"NPROC", strconv.FormatUint(nproc, 10)},
		{"STACK", strconv.FormatUint(stack, 10)},
	} {
		if f := drillRow(pr, row.name); len(f) < 2 || f[len(f)-3] != row.value || f[len(f)-2] != row.value {
			t.Errorf("prlimit -p: %s row %q, want soft and hard %s", row.name, f, row.value)
		}
	}
	// /proc/PID/limits of the main process and of every worker (inherited across fork and exec).
	files := []string{"limits-main.txt"}
	for i := range workers {
		files = append(files, fmt.Sprintf("limits-worker-%d.txt", i+1))
	}
	for _, name := range files {
		l := drillFile(filepath.Join(out, name))
		for _, row := range []struct{ name, value string }{
			{"Max processes", strconv.FormatUint(nproc, 10)},
			{"Max stack size", strconv.FormatUint(stack, 10)},
		} {
			f := drillRow(l, row.name)
			// "Max processes  64  64  processes": soft, hard, units after the name's words.
			n := len(strings.Fields(row.name))
			if len(f) < n+2 || f[n] != row.value || f[n+1] != row.value {
				t.Errorf("%s: %s row %q, want soft and hard %s", name, row.name, f, row.value)
			}
		}
		if name == "limits-main.txt" {
			t.Logf("/proc/%s/limits:\n%s", ev["main_pid"], drillGrep(l, "Max processes", "Max stack size"))
		}
	}
	// The stop: SIGTERM to the main process, forwarded to and logged by each worker.
	journal := drillFile(filepath.Join(out, "journal.txt"))
	if n := strings.Count(journal, "received SIGTERM"); n != len(workers) {
		t.Errorf("journal: %d workers logged SIGTERM, want %d:\n%s", n, len(workers), journal)
	}

	// The rows RUNBOOK.md quotes, as committed evidence (evidence/drill-limits.txt): the unit's
	// values as systemd reports them, prlimit's two rows and /proc/PID/limits' two rows of the
	// live main process, with pids and uids left out.
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by `make evidence` (forensics/drill_nspawn_test.go TestDrillUnderSystemd); do not edit.\n")
	fmt.Fprintf(&b, "# forensics.service under systemd 252 (systemd-nspawn --boot), pid=$(systemctl show -P MainPID forensics)\n")
	fmt.Fprintf(&b, "$ systemctl show -P LimitNPROC forensics; systemctl show -P LimitSTACK forensics\n%s\n%s\n", ev["unit_nproc"], ev["unit_stack"])
	fmt.Fprintf(&b, "$ setpriv --reuid=$uid --regid=$uid --clear-groups prlimit -p $pid   # uid: the service's dynamic uid\n%s\n", drillGrep(pr, "NPROC", "STACK"))
	fmt.Fprintf(&b, "$ grep -E '^(Limit|Max processes|Max stack size)' /proc/$pid/limits\n%s\n", drillGrep(drillFile(filepath.Join(out, "limits-main.txt")), "Max processes", "Max stack size"))
	lines := strings.Split(b.String(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ") // /proc/PID/limits pads its last column
	}
	evidenceCheck(t, "drill-limits.txt", strings.Join(lines, "\n"))
}

// drillRow returns the fields of the first line of text that starts with name (after spaces).
func drillRow(text, name string) []string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
			return strings.Fields(l)
		}
	}
	return nil
}

// drillGrep returns the header line and the lines of text that start with one of names.
func drillGrep(text string, names ...string) string {
	var keep []string
	for i, l := range strings.Split(text, "\n") {
		for _, n := range names {
			if i == 0 || strings.HasPrefix(strings.TrimSpace(l), n+" ") {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}

// drillKillContainer SIGKILLs the children of nspawn (pid), then nspawn (copied from
// hardened-echo's killContainer). The child is the container's init: when it dies, the kernel
// kills every other process of its PID namespace (pid_namespaces(7)). pid cannot have been
// reused: nspawn has not been waited for.
func drillKillContainer(pid int) {
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
		// comm may hold spaces and parentheses: split after the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if f := strings.Fields(string(stat[i+1:])); i >= 0 && len(f) > 1 && f[1] == strconv.Itoa(pid) {
			syscall.Kill(child, syscall.SIGKILL)
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

func drillEvidence(t *testing.T, path string) map[string]string {
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
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			ev[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ev
}

func drillCopy(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

// drillFile returns a file's text, or the error reading it, for checks and failure messages.
func drillFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return strings.TrimRight(string(data), "\n")
}

// drillEnsureRootfs returns the cached bookworm+systemd tree, building it first when it is missing
// (a copy of hardened-echo's ensureRootfs: same cache, same lock file, so whichever test runs
// first builds it once and the other waits for it). HARDENED_ECHO_ROOTFS overrides the cache path.
func drillEnsureRootfs(t *testing.T) string {
	t.Helper()
	cache := drillRootfs
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
	mirror := drillDebianMirror(t)
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
		t.Fatalf("debootstrap: %v\n%s", err, drillFile(log))
	}
	// rename(2) itself: os.Rename refuses any existing directory as the target (EEXIST,
	// os/file_unix.go rename), the empty one included.
	if err := syscall.Rename(filepath.Join(tmp, "root"), cache); err != nil {
		t.Fatalf("rootfs: %v", os.NewSyscallError("rename", err))
	}
	t.Logf("rootfs: built in %v", time.Since(start).Round(time.Second))
	return cache
}

// drillDebianMirror (a copy of hardened-echo's debianMirror) returns the Debian archive the machine's apt uses (the only network the CI
// machine reaches): the URI of the first source serving the plain "bookworm" suite, from
// deb822 files in /etc/apt/sources.list.d or one-line entries in /etc/apt/sources.list.
// HARDENED_ECHO_MIRROR overrides it.
func drillDebianMirror(t *testing.T) string {
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
