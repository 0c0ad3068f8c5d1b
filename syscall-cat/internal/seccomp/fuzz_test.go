package seccomp

import (
	"os"
	"strings"
	"testing"
)

// FuzzPolicy feeds arbitrary text to the policy parser. Parse must never panic, and every policy
// it accepts must assemble, in every mode, to a program the kernel's checker would take (known
// opcodes, every jump inside the program, loads inside seccomp_data, a return at the end) and
// that the in-test interpreter runs to the decision the policy's own meaning gives: allow when
// some rule for the number has all its conditions true, the mode's action otherwise, and kill
// for a foreign architecture or an x32 number. The decisions are checked on argument values
// built to meet each rule, and on values from the fuzzer.
func FuzzPolicy(f *testing.F) {
	text, err := os.ReadFile(policyPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(text), uint64(0), uint64(0))
	for _, s := range []string{
		"read # r\n",
		"openat arg2 & O_WRONLY|O_RDWR == 0 # ro\nopenat arg2 == 0x80000 # x\n",
		"fcntl arg1 == F_GETFL # a\nfcntl arg1 == 3 && arg0 == 1 # b\n",
		"read # a\nread # b\n",
		"openat arg2 & 1 == 2 # never\n",
		"ioctl arg1 == TCGETS && arg1 == 1 # contradiction\n",
		"mmap arg0 & 0 == 0 # always\n",
		"write arg0 == 1 && arg1 == 2 && arg2 == 3 && arg3 == 4 && arg4 == 5 && arg5 == 6 # all\n",
	} {
		f.Add(s, uint64(1), uint64(0xffffffff00000001))
	}
	f.Fuzz(func(t *testing.T, text string, a, b uint64) {
		p, err := Parse(text)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse error spans lines: %q", err)
			}
			return
		}
		for _, mode := range []Mode{ModeKill, ModeLog, ModeErrno} {
			prog, err := p.Assemble(mode)
			if err != nil {
				continue // too large for BPF: refused by name, not a broken program
			}
			checkProgram(t, prog)
			deflt := mode.action()
			for _, r := range p.Rules {
				d := data{nr: r.Nr, arch: auditArchX8664}
				for _, c := range r.Conds {
					d.args[c.Arg] = d.args[c.Arg]&^uint64(c.Mask) | uint64(c.Value)
				}
				d.args[0] ^= a &^ 0xffffffff // the high halves never matter
				checkDecision(t, p, prog, d, deflt)
				// The same call with the fuzzer's arguments, and with one condition broken.
				for i := range d.args {
					d.args[i] ^= a*uint64(i+1) ^ b
				}
				checkDecision(t, p, prog, d, deflt)
			}
			for _, d := range []data{
				{nr: uint32(a), arch: auditArchX8664, args: [6]uint64{b, a, b, a, b, a}},
				{nr: uint32(a) | x32SyscallBit, arch: auditArchX8664},
				{nr: uint32(b), arch: uint32(a >> 32)},
			} {
				checkDecision(t, p, prog, d, deflt)
			}
		}
	})
}

// checkProgram is the part of the kernel's bpf_check_classic (net/core/filter.c) and
// seccomp_check_filter (kernel/seccomp.c) that Assemble's output can meet.
func checkProgram(t *testing.T, prog []Instruction) {
	t.Helper()
	if len(prog) == 0 || len(prog) > 4096 {
		t.Fatalf("program of %d instructions", len(prog))
	}
	for pc, in := range prog {
		switch in.Code {
		case opLdAbs:
			if in.K%4 != 0 || in.K+4 > 64 {
				t.Fatalf("pc %d: load at %d, outside seccomp_data", pc, in.K)
			}
		case opAnd, opRet, opTax:
		case opJeq, opJge:
			if pc+1+int(in.Jt) >= len(prog) || pc+1+int(in.Jf) >= len(prog) {
				t.Fatalf("pc %d: jump past the end of %d instructions", pc, len(prog))
			}
		default:
			t.Fatalf("pc %d: opcode %#x", pc, in.Code)
		}
	}
	if prog[len(prog)-1].Code != opRet {
		t.Fatalf("last instruction %+v is not a return", prog[len(prog)-1])
	}
}

// checkDecision compares the program's decision on d with the policy's meaning.
func checkDecision(t *testing.T, p *Policy, prog []Instruction, d data, deflt uint32) {
	t.Helper()
	want := deflt
	switch {
	case d.arch != auditArchX8664, d.nr >= x32SyscallBit:
		want = RetKillProcess
	default:
		for _, r := range p.Rules {
			if r.Nr == d.nr && holds(r, d) {
				want = RetAllow
				break
			}
		}
	}
	if got := interpret(t, prog, d); got != want {
		t.Fatalf("nr %d arch %#x args %#x: program says %s, the policy %s\n%s", d.nr, d.arch, d.args, actionName(got), actionName(want), Dump(prog))
	}
}

func holds(r Rule, d data) bool {
	for _, c := range r.Conds {
		if uint32(d.args[c.Arg])&c.Mask != c.Value {
			return false
		}
	}
	return true
}
