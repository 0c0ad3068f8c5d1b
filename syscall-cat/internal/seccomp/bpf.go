package seccomp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Instruction is one classic BPF instruction (struct sock_filter).
type Instruction struct {
	Code   uint16
	Jt, Jf uint8
	K      uint32
}

// Classic BPF opcodes used here (linux/bpf_common.h).
const (
	opLdAbs = 0x20 // BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset K of seccomp_data
	opJeq   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	opJge   = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	opAnd   = 0x54 // BPF_ALU | BPF_AND | BPF_K
	opRet   = 0x06 // BPF_RET | BPF_K
	opTax   = 0x07 // BPF_MISC | BPF_TAX: X = A
)

// Offsets in struct seccomp_data (linux/seccomp.h): nr, arch, instruction_pointer, args[6].
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// Seccomp return actions (linux/seccomp.h).
const (
	RetKillProcess uint32 = 0x80000000
	RetErrno       uint32 = 0x00050000 // | errno in the low 16 bits
	RetLog         uint32 = 0x7ffc0000
	RetAllow       uint32 = 0x7fff0000
)

const (
	auditArchX8664 = 0xc000003e // AUDIT_ARCH_X86_64 (linux/audit.h)
	x32SyscallBit  = 0x40000000 // __X32_SYSCALL_BIT: x32 numbers, same arch token as x86_64
	eperm          = 1
)

// Mode is what happens to a system call the policy does not allow.
type Mode int

const (
	ModeKill  Mode = iota // SECCOMP_RET_KILL_PROCESS: the whole process dies by SIGSYS
	ModeLog               // SECCOMP_RET_LOG: allowed, and logged by the kernel (dmesg, audit)
	ModeErrno             // SECCOMP_RET_ERRNO: fails with EPERM
)

// ParseMode maps the SYSCALL_CAT_SECCOMP values "", "kill", "log" and "errno" to a Mode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "kill":
		return ModeKill, nil
	case "log":
		return ModeLog, nil
	case "errno":
		return ModeErrno, nil
	}
	return 0, errors.New("unknown seccomp mode " + strconv.Quote(s) + " (want kill, log or errno)")
}

func (m Mode) action() uint32 {
	switch m {
	case ModeLog:
		return RetLog
	case ModeErrno:
		return RetErrno | eperm
	}
	return RetKillProcess
}

// Assemble compiles p into a seccomp program. A foreign architecture and the x32 ABI are killed
// whatever the mode: the policy's numbers mean nothing there, and x32 shares AUDIT_ARCH_X86_64
// so only the number's x32 bit tells it apart.
//
// The kernel converts, checks, JIT-compiles and runs the program for every system call number
// while the cat starts, so both its length and its paths are kept short: a binary search on the
// number (tree), one "ret ALLOW" and one "ret" of the default action at the end, which every
// decision jumps to; for a call with conditions, argument loads only where the accumulator does
// not already hold the value.
func (p *Policy) Assemble(mode Mode) ([]Instruction, error) {
	deflt := mode.action()
	var a asm
	// First a tax (X = A; X is never read): when the filter is installed, the kernel runs it
	// once for every system call number of both ABIs to learn which calls are allowed whatever
	// their arguments (kernel/seccomp.c seccomp_cache_prepare), and its emulator gives up at an
	// instruction it does not model, so it stops here at once. That precomputation costs cat
	// 20-30 us at every start to save the filter's run (some ten JIT-compiled instructions) on
	// each later allowed call; cat makes a few dozen calls, or one per 128 KiB.
	a.emit(Instruction{Code: opTax}, next, next)
	a.emit(Instruction{Code: opLdAbs, K: offArch}, next, next)
	a.emit(Instruction{Code: opJeq, K: auditArchX8664}, 1, next) // skip the kill
	a.emit(Instruction{Code: opRet, K: RetKillProcess}, next, next)
	a.emit(Instruction{Code: opLdAbs, K: offNr}, next, next)
	// Numbers above the highest listed one (x32's included) leave at once: the kernel's
	// installation run (see tree) tries every number up to its last.
	a.emit(Instruction{Code: opJge, K: p.Rules[len(p.Rules)-1].Nr + 1}, labelAboveMax, next)
	var groups [][]Rule // the rules of each number, numbers ascending
	for i := 0; i < len(p.Rules); {
		j := i
		for j < len(p.Rules) && p.Rules[j].Nr == p.Rules[i].Nr {
			j++
		}
		groups = append(groups, p.Rules[i:j])
		i = j
	}
	a.tree(groups)
	a.label(labelAboveMax)
	if mode != ModeKill {
		a.emit(Instruction{Code: opJge, K: x32SyscallBit}, labelKill, labelDefault)
	}
	a.label(labelDefault)
	a.emit(Instruction{Code: opRet, K: deflt}, next, next)
	if mode != ModeKill {
		a.label(labelKill)
		a.emit(Instruction{Code: opRet, K: RetKillProcess}, next, next)
	}
	a.label(labelAllow)
	a.emit(Instruction{Code: opRet, K: RetAllow}, next, next)
	return a.link()
}

// leafSize is the most numbers tested one after the other at the bottom of the search tree.
const leafSize = 3

// tree emits a binary search on the number over groups: "jge" nodes down to runs of at most
// leafSize numbers, each tested by a jeq; a number no leaf lists gets the default action. The
// kernel runs the filter for every system call number when it installs it (kernel/seccomp.c
// seccomp_cache_prepare: which calls are allowed whatever their arguments), so the length of
// the path to a decision, not only the program's, is paid at every start.
func (a *asm) tree(groups [][]Rule) {
	if len(groups) > leafSize {
		mid := len(groups) / 2
		node := a.emit(Instruction{Code: opJge, K: groups[mid][0].Nr}, pending, next)
		a.tree(groups[:mid])
		a.resolveHere(node, true)
		a.tree(groups[mid:])
		return
	}
	for k, rules := range groups {
		miss := next // a different number: the next jeq of the leaf, or the default
		if k == len(groups)-1 {
			miss = labelDefault
		}
		if len(rules[0].Conds) == 0 {
			a.emit(Instruction{Code: opJeq, K: rules[0].Nr}, labelAllow, miss)
			continue
		}
		at := a.emit(Instruction{Code: opJeq, K: rules[0].Nr}, next, miss)
		a.conditions(rules)
		if miss == next {
			a.resolveHere(at, false) // past the checks
		}
	}
}

// Jump targets of the assembler: the next instruction, a number of instructions to skip, or a
// label.
const (
	next          = 0
	labelAllow    = -1
	labelDefault  = -2
	labelKill     = -3
	labelAboveMax = -4
	pending       = -5 // resolved later by resolveHere
)

type asm struct {
	prog    []Instruction
	jt, jf  []int       // per instruction: next, a skip count (> 0) or a label or pending
	labels  map[int]int // label -> instruction index
	pending []pendingJump
}

type pendingJump struct {
	at     int
	isTrue bool
	target int // instruction index once resolved, -1 until then
}

func (a *asm) emit(in Instruction, jt, jf int) int {
	a.prog = append(a.prog, in)
	a.jt = append(a.jt, jt)
	a.jf = append(a.jf, jf)
	return len(a.prog) - 1
}

func (a *asm) label(l int) {
	if a.labels == nil {
		a.labels = map[int]int{}
	}
	a.labels[l] = len(a.prog)
}

// resolveHere makes the jump of instruction at (its false branch, or true branch) land on the
// next instruction emitted.
func (a *asm) resolveHere(at int, isTrue bool) {
	a.pending = append(a.pending, pendingJump{at, isTrue, len(a.prog)})
	if isTrue {
		a.jt[at] = pending
	} else {
		a.jf[at] = pending
	}
}

// conditions emits the checks of one call's rules (alternatives; each a conjunction): a rule's
// failing check goes on to the next rule, the last rule's to the default action; a rule whose
// checks all hold jumps to ALLOW. The accumulator holds (arg, mask) after a load and an and;
// a check on the same argument with the same mask needs no new load.
func (a *asm) conditions(rules []Rule) {
	type acc struct {
		arg  int
		mask uint32
	}
	held := acc{arg: -1} // the number is in A at the start, no argument
	var toNextRule []int // failing checks of the previous rule
	for r, rule := range rules {
		start := len(a.prog)
		for _, at := range toNextRule {
			a.pending = append(a.pending, pendingJump{at, false, start})
			a.jf[at] = pending
		}
		toNextRule = nil
		if r > 0 && len(rules[r-1].Conds) != 1 {
			held = acc{arg: -1} // more than one way here: A unknown
		}
		for k, c := range rule.Conds {
			want := acc{c.Arg, c.Mask}
			if held != want {
				a.emit(Instruction{Code: opLdAbs, K: uint32(offArgs + 8*c.Arg)}, next, next)
				if c.Mask != 0xffffffff {
					a.emit(Instruction{Code: opAnd, K: c.Mask}, next, next)
				}
				held = want
			}
			jt := next
			if k == len(rule.Conds)-1 {
				jt = labelAllow
			}
			jf := labelDefault
			at := a.emit(Instruction{Code: opJeq, K: c.Value}, jt, jf)
			if r < len(rules)-1 {
				toNextRule = append(toNextRule, at)
			}
		}
	}
}

// link turns labels and pending jumps into the classic BPF's forward offsets.
func (a *asm) link() ([]Instruction, error) {
	if len(a.prog) > 4096 {
		return nil, fmt.Errorf("program has %d instructions, more than BPF_MAXINSNS", len(a.prog))
	}
	targets := map[[2]int]int{}
	for _, p := range a.pending {
		targets[[2]int{p.at, btoi(p.isTrue)}] = p.target
	}
	for i := range a.prog {
		for b, j := range []int{a.jf[i], a.jt[i]} {
			target := i + 1 + j
			switch {
			case j == pending:
				target = targets[[2]int{i, b}]
			case j < 0:
				target = a.labels[j]
			}
			off := target - i - 1
			if off < 0 || off > 255 {
				return nil, fmt.Errorf("instruction %d: a jump of %d, outside classic BPF's 0..255", i, off)
			}
			if b == 1 {
				a.prog[i].Jt = uint8(off)
			} else {
				a.prog[i].Jf = uint8(off)
			}
		}
	}
	return a.prog, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Dump renders prog one instruction per line, with the syscall names, for the comments of
// assembled_amd64.go and for reading.
func Dump(prog []Instruction) string {
	// What the accumulator holds before each instruction, over every path that reaches it
	// (classic BPF jumps only forward, so one pass in order sees every predecessor first):
	// the offset of the last load, unknown (-1) when paths disagree or after an and.
	const unset, unknown = -2, -1
	holds := make([]int, len(prog)+256)
	for i := range holds {
		holds[i] = unset
	}
	holds[0] = unknown
	reach := func(i, v int) {
		switch holds[i] {
		case unset:
			holds[i] = v
		case v:
		default:
			holds[i] = unknown
		}
	}
	for i, in := range prog {
		v := holds[i]
		switch in.Code {
		case opLdAbs:
			reach(i+1, int(in.K))
		case opAnd:
			reach(i+1, unknown)
		case opTax:
			reach(i+1, v)
		case opJeq, opJge:
			reach(i+1+int(in.Jt), v)
			reach(i+1+int(in.Jf), v)
		case opRet:
		default:
			reach(i+1, unknown)
		}
	}
	var b strings.Builder
	for i, in := range prog {
		var s string
		switch in.Code {
		case opLdAbs:
			s = fmt.Sprintf("ld  [%d]", in.K)
			switch {
			case in.K == offNr:
				s += "            ; nr"
			case in.K == offArch:
				s += "            ; arch"
			case in.K >= offArgs:
				s += fmt.Sprintf("           ; args[%d] low 32 bits", (in.K-offArgs)/8)
			}
		case opJeq, opJge:
			op := "jeq"
			if in.Code == opJge {
				op = "jge"
			}
			s = fmt.Sprintf("%s #%#x, %d, %d", op, in.K, i+1+int(in.Jt), i+1+int(in.Jf))
			if in.Code == opJeq && holds[i] == offNr {
				if name := syscallName(in.K); name != "" {
					s += " ; " + name
				}
			}
		case opAnd:
			s = fmt.Sprintf("and #%#x", in.K)
		case opTax:
			s = "tax"
		case opRet:
			s = "ret " + actionName(in.K)
		default:
			s = fmt.Sprintf("op %#x jt %d jf %d k %#x", in.Code, in.Jt, in.Jf, in.K)
		}
		fmt.Fprintf(&b, "%3d: %s\n", i, s)
	}
	return b.String()
}

// actionName names a seccomp return value.
func actionName(k uint32) string {
	switch {
	case k == RetAllow:
		return "ALLOW"
	case k == RetKillProcess:
		return "KILL_PROCESS"
	case k == RetLog:
		return "LOG"
	case k&0xffff0000 == RetErrno:
		return fmt.Sprintf("ERRNO(%d)", k&0xffff)
	}
	return fmt.Sprintf("%#x", k)
}
