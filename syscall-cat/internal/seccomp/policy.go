// Package seccomp turns syscall-cat's human-readable allow-list (seccomp.policy) into a classic
// BPF seccomp program and installs it on every thread of the process.
//
// Policy grammar, one rule per line, '#' to the end of a line is the reason and is required:
//
//	NAME                                   # reason     allow NAME with any arguments
//	NAME argN == VALUE [&& ...]            # reason     allow when the argument equals VALUE
//	NAME argN & MASK == VALUE [&& ...]     # reason     allow when the masked argument equals VALUE
//
// Several lines for one NAME are alternatives (any may match); conditions on one line must all
// hold. VALUE and MASK are numbers or symbols (O_CREAT, CLONE_THREAD, ...) joined by '|'.
// Only the low 32 bits of an argument are compared: every argument checked here is an int or
// unsigned int in the kernel's prototype (openat flags, ioctl and fcntl commands, signal
// numbers) or is truncated to 32 bits by the kernel (clone flags, kernel/fork.c), so the high
// half cannot change what the kernel does.
package seccomp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Cond is one argument check: args[Arg] & Mask == Value (on the low 32 bits).
type Cond struct {
	Arg   int
	Mask  uint32 // 0xffffffff for a plain ==
	Value uint32
}

// Rule is one policy line.
type Rule struct {
	Name   string
	Nr     uint32
	Conds  []Cond // all must hold; none means any arguments
	Reason string
	Line   int
}

// Policy is a parsed allow-list, rules sorted by syscall number, then by line.
type Policy struct {
	Rules []Rule
}

// Parse reads policy text.
func Parse(text string) (*Policy, error) {
	var p Policy
	for i, line := range strings.Split(text, "\n") {
		ln := i + 1
		body, reason, hasReason := strings.Cut(line, "#")
		body = strings.TrimSpace(body)
		if body == "" {
			continue
		}
		reason = strings.TrimSpace(reason)
		if !hasReason || reason == "" {
			return nil, fmt.Errorf("line %d: %q has no reason (# why it is needed)", ln, body)
		}
		fields := strings.Fields(body)
		name := fields[0]
		nr, ok := syscallNumbers[name]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown system call %q", ln, name)
		}
		r := Rule{Name: name, Nr: nr, Reason: reason, Line: ln}
		if rest := strings.TrimSpace(strings.TrimPrefix(body, name)); rest != "" {
			for _, c := range strings.Split(rest, "&&") {
				cond, err := parseCond(strings.Fields(c))
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", ln, err)
				}
				r.Conds = append(r.Conds, cond)
			}
		}
		p.Rules = append(p.Rules, r)
	}
	if len(p.Rules) == 0 {
		return nil, fmt.Errorf("empty policy")
	}
	sort.SliceStable(p.Rules, func(i, j int) bool { return p.Rules[i].Nr < p.Rules[j].Nr })
	for i := 1; i < len(p.Rules); i++ {
		a, b := p.Rules[i-1], p.Rules[i]
		if a.Nr == b.Nr && (len(a.Conds) == 0 || len(b.Conds) == 0) {
			return nil, fmt.Errorf("line %d: %s is already allowed without conditions (line %d)", b.Line, b.Name, a.Line)
		}
	}
	return &p, nil
}

// parseCond parses "argN == V" or "argN & M == V".
func parseCond(f []string) (Cond, error) {
	c := Cond{Mask: 0xffffffff}
	switch {
	case len(f) == 3 && f[1] == "==":
	case len(f) == 5 && f[1] == "&" && f[3] == "==":
	default:
		return c, fmt.Errorf("condition %q: want \"argN == V\" or \"argN & M == V\"", strings.Join(f, " "))
	}
	arg, ok := strings.CutPrefix(f[0], "arg")
	n, err := strconv.Atoi(arg)
	if !ok || err != nil || n < 0 || n > 5 {
		return c, fmt.Errorf("condition %q: %q is not arg0..arg5", strings.Join(f, " "), f[0])
	}
	c.Arg = n
	if len(f) == 5 {
		if c.Mask, err = parseValue(f[2]); err != nil {
			return c, err
		}
	}
	if c.Value, err = parseValue(f[len(f)-1]); err != nil {
		return c, err
	}
	if c.Value&^c.Mask != 0 {
		return c, fmt.Errorf("condition %q can never hold: value has bits outside the mask", strings.Join(f, " "))
	}
	return c, nil
}

func parseValue(s string) (uint32, error) {
	var v uint32
	for _, part := range strings.Split(s, "|") {
		if x, ok := symbols[part]; ok {
			v |= x
			continue
		}
		x, err := strconv.ParseUint(part, 0, 32)
		if err != nil {
			return 0, fmt.Errorf("value %q: not a number or known symbol", part)
		}
		v |= uint32(x)
	}
	return v, nil
}

// symbols are the constant names a policy may use (values for linux/amd64, from the kernel's
// uapi headers: asm-generic/fcntl.h, linux/sched.h, asm-generic/ioctls.h, linux/fcntl.h).
var symbols = map[string]uint32{
	"O_WRONLY":     0x1,
	"O_RDWR":       0x2,
	"O_CREAT":      0x40,
	"O_EXCL":       0x80,
	"O_TRUNC":      0x200,
	"O_APPEND":     0x400,
	"__O_TMPFILE":  0x400000,
	"CLONE_THREAD": 0x10000,
	"TCGETS":       0x5401,
	"F_GETFL":      3,
	"F_SETPIPE_SZ": 1031,
	"F_GETPIPE_SZ": 1032,
	"SIGHUP":       1,
	"SIGINT":       2,
	"SIGPIPE":      13,
	"SIGTERM":      15,
	"PR_SET_VMA":   0x53564d41,
	"SIG_BLOCK":    0,
	"SIG_UNBLOCK":  1,
	"SIG_SETMASK":  2,
}
