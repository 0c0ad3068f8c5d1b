package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// analyze runs `systemd-analyze security --offline=yes` on a unit file of this module.
func analyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		skipf(t, "%v (Debian package systemd)", err)
	}
	out, err := exec.Command("systemd-analyze", append([]string{"security", "--offline=yes", "--no-pager"}, args...)...).CombinedOutput()
	return string(out), err
}

func overall(t *testing.T, out, unit string) float64 {
	t.Helper()
	m := regexp.MustCompile(`Overall exposure level for ` + regexp.QuoteMeta(unit) + `: ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no overall exposure for %s in:\n%s", unit, out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSecurityScore holds the hardened unit to the exposure SECURITY.md documents:
// --threshold= takes the score times ten and makes systemd-analyze exit 1 when the unit is above.
func TestSecurityScore(t *testing.T) {
	documented := documentedExposure(t)
	if documented > 0.2 {
		t.Errorf("SECURITY.md documents %.1f, above the 0.2 a socket-activated service can reach", documented)
	}
	for _, threshold := range []string{strconv.Itoa(int(documented*10 + 0.5)), "2"} {
		t.Run("threshold="+threshold, func(t *testing.T) {
			out, err := analyze(t, "--threshold="+threshold, "systemd/hardened-echo.service")
			if err != nil {
				t.Errorf("hardened-echo.service above --threshold=%s: %v\n%s", threshold, err, lastLines(out, 25))
			}
		})
	}
	// The check can fail: below the documented value, systemd-analyze must refuse the unit.
	t.Run("threshold below the score fails", func(t *testing.T) {
		below := int(documented*10+0.5) - 1
		_, err := analyze(t, fmt.Sprintf("--threshold=%d", below), "systemd/hardened-echo.service")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("--threshold=%d: %v, want exit status 1", below, err)
		}
	})
	t.Run("baseline far worse", func(t *testing.T) {
		out, err := analyze(t, "systemd/hardened-echo-baseline.service")
		if err != nil {
			t.Fatal(err)
		}
		if got := overall(t, out, "hardened-echo-baseline.service"); got < 9 {
			t.Errorf("baseline exposure %.1f, want the unhardened 9 or more", got)
		}
	})
}

// TestSecurityMarkdownCurrent checks SECURITY.md holds exactly today's tables, so the document
// and the units cannot drift apart: `make -C hardened-echo score` regenerates it.
func TestSecurityMarkdownCurrent(t *testing.T) {
	doc, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range []string{"hardened-echo.service", "hardened-echo-baseline.service"} {
		out, err := analyze(t, "systemd/"+unit)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "```\n"+out+"```\n") {
			t.Errorf("SECURITY.md does not hold the current table for %s: run make -C hardened-echo score", unit)
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
