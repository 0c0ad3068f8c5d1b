package gnu

import (
	"bytes"
	"errors"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"unicode"
)

// FuzzQuote compares Quote with GNU cat's own error line for a missing file of that name:
// "cat: NAME: No such file or directory" (or "File name too long"), NAME quoted by gnulib, in
// the C and the C.UTF-8 locale. Names with a '/' or a NUL cannot be a file name in the empty
// directory the cat runs in, "." and ".." exist there and "-" is standard input, so those are
// skipped. The fuzzer's cps are code points, three bytes each (modulo 0x110000), appended to
// the name as UTF-8: byte mutations of the name alone seldom make a valid four-byte sequence,
// and the character tables are where glibc and Go part (zglibcprint.go).
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "it's", "x\x01y", "q'\x01", "é", "\xc3", "a\xe2\x82", "日本",
		"\u00a0x", "#a", "a#", "~", "{", "{}", "a:b", "\t\n", "'", "\"'\"", "\u0378", "\U000E0001"} {
		f.Add(s, false, []byte(nil))
		f.Add(s, true, []byte(nil))
	}
	dir := f.TempDir()
	f.Add("x", true, []byte{0x01, 0xf6, 0x00})
	f.Add("", true, []byte{0x0e, 0x01, 0x00, 0x00, 0x03, 0x78})
	f.Fuzz(func(t *testing.T, name string, utf8 bool, cps []byte) {
		for ; len(cps) >= 3; cps = cps[3:] {
			name += string(rune(uint32(cps[0])<<16|uint32(cps[1])<<8|uint32(cps[2])) % (unicode.MaxRune + 1))
		}
		if strings.ContainsAny(name, "/\x00") || name == "." || name == ".." || name == "-" {
			t.Skip()
		}
		loc := "LC_ALL=C"
		if utf8 {
			loc = "LC_ALL=C.UTF-8"
		}
		cmd := &exec.Cmd{Path: "/usr/bin/cat", Args: []string{"cat", "--", name}}
		cmd.Dir, cmd.Env = dir, []string{loc}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		var ee *exec.ExitError
		if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("cat -- %q: %v, want exit status 1\n%s", name, err, stderr.Bytes())
		}
		why := "No such file or directory"
		if len(name) > 255 {
			why = "File name too long"
		}
		want := "cat: " + Quote(name, utf8) + ": " + why + "\n"
		if got := stderr.String(); got != want {
			t.Errorf("%s: name %q\nGNU cat: %q\nQuote:   %q", loc, name, got, want)
		}
	})
}

// FuzzFormatStreaming cuts the input at arbitrary places (the cut lengths come from the fuzzer
// too) and wants the output of the whole stream at once: the state that crosses chunk and file
// boundaries is complete. It also holds Format to what -v promises (no byte of the output is a
// control character other than LF and TAB, nor DEL, nor above 127) and, with no option, to a
// plain copy.
func FuzzFormatStreaming(f *testing.F) {
	f.Add([]byte("one\n\n\n\ttwo\r\n\x01\x7f\x80\xff\nend"), uint8(0x3f), int64(1))
	f.Add([]byte("\r"), uint8(0x04), int64(2))
	f.Add([]byte("\n\n\n\n"), uint8(0x05), int64(3))
	f.Add(bytes.Repeat([]byte("ab\r\n\t\n\n"), 300), uint8(0x1e), int64(4))
	f.Fuzz(func(t *testing.T, in []byte, flags uint8, seed int64) {
		opts := Options{
			Number: flags&1 != 0, NumberNonblank: flags&3 == 3, SqueezeBlank: flags&4 != 0,
			ShowEnds: flags&8 != 0, ShowNonprinting: flags&16 != 0, ShowTabs: flags&32 != 0,
		}
		whole := NewFormatter(opts)
		want := whole.Finish(whole.Format(nil, in))
		rng := rand.New(rand.NewSource(seed))
		pieces := NewFormatter(opts)
		var got []byte
		for rest := in; len(rest) > 0; {
			n := 1 + rng.Intn(len(rest))
			got = pieces.Format(got, rest[:n])
			rest = rest[n:]
		}
		got = pieces.Finish(got)
		if !bytes.Equal(got, want) {
			t.Fatalf("%+v on %q: in pieces %q, whole %q", opts, in, got, want)
		}
		if opts.ShowNonprinting {
			for i, c := range want {
				if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f {
					t.Fatalf("%+v on %q: byte %d of the output is %#x", opts, in, i, c)
				}
			}
			return
		}
		if !opts.Formatting() && !bytes.Equal(want, in) {
			t.Fatalf("%+v on %q: a plain copy gave %q", opts, in, want)
		}
	})
}
