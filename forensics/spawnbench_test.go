package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSpawnbenchShape runs a tiny spawnbench (small ballast, few runs) and checks the shape of
// what it prints and draws, not the timings: those belong to `make bench`.
func TestSpawnbenchShape(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "spawn.svg")
	cmd := exec.Command(binPath, "spawnbench", "-rss", "0,16M", "-runs", "3", "-warmup", "1", "-svg", svg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("spawnbench: %v\nstderr:\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Fatalf("spawnbench printed %d lines, want title, header and 2 rows:\n%s", len(lines), out)
	}
	header := strings.Fields(lines[1])
	wantHeader := []string{"ballast", "VmRSS", "fork", "vfork", "clone3", "forkexec", "os/exec", "fork/vfork"}
	if strings.Join(header, " ") != strings.Join(wantHeader, " ") {
		t.Errorf("header = %q, want %q", header, wantHeader)
	}
	cell := `\d+ \[\d+-\d+\]`
	row := regexp.MustCompile(`^(\d+)MiB +(\d+)MiB +` + strings.Repeat(`(`+cell+`) +`, 5) + `\d+\.\dx$`)
	for i, want := range []string{"0", "16"} {
		m := row.FindStringSubmatch(lines[2+i])
		if m == nil {
			t.Errorf("row %d = %q, does not match %v", i, lines[2+i], row)
			continue
		}
		if m[1] != want {
			t.Errorf("row %d ballast = %sMiB, want %sMiB", i, m[1], want)
		}
	}

	f, err := os.Open(svg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc struct {
		XMLName   xml.Name `xml:"svg"`
		Polylines []struct {
			Points string `xml:"points,attr"`
			Title  string `xml:"title"`
		} `xml:"polyline"`
	}
	if err := xml.NewDecoder(f).Decode(&doc); err != nil {
		t.Fatalf("%s is not well-formed SVG: %v", svg, err)
	}
	var titles []string
	for _, p := range doc.Polylines {
		titles = append(titles, p.Title)
		if n := len(strings.Fields(p.Points)); n != 2 {
			t.Errorf("series %s has %d points, want 2 (one per ballast level)", p.Title, n)
		}
	}
	if got, want := strings.Join(titles, ","), "fork,vfork,clone3,forkexec,os/exec"; got != want {
		t.Errorf("SVG series = %s, want %s", got, want)
	}
}

// TestSpawnbenchExitChild: with -child exit only the raw modes can run (Go's spawners always
// exec); the others are shown as "-".
func TestSpawnbenchExitChild(t *testing.T) {
	out, err := exec.Command(binPath, "spawnbench", "-rss", "0", "-runs", "2", "-child", "exit").Output()
	if err != nil {
		t.Fatalf("spawnbench -child exit: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out)
	}
	f := strings.Fields(lines[2])
	// ballast VmRSS, fork vfork clone3 ("median [p10-p90]": 2 fields each), forkexec "-", os/exec "-", ratio
	if len(f) != 2+3*2+2+1 || f[8] != "-" || f[9] != "-" {
		t.Errorf("row = %q, want three measured cells, two '-' and a ratio", lines[2])
	}
}

func TestSpawnbenchBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"descending sizes", []string{"-rss", "16M,0"}, "ascending"},
		{"bad size", []string{"-rss", "12Q"}, "bad size"},
		{"unknown mode", []string{"-modes", "posix_spawn"}, "unknown mode"},
		{"bad child", []string{"-child", "sleep"}, "-child must be"},
		{"zero runs", []string{"-runs", "0"}, "-runs"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
		// Refused before the benchmark runs: -runs 1000000 would take hours.
		{"svg in a missing directory", []string{"-runs", "1000000", "-svg", "/nonexistent/dir/chart.svg"}, "-svg: open /nonexistent/dir/.chart.svg.tmp"},
		{"svg is a directory", []string{"-runs", "1000000", "-svg", "/tmp"}, "-svg: /tmp is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(binPath, append([]string{"spawnbench"}, tc.args...)...).CombinedOutput()
			if err == nil {
				t.Fatalf("spawnbench %q succeeded, want an error:\n%s", tc.args, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("spawnbench %q said %q, want it to mention %q", tc.args, out, tc.want)
			}
		})
	}
}
