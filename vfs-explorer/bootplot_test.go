package main

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The whole-boot trace of a guest (RUNBOOK section 1): docs/vm-boot-KERNEL.txt is what
// `make -C vfs-explorer vm-boot-trace` captured in the guest (systemd-analyze and the kernel's
// own timestamps); docs/vm-boot-KERNEL.svg is drawn from it by bootPlot, deterministically, so
// TestEvidenceVMBootPlot redraws it and fails when the committed copy drifts
// (EVIDENCE_UPDATE=1 rewrites it).

// bootSpan is one bar: a phase or a unit of the critical chain.
type bootSpan struct {
	name       string
	start, end float64 // seconds since the kernel started
	phase      bool
}

var (
	dmesgTime    = regexp.MustCompile(`^\[\s*(\d+\.\d+)\] (.*)$`)
	chainLine    = regexp.MustCompile("^[\\s|│└├─]*(?:`-)?(\\S+) @(\\S+?)(?: \\+(\\S+))?$") // LC_ALL=C draws the tree with ` and -
	analyzeTotal = regexp.MustCompile(`Startup finished in .*\+ (.+?) \(userspace\)`)
)

// parseDuration reads systemd's spans: "1min 2.5s", "8.627s", "87ms".
func parseDuration(s string) (float64, error) {
	var total float64
	for _, part := range strings.Fields(s) {
		i := strings.IndexFunc(part, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, fmt.Errorf("duration %q: no unit", s)
		}
		num, unit := part[:i], part[i:]
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		switch unit {
		case "ms":
			v /= 1000
		case "s":
		case "min":
			v *= 60
		case "us", "µs":
			v /= 1e6
		default:
			return 0, fmt.Errorf("duration %q: unit %q", s, unit)
		}
		total += v
	}
	return total, nil
}

// bootSpans reads a vm-boot trace: the phases from the kernel's timestamps (kernel until
// "Run /init", the initrd until the real root's systemd starts, userspace until systemd says
// startup finished) and the critical chain's units, placed on the same clock (systemd counts
// from its own start in the real root).
func bootSpans(trace string) ([]bootSpan, error) {
	var initrd, systemd float64 = -1, -1
	var chain []bootSpan
	section := ""
	var total float64 = -1
	for _, l := range strings.Split(trace, "\n") {
		if strings.HasPrefix(l, "$ ") {
			section = l
			continue
		}
		if m := analyzeTotal.FindStringSubmatch(l); m != nil {
			t, err := parseDuration(m[1])
			if err != nil {
				return nil, err
			}
			total = t // systemd's userspace, from its own start in the real root
		}
		if m := dmesgTime.FindStringSubmatch(l); m != nil {
			t, _ := strconv.ParseFloat(m[1], 64)
			switch {
			case strings.Contains(m[2], "Run /init as init process") && initrd < 0:
				initrd = t
			case strings.Contains(m[2], "running in system mode") && systemd < 0:
				systemd = t
			}
		}
		if strings.Contains(section, "critical-chain") {
			if m := chainLine.FindStringSubmatch(l); m != nil {
				at, err := parseDuration(m[2])
				if err != nil {
					return nil, err
				}
				d := 0.0
				if m[3] != "" {
					if d, err = parseDuration(m[3]); err != nil {
						return nil, err
					}
				}
				chain = append(chain, bootSpan{name: m[1], start: at, end: at + d})
			}
		}
	}
	if initrd < 0 || systemd < 0 || total < 0 || len(chain) == 0 {
		return nil, fmt.Errorf("trace lacks a phase: initrd %v, systemd %v, total %v, %d chain units", initrd, systemd, total, len(chain))
	}
	spans := []bootSpan{
		{name: "kernel", start: 0, end: initrd, phase: true},
		{name: "initrd (initramfs-tools)", start: initrd, end: systemd, phase: true},
		{name: "userspace (systemd)", start: systemd, end: systemd + total, phase: true},
	}
	// The chain prints the target first; draw it in start order. systemd's clock starts at its
	// own start, which the kernel's clock puts at systemd.
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i]
		c.start += systemd
		c.end += systemd
		spans = append(spans, c)
	}
	return spans, nil
}

// bootPlot draws the spans as an SVG timeline, one row each, with a second grid: phases with
// their length, units with +their start-up time or, when they took none, @when they were
// reached (seconds since the kernel started).
func bootPlot(title string, spans []bootSpan) string {
	const left, row, width = 330.0, 18.0, 560.0
	end := 0.0
	for _, s := range spans {
		end = max(end, s.end)
	}
	scale := width / end
	h := 40 + row*float64(len(spans)) + 20
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="monospace" font-size="11">`+"\n", left+width+110, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="16" font-size="13">%s</text>`+"\n", html.EscapeString(title))
	for sec := 0; float64(sec) <= end; sec++ {
		x := left + float64(sec)*scale
		fmt.Fprintf(&b, `<line x1="%.1f" y1="28" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, x, h-16)
		if sec%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#666" text-anchor="middle">%ds</text>`+"\n", x, h-4, sec)
		}
	}
	for i, s := range spans {
		y := 36 + row*float64(i)
		color := "#7aa6d6"
		if s.phase {
			color = []string{"#e07a5f", "#f2cc8f", "#81b29a"}[i%3]
		}
		w := max((s.end-s.start)*scale, 1.5)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+11, html.EscapeString(s.name))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`+"\n", left+s.start*scale, y, w, row-4, color)
		label := fmt.Sprintf("%.3fs", s.end-s.start)
		switch {
		case !s.phase && s.end > s.start:
			label = "+" + label
		case !s.phase:
			label = fmt.Sprintf("@%.3fs", s.start)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#333">%s</text>`+"\n", left+s.start*scale+w+4, y+11, label)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// TestEvidenceVMBootPlot redraws each docs/vm-boot-*.svg from its trace and compares.
func TestEvidenceVMBootPlot(t *testing.T) {
	traces, _ := filepath.Glob(filepath.Join("docs", "vm-boot-*.txt"))
	if len(traces) == 0 {
		t.Fatal("no docs/vm-boot-*.txt")
	}
	for _, tr := range traces {
		b, err := os.ReadFile(tr)
		if err != nil {
			t.Fatal(err)
		}
		spans, err := bootSpans(string(b))
		if err != nil {
			t.Fatalf("%s: %v", tr, err)
		}
		kernel := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(tr), "vm-boot-"), ".txt")
		svg := bootPlot(fmt.Sprintf("Debian %s kernel booted under QEMU (TCG), from %s", kernel, filepath.Base(tr)), spans)
		path := strings.TrimSuffix(tr, ".txt") + ".svg"
		if os.Getenv("EVIDENCE_UPDATE") == "1" {
			if err := os.WriteFile(path, []byte(svg), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if old, err := os.ReadFile(path); err != nil || string(old) != svg {
			t.Errorf("%s differs from what %s draws (EVIDENCE_UPDATE=1 go test -run TestEvidenceVMBootPlot rewrites it): %v", path, tr, err)
		}
	}
}
