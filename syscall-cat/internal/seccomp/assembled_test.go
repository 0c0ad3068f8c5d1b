package seccomp

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite assembled_amd64.go from seccomp.policy")

// TestAssembledMatchesPolicy assembles seccomp.policy in each mode and fails when the committed
// assembled_amd64.go differs, so the filter the cat installs is the policy as written; with
// -update (go generate) it rewrites the file.
func TestAssembledMatchesPolicy(t *testing.T) {
	text, err := os.ReadFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generateGo(string(text), "seccomp.policy")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("assembled_amd64.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("assembled_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("assembled_amd64.go is not seccomp.policy assembled: run `go generate ./internal/seccomp` in syscall-cat")
	}
	p := loadPolicy(t)
	for m := ModeKill; m <= ModeErrno; m++ {
		prog, err := p.Assemble(m)
		if err != nil {
			t.Fatal(err)
		}
		if Dump(Program(m)) != Dump(prog) {
			t.Errorf("Program(%d) is not the policy assembled in that mode", m)
		}
	}
}

// generateGo assembles the policy in each mode and renders the programs as the Go source of
// assembled_amd64.go, each instruction commented with its Dump line.
func generateGo(policyText, policyName string) ([]byte, error) {
	p, err := Parse(policyText)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", policyName, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated from %s by TestAssembledMatchesPolicy (go generate, or go test -run TestAssembledMatchesPolicy -update); DO NOT EDIT.\n\n", policyName)
	b.WriteString("package seccomp\n\n")
	b.WriteString("// assembled is seccomp.policy assembled in each mode (Assemble), indexed by Mode.\n")
	b.WriteString("var assembled = [...][]Instruction{\n")
	for _, m := range []struct {
		mode Mode
		name string
	}{{ModeKill, "ModeKill"}, {ModeLog, "ModeLog"}, {ModeErrno, "ModeErrno"}} {
		prog, err := p.Assemble(m.mode)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", policyName, err)
		}
		fmt.Fprintf(&b, "%s: {\n", m.name)
		dump := strings.Split(strings.TrimSuffix(Dump(prog), "\n"), "\n")
		for i, in := range prog {
			fmt.Fprintf(&b, "{Code: %#04x, Jt: %d, Jf: %d, K: %#x}, // %s\n", in.Code, in.Jt, in.Jf, in.K, strings.TrimSpace(dump[i]))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
