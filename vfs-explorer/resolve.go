package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
)

// Kernel functions change between releases: close(2) reaches file_close_fd from Linux 6.8 on and
// close_fd before; a distribution's compiler may inline a function into one caller and not into
// another (Debian's 6.1 inlines vfs_fsync_range into fdatasync(2)); a syscall's entry symbol is
// __x64_sys_NAME on x86-64 and __arm64_sys_NAME on arm64. A kprobe on a missing name makes
// bpftrace refuse the whole script. So the kprobe recipes name their attach points with
// alternatives, resolved against the functions the running kernel offers before bpftrace sees
// the script:
//
//	kprobe:file_close_fd|close_fd     the first of these the kernel has
//	kprobe:do_splice?                 dropped from its probe list when the kernel lacks it
//	kprobe:SYS_fsync                  the syscall's entry: __x64_sys_fsync, __arm64_sys_fsync, ...
//
// A required attach point none of whose names exists makes the recipe unresolvable: the
// launcher then runs the tracepoint twin (auto) or refuses (-family kprobe), and says why.
var attachPoint = regexp.MustCompile(`\b(k(?:ret)?probe):([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*)(\?)?`)

// sysPrefixes are the syscall entry symbol prefixes of the architectures' syscall wrappers
// (arch/*/include/asm/syscall_wrapper.h), tried in order for SYS_name.
var sysPrefixes = []string{"__x64_sys_", "__arm64_sys_", "__riscv_sys_", "__s390x_sys_", "__se_sys_", "sys_"}

// kernelSymbols is the set of functions a kprobe can be placed on, and where it was read.
type kernelSymbols struct {
	has    map[string]bool
	source string
}

var (
	symsOnce sync.Once
	syms     kernelSymbols
	symsErr  error
)

// runningKernelSymbols reads, once, the functions of the running kernel: tracefs's
// available_filter_functions (the functions ftrace can hook: not inlined, not notrace), else
// /proc/kallsyms's text symbols (readable without root, addresses zeroed).
func runningKernelSymbols() (kernelSymbols, error) {
	symsOnce.Do(func() {
		var errs []error
		for _, p := range []string{"/sys/kernel/tracing/available_filter_functions", "/sys/kernel/debug/tracing/available_filter_functions"} {
			has, err := readSymbols(p, func(f []string) (string, bool) { return f[0], true })
			if err == nil && len(has) > 0 {
				syms = kernelSymbols{has, p}
				return
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		has, err := readSymbols("/proc/kallsyms", func(f []string) (string, bool) {
			return f[2], len(f) >= 3 && (f[1] == "t" || f[1] == "T")
		})
		if err == nil && len(has) > 0 {
			syms = kernelSymbols{has, "/proc/kallsyms"}
			return
		}
		if err == nil {
			err = errors.New("/proc/kallsyms lists no text symbols")
		}
		symsErr = fmt.Errorf("cannot list the kernel's functions: %w", errors.Join(append(errs, err)...))
	})
	return syms, symsErr
}

// readSymbols reads a symbol list, one per line, the name chosen from the line's fields by pick.
// Module symbols carry " [module]" at the end; the name is kept either way.
func readSymbols(path string, pick func([]string) (string, bool)) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	has := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if name, ok := pick(fields); ok {
			has[name] = true
		}
	}
	return has, sc.Err()
}

// candidates expands one alternative: SYS_name into the syscall entry symbols, others as they are.
func candidates(alt string) []string {
	name, ok := strings.CutPrefix(alt, "SYS_")
	if !ok {
		return []string{alt}
	}
	var out []string
	for _, p := range sysPrefixes {
		out = append(out, p+name)
	}
	return out
}

// resolveKprobes rewrites the attach points of a kprobe recipe's source to names the kernel has
// (see attachPoint). Comment lines are left alone. It returns the resolved source, one note per
// choice that was not the first alternative or dropped an optional probe, or an error naming the
// attach points that cannot be placed.
func resolveKprobes(src string, ks kernelSymbols) (string, []string, error) {
	var out strings.Builder
	var notes, missing []string
	for line := range strings.Lines(src) {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			out.WriteString(line)
			continue
		}
		var b strings.Builder
		last := 0
		drop := false
		for _, m := range attachPoint.FindAllStringSubmatchIndex(line, -1) {
			kind, alts, optional := line[m[2]:m[3]], strings.Split(line[m[4]:m[5]], "|"), m[6] >= 0
			chosen := ""
		search:
			for _, a := range alts {
				for _, c := range candidates(a) {
					if ks.has[c] {
						chosen = c
						break search
					}
				}
			}
			b.WriteString(line[last:m[0]])
			last = m[1]
			switch {
			case chosen != "":
				b.WriteString(kind + ":" + chosen)
				if len(alts) > 1 && chosen != alts[0] {
					notes = append(notes, fmt.Sprintf("%s:%s instead of %s", kind, chosen, alts[0]))
				}
			case optional:
				notes = append(notes, fmt.Sprintf("%s:%s left out (not in %s)", kind, strings.Join(alts, "|"), ks.source))
				drop = true
			default:
				missing = append(missing, kind+":"+strings.Join(alts, "|"))
			}
		}
		b.WriteString(line[last:])
		if drop {
			// An optional attach point stands alone on its line in a list: "kprobe:x?," (or the
			// list's last, without the comma: then the comma before it goes).
			rest := strings.TrimSpace(b.String())
			if rest != "" && rest != "," {
				return "", nil, fmt.Errorf("an optional attach point must be alone on its line, got %q", line)
			}
			if rest == "" {
				s := strings.TrimRight(out.String(), " \t\n")
				s = strings.TrimSuffix(s, ",")
				out.Reset()
				out.WriteString(s + "\n")
			}
			continue
		}
		out.WriteString(b.String())
	}
	if len(missing) > 0 {
		return "", nil, fmt.Errorf("%s not in %s (renamed or inlined in this kernel)", strings.Join(missing, ", "), ks.source)
	}
	return out.String(), notes, nil
}

// resolveRecipe returns recipe r with its attach points resolved for the running kernel (kprobe
// family; tracepoint recipes are returned as they are), with notes on the choices made.
func resolveRecipe(r Recipe) (Recipe, []string, error) {
	if r.Family != Kprobe {
		return r, nil, nil
	}
	ks, err := runningKernelSymbols()
	if err != nil {
		return r, nil, err
	}
	src, notes, err := resolveKprobes(r.Source, ks)
	if err != nil {
		return r, nil, fmt.Errorf("kprobe/%s cannot be exact on this kernel: %w", r.Name, err)
	}
	r.Source = src
	return r, notes, nil
}
