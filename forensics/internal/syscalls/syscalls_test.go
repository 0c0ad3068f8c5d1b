//go:build linux && amd64

package syscalls

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestName(t *testing.T) {
	for _, tc := range []struct {
		nr   uint64
		want string
	}{
		{0, "read"},
		{59, "execve"},
		{231, "exit_group"},
		{262, "newfstatat"},
		{435, "clone3"},
		{100000, "syscall_0x186a0"},
	} {
		if got := Name(tc.nr); got != tc.want {
			t.Errorf("Name(%d) = %q, want %q", tc.nr, got, tc.want)
		}
	}
	if nr, ok := Number("wait4"); !ok || nr != 61 {
		t.Errorf("Number(wait4) = %d, %v, want 61, true", nr, ok)
	}
}

// TestTableIsGenerated regenerates the table from the x/sys version in go.mod and compares it
// with the committed file: a hand edit, or an x/sys upgrade without `go generate`, fails here.
func TestTableIsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "z.go")
	if b, err := exec.Command("go", "run", "gen.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("zsysnames_linux_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("zsysnames_linux_amd64.go differs from what gen.go writes: run go generate in internal/syscalls")
	}
}
