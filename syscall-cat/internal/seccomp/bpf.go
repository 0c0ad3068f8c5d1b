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
func (p *Policy) Assemble(mode Mode) ([]Instruction, error) {
	deflt := mode.action()
	prog := []Instruction{
		{Code: opLdAbs, K: offArch},
		{Code: opJeq, Jt: 1, K: auditArchX8664},
		{Code: opRet, K: RetKillProcess},
		{Code: opLdAbs, K: offNr},
		{Code: opJge, Jf: 1, K: x32SyscallBit},
		{Code: opRet, K: RetKillProcess},
	}
	for i := 0; i < len(p.Rules); {
		j := i
		for j < len(p.Rules) && p.Rules[j].Nr == p.Rules[i].Nr {
			j++
		}
		block := groupBlock(p.Rules[i:j], deflt)
		if len(block) > 255 {
			return nil, fmt.Errorf("%s: %d instructions of argument checks, more than a BPF jump spans", p.Rules[i].Name, len(block))
		}
		prog = append(prog, Instruction{Code: opJeq, Jf: uint8(len(block)), K: p.Rules[i].Nr})
		prog = append(prog, block...)
		i = j
	}
	prog = append(prog, Instruction{Code: opRet, K: deflt})
	if len(prog) > 4096 {
		return nil, fmt.Errorf("program has %d instructions, more than BPF_MAXINSNS", len(prog))
	}
	return prog, nil
}

// groupBlock is the code run once the number matched: the rules' alternatives in order, each
// falling through to the next when a condition fails, then the default action.
func groupBlock(rules []Rule, deflt uint32) []Instruction {
	var b []Instruction
	for _, r := range rules {
		if len(r.Conds) == 0 {
			return []Instruction{{Code: opRet, K: RetAllow}}
		}
		alt := make([][]Instruction, len(r.Conds))
		for k, c := range r.Conds {
			alt[k] = []Instruction{{Code: opLdAbs, K: uint32(offArgs + 8*c.Arg)}}
			if c.Mask != 0xffffffff {
				alt[k] = append(alt[k], Instruction{Code: opAnd, K: c.Mask})
			}
			alt[k] = append(alt[k], Instruction{Code: opJeq, K: c.Value})
		}
		// Each failing jeq skips the rest of its alternative, the final "ret allow" included.
		rest := 1
		for k := len(alt) - 1; k >= 0; k-- {
			alt[k][len(alt[k])-1].Jf = uint8(rest)
			rest += len(alt[k])
		}
		for _, a := range alt {
			b = append(b, a...)
		}
		b = append(b, Instruction{Code: opRet, K: RetAllow})
	}
	return append(b, Instruction{Code: opRet, K: deflt})
}

// Dump renders prog one instruction per line, with the syscall names, for the comments of
// assembled_amd64.go and for reading.
func Dump(prog []Instruction) string {
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
			// A comparison right after "ld [0]" or after a ret (the previous group's end) is
			// against the system call number.
			if prev := prog[max(i-1, 0)]; i > 0 && in.Code == opJeq && (prev.Code == opRet || prev.Code == opLdAbs && prev.K == offNr) {
				if name := syscallName(in.K); name != "" {
					s += " ; " + name
				}
			}
		case opAnd:
			s = fmt.Sprintf("and #%#x", in.K)
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
