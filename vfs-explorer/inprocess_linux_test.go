package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// runInProcess calls run as main does, without the binary: list, show and workload are pure
// commands (files, /sys and the workload's own system calls), so the process adds nothing to
// test there. The binary is kept for what the process itself does: run, check, bench, signals.
func runInProcess(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, nil, &out, &errb)
	return out.String(), errb.String(), err
}

func TestPureCommandsInProcess(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		out, errs, err := runInProcess(t, "list", "-family", "tracepoint")
		if err != nil {
			t.Fatalf("list: %v\n%s", err, errs)
		}
		for _, name := range []string{"vfsstat", "opensnoop", "filelife", "writeback"} {
			if !strings.Contains(out, "\n"+name+" ") {
				t.Errorf("list -family tracepoint lacks %s:\n%s", name, out)
			}
		}
	})
	t.Run("show", func(t *testing.T) {
		out, errs, err := runInProcess(t, "show", "-family", "tracepoint", "vfsstat")
		if err != nil {
			t.Fatalf("show: %v\n%s", err, errs)
		}
		if !strings.HasPrefix(out, "// vfsstat: ") || !strings.Contains(out, "tracepoint:") {
			t.Errorf("show -family tracepoint vfsstat printed:\n%s", out)
		}
	})
	t.Run("workload", func(t *testing.T) {
		dir := t.TempDir()
		out, errs, err := runInProcess(t, "workload", "-dir", dir, "-json")
		if err != nil {
			t.Fatalf("workload: %v\n%s", err, errs)
		}
		var got struct {
			Pid    int    `json:"pid"`
			Creats int    `json:"creates"`
			Dir    string `json:"dir"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("workload -json: %v\n%s", err, out)
		}
		// In-process, the workload's system calls are this test process's own.
		if got.Pid != os.Getpid() || got.Creats == 0 || got.Dir != dir {
			t.Errorf("workload -json = %+v, want pid %d, files created in %s", got, os.Getpid(), dir)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad family", []string{"list", "-family", "uprobe"}, `unknown family "uprobe"`},
		{"unknown recipe", []string{"show", "-family", "tracepoint", "nosuch"}, `unknown recipe "nosuch"`},
		{"bad workload size", []string{"workload", "-size", "1000"}, "must be a multiple of chunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runInProcess(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
			if out != "" {
				t.Errorf("run(%q) printed %q to stdout with its error", tc.args, out)
			}
		})
	}
}
