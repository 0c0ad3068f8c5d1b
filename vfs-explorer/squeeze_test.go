package main

import (
	"strings"
	"testing"
)

func TestSqueezeWriter(t *testing.T) {
	for _, tc := range []struct {
		in  []string // successive writes
		out string
	}{
		{[]string{"a\nb\n"}, "a\nb\n"},
		{[]string{"a\n\nb\n"}, "a\n\nb\n"},
		{[]string{"a\n\n\n\n\nb\n\n\n"}, "a\n\nb\n\n"},
		{[]string{"a\n", "\n", "\n", "\n", "b"}, "a\n\nb"},
		{[]string{"\n\n\n"}, "\n\n"},
	} {
		var sb strings.Builder
		w := &squeezeWriter{w: &sb}
		for _, s := range tc.in {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("Write(%q) = %d, %v", s, n, err)
			}
		}
		if got := sb.String(); got != tc.out {
			t.Errorf("squeeze(%q) = %q, want %q", tc.in, got, tc.out)
		}
	}
}
