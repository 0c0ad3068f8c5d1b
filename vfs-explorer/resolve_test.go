package main

import (
	"strings"
	"testing"
)

// TestResolveKprobes: alternatives take the first name the kernel has, SYS_x the syscall entry,
// an optional probe the kernel lacks leaves its list (the comma before it too when it was last),
// a required one it lacks is an error naming it; comments are not touched.
func TestResolveKprobes(t *testing.T) {
	ks := kernelSymbols{source: "test", has: map[string]bool{
		"vfs_read": true, "close_fd": true, "__x64_sys_fsync": true, "do_splice": true}}
	src := `// kprobe:file_close_fd in a comment
kprobe:vfs_read,
kprobe:file_close_fd|close_fd,
kprobe:vfs_copy_file_range?,
kprobe:SYS_fsync,
kprobe:do_sendfile?
/TRACED/ { @[probe] = count(); }
kretprobe:file_close_fd|close_fd { }
`
	got, notes, err := resolveKprobes(src, ks)
	if err != nil {
		t.Fatal(err)
	}
	want := `// kprobe:file_close_fd in a comment
kprobe:vfs_read,
kprobe:close_fd,
kprobe:__x64_sys_fsync
/TRACED/ { @[probe] = count(); }
kretprobe:close_fd { }
`
	if got != want {
		t.Errorf("resolved:\n%s\nwant:\n%s", got, want)
	}
	if len(notes) != 4 {
		t.Errorf("notes = %q, want 4 (two alternatives taken, two optional probes left out)", notes)
	}
	if _, _, err := resolveKprobes("kprobe:vfs_write|vfs_writev { }\n", ks); err == nil ||
		!strings.Contains(err.Error(), "kprobe:vfs_write|vfs_writev not in test") {
		t.Errorf("missing required probe: err = %v", err)
	}
	if _, _, err := resolveKprobes("kprobe:vfs_read, kprobe:nosuch? { }\n", ks); err == nil {
		t.Errorf("an optional probe sharing its line: no error")
	}
}
