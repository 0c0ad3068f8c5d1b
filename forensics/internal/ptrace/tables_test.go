package ptrace

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTablesGenerated: ztables_linux.go is what gentables.go writes from the x/sys release in
// go.mod; a changed list or a new x/sys fails here until `go generate` is run.
func TestTablesGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ztables_linux.go")
	if msg, err := exec.Command("go", "run", "gentables.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gentables.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("ztables_linux.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("ztables_linux.go differs from what gentables.go writes: run go generate in internal/ptrace")
	}
}
