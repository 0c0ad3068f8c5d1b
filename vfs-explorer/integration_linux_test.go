package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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

// needBpftrace skips when the test cannot load BPF, after trying: bpftrace not installed, or a
// one-probe program refused (not root: bpftrace says so itself). CI is root and installs bpftrace
// (.ci/deps), so there these tests run, and KF_NO_SKIP=1 makes any skip a failure.
func needBpftrace(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("bpftrace")
	if err != nil {
		skipf(t, "bpftrace not installed: %v", err)
	}
	bpftraceLoads.Do(func() {
		out, err := exec.Command(bin, "-e", "BEGIN { exit(); }").CombinedOutput()
		if err != nil {
			bpftraceLoadErr = fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
		}
	})
	if bpftraceLoadErr != nil {
		if os.Geteuid() == 0 {
			t.Fatalf("bpftrace -e 'BEGIN { exit(); }' as root: %v", bpftraceLoadErr)
		}
		skipf(t, "bpftrace -e 'BEGIN { exit(); }' as euid %d: %v (loading BPF needs root)", os.Geteuid(), bpftraceLoadErr)
	}
	// The tests that call bpftrace directly need tracefs as much as the launcher does.
	if err := ensureTracefs(io.Discard); err != nil {
		t.Fatal(err)
	}
	return bin
}

// bpftraceLoads tries one trivial program once per test binary: loading is the operation the
// tests need, and its failure is the reason to skip.
var (
	bpftraceLoads   sync.Once
	bpftraceLoadErr error
)

// vfsx runs the vfs-explorer binary and returns stdout, stderr and the exit code.
func vfsx(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	return runExit(t, cmd, args)
}

// runExit runs cmd (vfs-explorer with args) and returns stdout, stderr and the exit code; a
// command that could not run at all fails the test.
func runExit(t *testing.T, cmd *exec.Cmd, args []string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("vfs-explorer %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// TestCheck runs the real check: every tracepoint recipe under bpftrace against the workload.
func TestCheck(t *testing.T) {
	needBpftrace(t)
	out, errs, code := vfsx(t, nil, "check")
	if code != 0 {
		t.Fatalf("check exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	m := regexp.MustCompile(`^(\d+) passed, 0 failed$`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q, want \"N passed, 0 failed\"", last)
	}
	n, _ := strconv.Atoi(m[1])
	if n != len(lines)-1 {
		t.Errorf("%d passed but %d figure lines", n, len(lines)-1)
	}
	seen := map[string]bool{}
	for _, l := range lines[:len(lines)-1] {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "PASS" {
			t.Errorf("figure line %q is not PASS", l)
			continue
		}
		seen[f[1]] = true
	}
	for _, r := range wantRecipes {
		if !seen[r] {
			t.Errorf("no figure for recipe %s", r)
		}
	}
}

// TestCheckOnly: -only runs the named recipes and rejects an unknown name.
func TestCheckOnly(t *testing.T) {
	needBpftrace(t)
	_, errs, code := vfsx(t, nil, "check", "-only", "nosuch")
	if code == 0 || !strings.Contains(errs, `unknown recipe "nosuch"`) {
		t.Errorf("check -only nosuch: exit %d, stderr %q; want an unknown-recipe error", code, errs)
	}
	out, errs, code := vfsx(t, nil, "check", "-only", "vfscount")
	if code != 0 || !strings.HasSuffix(out, " passed, 0 failed\n") || strings.Contains(out, "opensnoop") {
		t.Errorf("check -only vfscount: exit %d\n%s\n%s", code, out, errs)
	}
}

// TestCheckLongWindow stretches the measured phase past several seconds, long enough for the Go
// runtime's once-a-second GOMAXPROCS update (sysmon re-reading the cgroup CPU limit) to fall
// inside it unless the workload has turned it off: vfscount's "other keys" and pread64 figures
// would then fail.
func TestCheckLongWindow(t *testing.T) {
	needBpftrace(t)
	out, errs, code := vfsx(t, nil, "check", "-only", "vfscount", "-delay", "600ms")
	if code != 0 {
		t.Errorf("check -only vfscount -delay 600ms: exit %d\n%s\n%s", code, out, errs)
	}
}

type snoopLine struct {
	pid, fd, errno int
	comm, path     string
}

// opensnoopLines parses the event lines of opensnoop's text output.
func opensnoopLines(t *testing.T, out string) []snoopLine {
	t.Helper()
	var ls []snoopLine
	for _, e := range parseOpensnoop(strings.Split(out, "\n")) {
		ls = append(ls, snoopLine{pid: e.pid, fd: e.fd, errno: e.errno, comm: e.comm, path: e.path})
	}
	return ls
}

// straceOpens runs argv under strace and returns "path errno" for each open it made, in order:
// the reference opensnoop's list is compared with.
func straceOpens(t *testing.T, env []string, argv ...string) []string {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		skipf(t, "strace (the reference) not installed: %v", err)
	}
	log := filepath.Join(t.TempDir(), "strace.log")
	args := append([]string{"-f", "-qq", "-e", "trace=open,openat,openat2,creat", "-o", log}, argv...)
	cmd := exec.Command(strace, args...)
	cmd.Env = append(os.Environ(), env...)
	_ = cmd.Run() // the command fails on purpose (a missing file)
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(?:\d+ +)?(?:open|openat|openat2|creat)\((?:AT_FDCWD, )?"([^"]*)".*= (-?\d+)(?: (E[A-Z]+))?`)
	var opens []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		errno := 0
		if m[3] != "" {
			errno = int(errnoByName[m[3]])
			if errno == 0 {
				t.Fatalf("strace errno %s not in the test's table", m[3])
			}
		}
		opens = append(opens, fmt.Sprintf("%s %d", m[1], errno))
	}
	return opens
}

var errnoByName = map[string]syscall.Errno{"ENOENT": syscall.ENOENT, "EACCES": syscall.EACCES, "ENOTDIR": syscall.ENOTDIR, "EISDIR": syscall.EISDIR, "ELOOP": syscall.ELOOP, "EEXIST": syscall.EEXIST}

// TestRunOpensnoopListsExactlyTheCommandsOpens: `run opensnoop -- cat KNOWN MISSING` prints the
// command's opens and nothing else (every line is cat's pid), the missing file with FD -1 and
// ERR 2, and the same list, in order, as strace shows for the same command; and it exits 1, as
// cat does when a file is missing.
func TestRunOpensnoopListsExactlyTheCommandsOpens(t *testing.T) {
	needBpftrace(t)
	dir := t.TempDir()
	known := filepath.Join(dir, "known")
	missing := filepath.Join(dir, "missing")
	if err := os.WriteFile(known, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := vfsx(t, []string{"LC_ALL=C"}, "run", "-family", "tracepoint", "opensnoop", "--", cat, known, missing)
	if code != 1 {
		t.Fatalf("run opensnoop: exit %d, want cat's 1\n%s\n%s", code, out, errs)
	}
	lines := opensnoopLines(t, out)
	if len(lines) == 0 {
		t.Fatalf("no opensnoop lines in:\n%s", out)
	}
	var got []string
	for _, l := range lines {
		if l.pid != lines[0].pid || l.comm != "cat" {
			t.Errorf("line for pid %d comm %q: not the command's (pid %d, cat)", l.pid, l.comm, lines[0].pid)
		}
		if (l.fd < 0) != (l.errno != 0) {
			t.Errorf("%s: FD %d with ERR %d", l.path, l.fd, l.errno)
		}
		got = append(got, fmt.Sprintf("%s %d", l.path, l.errno))
	}
	mustContain := []string{known + " 0", missing + " 2"}
	for _, want := range mustContain {
		if !strings.Contains(strings.Join(got, "\n")+"\n", want+"\n") {
			t.Errorf("opensnoop output lacks %q:\n%s", want, out)
		}
	}
	want := straceOpens(t, []string{"LC_ALL=C"}, cat, known, missing)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("opensnoop opens differ from strace's:\nopensnoop:\n%s\nstrace:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunFollowsChildren: a script's children are followed (their opens are listed, under their
// own pids), and the shell's own opens are listed too.
func TestRunFollowsChildren(t *testing.T) {
	needBpftrace(t)
	dir := t.TempDir()
	known := filepath.Join(dir, "known")
	if err := os.WriteFile(known, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "script.sh")
	body := fmt.Sprintf("#!/bin/sh\n/usr/bin/cat %s\n/usr/bin/cat %s\n", known, known)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errs, code := vfsx(t, nil, "run", "-family", "tracepoint", "opensnoop", "--", "/bin/sh", script)
	if code != 0 {
		t.Fatalf("run opensnoop: exit %d\n%s\n%s", code, out, errs)
	}
	pids := map[int]bool{}
	var shell bool
	for _, l := range opensnoopLines(t, out) {
		if l.path == known && l.comm == "cat" {
			pids[l.pid] = true
		}
		if l.path == script && l.comm == "sh" {
			shell = true
		}
	}
	if len(pids) != 2 {
		t.Errorf("opens of %s by cat from %d pids, want 2 (one per child):\n%s", known, len(pids), out)
	}
	if !shell {
		t.Errorf("the shell's own open of %s is missing:\n%s", script, out)
	}
}

// TestRecipesCompile compiles every recipe of both families, alone and in each prelude, with
// bpftrace --emit-elf: a dry run that parses, type-checks against the kernel's BTF (a wrong
// struct field fails) and generates BPF, without attaching. This is how the kprobe family is
// checked on a kernel that cannot attach kprobes.
func TestRecipesCompile(t *testing.T) {
	bpftrace := needBpftrace(t)
	dir := t.TempDir()
	for _, f := range []Family{Tracepoint, Kprobe} {
		rs, err := recipes(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			r, _, err := resolveRecipe(r) // kprobe: the names this kernel has, as run resolves them
			if err != nil {
				t.Fatal(err)
			}
			for _, prelude := range []string{"", PreludeFollow, PreludeWindow} {
				t.Run(fmt.Sprintf("%s/%s/%s", f, r.Name, prelude), func(t *testing.T) {
					p, err := program(r, prelude)
					if err != nil {
						t.Fatal(err)
					}
					src := filepath.Join(dir, r.Name+".bt")
					if err := os.WriteFile(src, []byte(p), 0o644); err != nil {
						t.Fatal(err)
					}
					elf := filepath.Join(dir, r.Name+".elf")
					args := []string{"--emit-elf", elf}
					if prelude != "" {
						args = append(args, "-c", "/bin/true") // cpid needs a child command
					}
					out, err := exec.Command(bpftrace, append(args, src)...).CombinedOutput()
					if err != nil {
						t.Fatalf("bpftrace --emit-elf: %v\n%s", err, out)
					}
					if st, err := os.Stat(elf); err != nil || st.Size() == 0 {
						t.Fatalf("no ELF written: %v", err)
					}
					if f == Tracepoint && bytes.Contains(out, []byte("WARNING")) {
						t.Errorf("warnings:\n%s", out)
					}
				})
			}
		}
	}
}

// TestCompileCheckCanFail is the negative control for TestRecipesCompile: a kprobe recipe with a
// struct field the kernel does not have must fail bpftrace --emit-elf.
func TestCompileCheckCanFail(t *testing.T) {
	bpftrace := needBpftrace(t)
	r, err := lookup(Kprobe, "filetop")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(r.Source, "$inode->i_ino", "$inode->i_inode_number", 1)
	if bad == r.Source {
		t.Fatal("filetop no longer reads $inode->i_ino: update the control")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.bt")
	if err := os.WriteFile(src, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bpftrace, "--emit-elf", filepath.Join(dir, "bad.elf"), src).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("i_inode_number")) {
		t.Errorf("bpftrace --emit-elf on a bad field: err %v, output:\n%s\nwant a failure naming the field", err, out)
	}
}

// TestKprobeFunctionsExist: every attach point of every kprobe recipe resolves against the
// running kernel's functions (/proc/kallsyms here; resolve.go), so none is a typo, and every
// required one is present in this kernel, with only the optional ones left out.
func TestKprobeFunctionsExist(t *testing.T) {
	b, err := os.ReadFile("/proc/kallsyms")
	if err != nil {
		t.Fatal(err)
	}
	// Without CAP_SYSLOG, kptr_restrict zeroes every address and some symbols are missing: look.
	if first, _, _ := strings.Cut(string(b), " "); strings.Trim(first, "0") == "" {
		skipf(t, "/proc/kallsyms shows zeroed addresses to euid %d (kptr_restrict: needs root)", os.Geteuid())
	}
	ks, err := runningKernelSymbols()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := recipes(Kprobe)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		src, notes, err := resolveKprobes(r.Source, ks)
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if !attachPoint.MatchString(src) {
			t.Errorf("%s: no kprobes", r.Name)
		}
		t.Logf("%s: resolved against %s; %q", r.Name, ks.source, notes)
	}
}

// TestErrors: the binary's bad-input paths (its message and status); list's, show's and
// workload's are in-process, in TestPureCommandsInProcess.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown recipe", nil, []string{"run", "nosuch"}, `unknown recipe "nosuch"`},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no command after --", nil, []string{"run", "opensnoop", "--"}, "no command after --"},
		{"no bpftrace", []string{"PATH=" + t.TempDir()}, []string{"run", "opensnoop"}, "bpftrace not found in PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := vfsx(t, tc.env, tc.args...)
			if code == 0 || !strings.Contains(errs, tc.want) {
				t.Errorf("vfs-explorer %v: exit %d, stderr %q; want non-zero and %q", tc.args, code, errs, tc.want)
			}
		})
	}
}

// TestRunArgumentsWithSpaces: bpftrace -c would split "cat 'KNOWN' MISSING"; the launcher passes
// it, hex-encoded, to its run-child waiter, whose own start-up and waiting must not show. The list
// of opens must equal strace's for the same command: the shell's, then cat's, nothing of ours.
func TestRunArgumentsWithSpaces(t *testing.T) {
	needBpftrace(t)
	dir := filepath.Join(t.TempDir(), "with space")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	known := filepath.Join(dir, "known")
	if err := os.WriteFile(known, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("/usr/bin/cat '%s' '%s'; true", known, filepath.Join(dir, "missing"))
	out, errs, code := vfsx(t, []string{"LC_ALL=C"}, "run", "-family", "tracepoint", "opensnoop", "--", "/bin/sh", "-c", script)
	if code != 0 {
		t.Fatalf("run opensnoop: exit %d\n%s\n%s", code, out, errs)
	}
	var got []string
	for _, l := range opensnoopLines(t, out) {
		if l.comm != "sh" && l.comm != "cat" {
			t.Errorf("line from %q (pid %d): not the command's", l.comm, l.pid)
		}
		got = append(got, fmt.Sprintf("%s %d", l.path, l.errno))
	}
	want := straceOpens(t, []string{"LC_ALL=C"}, "/bin/sh", "-c", script)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("opensnoop opens differ from strace's:\nopensnoop:\n%s\nstrace:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(strings.Join(got, "\n"), known+" 0") {
		t.Errorf("the open of %q is missing:\n%s", known, out)
	}
}

// TestRunExitStatus: run -- CMD leaves with CMD's status, which bpftrace -c alone drops: an exit
// code as it is, a death by signal as 128+N with a line naming the signal. The trace still ends
// with the command: vfscount's map is printed. run's own failure with a command is 125.
func TestRunExitStatus(t *testing.T) {
	needBpftrace(t)
	for _, tc := range []struct {
		name   string
		script string
		code   int
		say    string
	}{
		{"exit code", "cat /dev/null; exit 3", 3, ""},
		{"killed", "cat /dev/null; kill -KILL $$", 128 + 9, "sh: killed by signal 9 (SIGKILL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := vfsx(t, nil, "run", "-family", "tracepoint", "vfscount", "--", "/bin/sh", "-c", tc.script)
			if code != tc.code {
				t.Errorf("sh -c %q: exit %d, want %d\n%s", tc.script, code, tc.code, errs)
			}
			if tc.say != "" && !strings.Contains(errs, tc.say) {
				t.Errorf("sh -c %q: stderr lacks %q:\n%s", tc.script, tc.say, errs)
			}
			if !strings.Contains(out, "@[cat, ") {
				t.Errorf("sh -c %q: no count for cat in vfscount's output:\n%s", tc.script, out)
			}
		})
	}
	t.Run("run failed", func(t *testing.T) {
		_, errs, code := vfsx(t, nil, "run", "nosuch", "--", "/bin/true")
		if code != 125 || !strings.Contains(errs, `unknown recipe "nosuch"`) {
			t.Errorf("run nosuch -- /bin/true: exit %d, want 125 and the reason:\n%s", code, errs)
		}
	})
}

// TestRunCommandStderr: the command writes to run's own stderr, the descriptor itself, not to
// the pipe bpftrace's stderr is filtered through (where a prompt without a newline would wait
// for one, and a terminal would not be a terminal). With run's stderr a file, the command's
// /proc/self/fd/2 names that file.
func TestRunCommandStderr(t *testing.T) {
	needBpftrace(t)
	errFile := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(errFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(binPath, "run", "-family", "tracepoint", "vfscount", "--", "/bin/sh", "-c", "readlink /proc/self/fd/2; printf 'prompt: ' >&2")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, f
	if err := cmd.Run(); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), errFile+"\n") {
		t.Errorf("the command's stderr is not run's: want readlink's line %s in:\n%s", errFile, out.String())
	}
	b, err := os.ReadFile(errFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "prompt: ") {
		t.Errorf("the command's stderr output is missing from run's stderr:\n%s", b)
	}
}

// TestNotRoot runs the binary as nobody: run must refuse with a clear message, not a bpftrace
// failure.
func TestNotRoot(t *testing.T) {
	if _, err := exec.LookPath("bpftrace"); err != nil {
		skipf(t, "bpftrace not installed: %v", err)
	}
	// The switch this test makes: try it, and skip on its error (EPERM: needs root).
	if out, err := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true").CombinedOutput(); err != nil {
		skipf(t, "setpriv to nobody: %v: %s (needs root)", err, bytes.TrimSpace(out))
	}
	// The binary lives in a root-only temp dir; copy it where nobody can execute it.
	dir, err := os.MkdirTemp("", "vfs-explorer-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "vfs-explorer")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "opensnoop")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "bpftrace needs root") {
		t.Errorf("run as nobody: %v, output %q; want a needs-root error", err, out)
	}
}

// TestKprobeFamilyRefusedWithoutKprobes: on a kernel without kprobes, asking for the kprobe
// family is an error; auto picks tracepoint.
func TestKprobeFamilyRefusedWithoutKprobes(t *testing.T) {
	needBpftrace(t)
	if ok, why := kprobeSupport(); ok {
		skipf(t, "this kernel has kprobes (%s): nothing to refuse", why)
	}
	_, errs, code := vfsx(t, nil, "run", "-family", "kprobe", "vfsstat")
	if code == 0 || !strings.Contains(errs, "cannot run on this kernel") {
		t.Errorf("run -family kprobe: exit %d, stderr %q; want a refusal", code, errs)
	}
	out, errs, code := vfsx(t, nil, "list")
	if code != 0 || !strings.Contains(errs, "family tracepoint") || !strings.Contains(out, "vfsstat    tracepoint") {
		t.Errorf("list: exit %d\n%s\n%s; want the tracepoint family", code, out, errs)
	}
}

// TestCheckOnFreshMachine runs check the way a fresh machine presents itself: tracefs not
// mounted (no systemd as PID 1 to mount it) and a /var/tmp that is not ext4. It runs in a
// private mount namespace (unshare -m), so the host's mounts are untouched: there the launcher
// must mount tracefs itself and say so, and put the workloads where ext4 is, so that the
// ext4-only recipes still prove their figures.
func TestCheckOnFreshMachine(t *testing.T) {
	needBpftrace(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		skipf(t, "unshare (util-linux) not installed: %v", err)
	}
	if fsNote(os.TempDir()) != "" {
		skipf(t, "%s is not on ext4 either: nowhere for the ext4 recipes to run", os.TempDir())
	}
	script := `set -e
umount -R /sys/kernel/debug 2>/dev/null || true
umount /sys/kernel/tracing 2>/dev/null || true
test ! -e /sys/kernel/tracing/events
mount -t tmpfs tmpfs /var/tmp
exec "$0" check -only filelife,writeback,opensnoop`
	cmd := exec.Command(unshare, "-m", "--propagation", "private", "sh", "-c", script, binPath)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("check in a fresh mount namespace: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "mounted tracefs on /sys/kernel/tracing") {
		t.Errorf("check did not say it mounted tracefs:\n%s", errb.String())
	}
	if !strings.HasSuffix(out.String(), " passed, 0 failed\n") || !strings.Contains(out.String(), "PASS writeback") {
		t.Errorf("check output:\n%s", out.String())
	}
}

// TestRunSystemWideUntilInterrupt: run NAME with no command traces every process until Ctrl-C.
// The terminal sends SIGINT to the whole foreground process group, launcher and bpftrace alike;
// the launcher must then let bpftrace print its maps and exit 0, leaving no bpftrace behind.
func TestRunSystemWideUntilInterrupt(t *testing.T) {
	needBpftrace(t)
	cmd := exec.Command(binPath, "run", "-family", "tracepoint", "opensnoop")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group, like a terminal job
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// On any failure, and if the output never comes (a bound for failing, not a wait), kill the
	// whole group: a leftover bpftrace would trace the machine on.
	kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	defer kill()
	watchdog := time.AfterFunc(2*time.Minute, kill)
	defer watchdog.Stop()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Ready: the header is printed by BEGIN, which bpftrace runs once every probe is attached.
	for l := range lines {
		if strings.HasPrefix(l, "PID ") {
			break
		}
	}
	bpftracePid := childOf(t, cmd.Process.Pid)
	// An open by a process that has nothing to do with the launcher: probes are attached, so
	// its line must come.
	probe := filepath.Join(t.TempDir(), "system-wide-probe")
	_ = exec.Command("/bin/sh", "-c", "exec 3<"+probe+" 2>/dev/null; true").Run()
	for opened := false; !opened; {
		l, ok := <-lines
		if !ok {
			t.Fatalf("output ended before the failed open of %s showed:\n%s", probe, errb.String())
		}
		opened = strings.HasSuffix(l, " "+probe) && strings.Contains(l, " -1   2 ")
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGINT: %v, want exit 0\n%s", err, errb.String())
	}
	if err := syscall.Kill(bpftracePid, 0); err != syscall.ESRCH {
		t.Errorf("bpftrace (pid %d) still there after the launcher exited: kill 0 = %v", bpftracePid, err)
	}
}

// childOf returns the pid of the only child of pid, from /proc/PID/task/*/children.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, strings.Fields(string(b))...)
	}
	if len(kids) != 1 {
		t.Fatalf("pid %d has children %v, want one (bpftrace)", pid, kids)
	}
	child, err := strconv.Atoi(kids[0])
	if err != nil {
		t.Fatal(err)
	}
	return child
}
