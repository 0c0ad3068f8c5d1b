package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kernel-foundations/signal-disciplined-server/internal/loop"
)

// FuzzReadConfig gives readConfig arbitrary files over two different bases. An error leaves the
// base as it was and is one line. Accepted limits are what the same settings give as
// command-line flags through the server's own flag set, keep the base's value for every setting
// the file leaves out, and come back the same when written out as a config file and read again.
func FuzzReadConfig(f *testing.F) {
	for _, s := range []string{
		"", "# limits\n\n  max-conns 100  # more\n", "max-conns 0\ndrain-timeout 1m\ndrain-idle 2s\n",
		"listen 1.2.3.4:5\n", "max-conns\t9\n", "max-conns many\n", "\nmax-conns 1 2\n", "drain-idle\n",
		"max-conns -1\n", "drain-timeout 0s\n", "max-conns 0x10\r\ndrain-idle 1h2m3.5s\n", "max-conns 1_000\n",
		"drain-timeout 9223372036854775807ns\n", "max-conns 5#x\nmax-conns 6\n",
	} {
		f.Add(s)
	}
	path := filepath.Join(f.TempDir(), "limits")
	bases := []loop.Limits{
		{MaxConns: 7, DrainTimeout: 30 * time.Second, DrainIdle: 500 * time.Millisecond},
		{MaxConns: 0, DrainTimeout: time.Nanosecond, DrainIdle: time.Hour},
	}
	read := func(t *testing.T, text string, base loop.Limits) (loop.Limits, error) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return readConfig(path, base)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// The settings as the file's grammar names them, for the flag-set oracle and for which
		// settings the file leaves to the base.
		var args []string
		named := map[string]bool{}
		for _, line := range strings.Split(text, "\n") {
			line, _, _ = strings.Cut(line, "#")
			if fields := strings.Fields(line); len(fields) == 2 {
				args = append(args, "-"+fields[0]+"="+fields[1])
				named[fields[0]] = true
			}
		}
		for _, base := range bases {
			got, err := read(t, text, base)
			if err != nil {
				if got != base {
					t.Fatalf("readConfig(%q) failed (%v) and returned %+v, not the base %+v", text, err, got, base)
				}
				if strings.ContainsAny(err.Error(), "\n\r") {
					t.Fatalf("readConfig(%q): error spans lines: %q", text, err)
				}
				continue
			}
			fs := flag.NewFlagSet("oracle", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var l loop.Limits
			lf := addLimitFlags(fs, &l)
			l = base
			if err := fs.Parse(args); err != nil || lf.check(l) != nil || l != got {
				t.Fatalf("readConfig(%q) = %+v; the flags %q give %+v, %v", text, got, args, l, err)
			}
			for name, keep := range map[string]bool{
				"max-conns":     got.MaxConns == base.MaxConns,
				"drain-timeout": got.DrainTimeout == base.DrainTimeout,
				"drain-idle":    got.DrainIdle == base.DrainIdle,
			} {
				if !named[name] && !keep {
					t.Fatalf("readConfig(%q) = %+v: %s, not in the file, moved from the base %+v", text, got, name, base)
				}
			}
			out := fmt.Sprintf("max-conns %d\ndrain-timeout %v\ndrain-idle %v\n", got.MaxConns, got.DrainTimeout, got.DrainIdle)
			if again, err := read(t, out, bases[1]); err != nil || again != got {
				t.Fatalf("readConfig(%q) = %+v, written out as %q reads back as %+v, %v", text, got, out, again, err)
			}
		}
	})
}
