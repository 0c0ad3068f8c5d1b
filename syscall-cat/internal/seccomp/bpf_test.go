package seccomp

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// policyPath is the module's real policy, the one assembled_amd64.go is generated from.
const policyPath = "../../seccomp.policy"

func loadPolicy(t testing.TB) *Policy {
	t.Helper()
	text, err := os.ReadFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(string(text))
	if err != nil {
		t.Fatalf("parse %s: %v", policyPath, err)
	}
	return p
}

// data is struct seccomp_data.
type data struct {
	nr   uint32
	arch uint32
	args [6]uint64
}

func (d data) bytes() []byte {
	b := make([]byte, 64)
	binary.LittleEndian.PutUint32(b[0:], d.nr)
	binary.LittleEndian.PutUint32(b[4:], d.arch)
	for i, a := range d.args {
		binary.LittleEndian.PutUint64(b[16+8*i:], a)
	}
	return b
}

// interpret runs prog over d the way the kernel's classic BPF interpreter does, for the
// instructions Assemble emits; anything else fails the test rather than guessing.
func interpret(t *testing.T, prog []Instruction, d data) uint32 {
	t.Helper()
	mem := d.bytes()
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case opLdAbs:
			if in.K%4 != 0 || int(in.K)+4 > len(mem) {
				t.Fatalf("pc %d: load outside seccomp_data at %d", pc, in.K)
			}
			a = binary.LittleEndian.Uint32(mem[in.K:])
		case opAnd:
			a &= in.K
		case opTax: // X = A; nothing reads X
		case opJeq, opJge:
			taken := a == in.K
			if in.Code == opJge {
				taken = a >= in.K
			}
			if taken {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case opRet:
			return in.K
		default:
			t.Fatalf("pc %d: unexpected opcode %#x", pc, in.Code)
		}
	}
	t.Fatalf("program ran off its end for %+v", d)
	return 0
}

const (
	nrRead, nrOpenat, nrSocket, nrClone, nrFcntl, nrIoctl, nrRtSigaction = 0, 257, 41, 56, 72, 16, 13
	oRdonly, oWronly, oRdwr, oCreat, oTrunc, oAppend, oCloexec           = 0, 1, 2, 0x40, 0x200, 0x400, 0x80000
	oTmpfile                                                             = 0x400000 | 0x10000 // __O_TMPFILE | O_DIRECTORY
	threadFlags                                                          = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000
	sigchld                                                              = 17
)

func TestFilterDecisions(t *testing.T) {
	p := loadPolicy(t)
	x86 := uint32(auditArchX8664)
	const (
		allow = iota // RetAllow in every mode
		deflt        // the mode's action for an unlisted call
		kill         // RetKillProcess in every mode: foreign arch, x32
	)
	cases := []struct {
		name string
		d    data
		want int
	}{
		{"read", data{nr: nrRead, arch: x86}, allow},
		{"foreign arch (i386 read)", data{nr: 3, arch: 0x40000003}, kill},
		{"x32 read", data{nr: x32SyscallBit | nrRead, arch: x86}, kill},
		{"socket", data{nr: nrSocket, arch: x86}, deflt},
		{"execve", data{nr: 59, arch: x86}, deflt},
		{"openat read-only", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oRdonly | oCloexec}}, allow},
		{"openat write-only", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oWronly}}, deflt},
		{"openat read-write", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oRdwr | oCloexec}}, deflt},
		{"openat create", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oRdonly | oCreat}}, deflt},
		{"openat truncate", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oTrunc}}, deflt},
		{"openat append", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oAppend}}, deflt},
		{"openat tmpfile", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, oTmpfile | oRdonly}}, deflt},
		{"openat high half ignored", data{nr: nrOpenat, arch: x86, args: [6]uint64{0, 0, 1 << 40}}, allow},
		{"clone thread", data{nr: nrClone, arch: x86, args: [6]uint64{threadFlags}}, allow},
		{"clone process (fork)", data{nr: nrClone, arch: x86, args: [6]uint64{sigchld}}, deflt},
		{"clone3", data{nr: 435, arch: x86}, deflt},
		{"fcntl F_GETFL", data{nr: nrFcntl, arch: x86, args: [6]uint64{1, 3}}, allow},
		{"fcntl F_SETPIPE_SZ", data{nr: nrFcntl, arch: x86, args: [6]uint64{4, 1031, 1 << 20}}, allow},
		{"fcntl F_SETFL", data{nr: nrFcntl, arch: x86, args: [6]uint64{0, 4}}, deflt},
		{"ioctl TCGETS", data{nr: nrIoctl, arch: x86, args: [6]uint64{1, 0x5401}}, allow},
		{"ioctl TIOCSTI", data{nr: nrIoctl, arch: x86, args: [6]uint64{0, 0x5412}}, deflt},
		{"rt_sigaction SIGPIPE", data{nr: nrRtSigaction, arch: x86, args: [6]uint64{13}}, allow},
		{"rt_sigaction SIGINT (the runtime dies by it)", data{nr: nrRtSigaction, arch: x86, args: [6]uint64{2}}, allow},
		{"rt_sigaction SIGTERM", data{nr: nrRtSigaction, arch: x86, args: [6]uint64{15}}, allow},
		{"rt_sigaction SIGSEGV", data{nr: nrRtSigaction, arch: x86, args: [6]uint64{11}}, deflt},
		{"rt_sigaction SIGSYS", data{nr: nrRtSigaction, arch: x86, args: [6]uint64{31}}, deflt},
	}
	for _, mode := range []Mode{ModeKill, ModeLog, ModeErrno} {
		prog, err := p.Assemble(mode)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want := map[int]uint32{allow: RetAllow, deflt: mode.action(), kill: RetKillProcess}[c.want]
			if got := interpret(t, prog, c.d); got != want {
				t.Errorf("mode %d, %s: filter returns %s, want %s", mode, c.name, actionName(got), actionName(want))
			}
		}
	}
}

// TestFilterCoversPolicyExactly checks every system call number: a policy entry without
// conditions is allowed, every number outside the policy gets the default action.
func TestFilterCoversPolicyExactly(t *testing.T) {
	p := loadPolicy(t)
	prog, err := p.Assemble(ModeKill)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[uint32]bool{}
	for _, r := range p.Rules {
		listed[r.Nr] = true
		if len(r.Conds) == 0 {
			if got := interpret(t, prog, data{nr: r.Nr, arch: auditArchX8664}); got != RetAllow {
				t.Errorf("%s (line %d): %s, want ALLOW", r.Name, r.Line, actionName(got))
			}
			continue
		}
		// Arguments meeting every condition of this rule are allowed.
		var d data
		d.nr, d.arch = r.Nr, auditArchX8664
		for _, c := range r.Conds {
			d.args[c.Arg] = uint64(c.Value)
		}
		if got := interpret(t, prog, d); got != RetAllow {
			t.Errorf("%s (line %d) with %v: %s, want ALLOW", r.Name, r.Line, d.args, actionName(got))
		}
	}
	for nr := uint32(0); nr < 1024; nr++ {
		if listed[nr] {
			continue
		}
		if got := interpret(t, prog, data{nr: nr, arch: auditArchX8664}); got != RetKillProcess {
			t.Errorf("unlisted syscall %d: %s, want KILL_PROCESS", nr, actionName(got))
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"no reason", "read\n", "has no reason"},
		{"empty reason", "read #\n", "has no reason"},
		{"unknown syscall", "frobnicate # why\n", "unknown system call"},
		{"bad condition", "openat arg2 < 3 # why\n", "want \"argN == V\""},
		{"bad argument", "openat arg9 == 3 # why\n", "not arg0..arg5"},
		{"bad value", "openat arg2 == O_BOGUS # why\n", "not a number or known symbol"},
		{"impossible", "openat arg2 & 1 == 2 # why\n", "can never hold"},
		{"duplicate unconditional", "read # a\nread # b\n", "already allowed"},
		{"empty", "# nothing\n", "empty policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.text)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse(%q) = %v, want an error containing %q", c.text, err, c.want)
			}
		})
	}
}

func TestEveryRuleHasAReason(t *testing.T) {
	for _, r := range loadPolicy(t).Rules {
		if len(r.Reason) < 10 {
			t.Errorf("%s (line %d): reason %q says too little", r.Name, r.Line, r.Reason)
		}
	}
}
