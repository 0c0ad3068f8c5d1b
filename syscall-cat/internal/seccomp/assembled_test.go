package seccomp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAssembledMatchesPolicy regenerates assembled_amd64.go from seccomp.policy with the
// generator (./assemble) and fails when the committed file differs, so the filter the cat
// installs is the policy as written. `go generate ./internal/seccomp` rewrites it.
func TestAssembledMatchesPolicy(t *testing.T) {
	fresh := filepath.Join(t.TempDir(), "assembled_amd64.go")
	if out, err := exec.Command("go", "run", "./assemble", policyPath, fresh).CombinedOutput(); err != nil {
		t.Fatalf("go run ./assemble: %v\n%s", err, out)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
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
