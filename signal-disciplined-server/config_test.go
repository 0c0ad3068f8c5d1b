package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kernel-foundations/signal-disciplined-server/internal/loop"
)

func TestReadConfig(t *testing.T) {
	base := loop.Limits{MaxConns: 7, DrainTimeout: 30 * time.Second, DrainIdle: 500 * time.Millisecond}
	for _, tc := range []struct {
		name, text string
		want       loop.Limits
		err        string
	}{
		{"empty keeps the flags", "", base, ""},
		{"comments and blanks", "# limits\n\n  max-conns 100  # more\n", loop.Limits{MaxConns: 100, DrainTimeout: 30 * time.Second, DrainIdle: 500 * time.Millisecond}, ""},
		{"all three", "max-conns 0\ndrain-timeout 1m\ndrain-idle 2s\n", loop.Limits{DrainTimeout: time.Minute, DrainIdle: 2 * time.Second}, ""},
		{"unknown name", "listen 1.2.3.4:5\n", base, `:1: unknown setting "listen"`},
		{"tab separated", "max-conns\t9\n", loop.Limits{MaxConns: 9, DrainTimeout: 30 * time.Second, DrainIdle: 500 * time.Millisecond}, ""},
		{"bad value", "max-conns many\n", base, ":1: max-conns: parse error"},
		{"two values", "\nmax-conns 1 2\n", base, `:2: want "max-conns VALUE"`},
		{"no value", "drain-idle\n", base, `:1: want "drain-idle VALUE"`},
		{"bad duration", "drain-idle soon\n", base, ":1: drain-idle: parse error"},
		{"negative", "max-conns -1\n", base, "max-conns -1: want 0 or more"},
		{"zero timeout", "drain-timeout 0s\n", base, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "limits")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readConfig(path, base)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("readConfig(%q) error = %v, want one containing %q", tc.text, err, tc.err)
				}
				if got != base {
					t.Errorf("readConfig(%q) on error = %+v, want the old limits %+v", tc.text, got, base)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("readConfig(%q) = %+v, %v; want %+v", tc.text, got, err, tc.want)
			}
		})
	}
}
