package main

import (
	"os"
	"testing"
)

// skipf skips the test with its reason, unless KF_NO_SKIP=1 (exported by .ci/run): the CI
// machine has every feature these tests use, so there a skip would hide a defect and fails the
// test instead. Reasons name what was tried and the error seen (STYLE.md, Tests).
func skipf(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("KF_NO_SKIP") == "1" {
		t.Fatalf("skip forbidden by KF_NO_SKIP=1: "+format, args...)
	}
	t.Skipf(format, args...)
}
