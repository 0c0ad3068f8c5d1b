package gnu

import (
	"bytes"
	"math/rand"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		args  []string
		posix bool
		want  Command
	}{
		{nil, false, Command{}},
		{[]string{"-n", "a"}, false, Command{Opts: Options{Number: true}, Files: []string{"a"}}},
		{[]string{"a", "-n"}, false, Command{Opts: Options{Number: true}, Files: []string{"a"}}},
		{[]string{"a", "-n"}, true, Command{Files: []string{"a", "-n"}}},
		{[]string{"-", "--", "-n"}, false, Command{Files: []string{"-", "-n"}}},
		{[]string{"-A"}, false, Command{Opts: Options{ShowNonprinting: true, ShowEnds: true, ShowTabs: true}}},
		{[]string{"-bn"}, false, Command{Opts: Options{Number: true, NumberNonblank: true}}},
		{[]string{"--sq"}, false, Command{Opts: Options{SqueezeBlank: true}}},
		{[]string{"--number"}, false, Command{Opts: Options{Number: true}}},
		{[]string{"--num"}, false, Command{Action: ActionUsage, Diag: "option '--num' is ambiguous; possibilities: '--number-nonblank' '--number'"}},
		{[]string{"--number=1"}, false, Command{Action: ActionUsage, Diag: "option '--number' doesn't allow an argument"}},
		{[]string{"--x=1"}, false, Command{Action: ActionUsage, Diag: "unrecognized option '--x=1'"}},
		{[]string{"-nz"}, false, Command{Action: ActionUsage, Diag: "invalid option -- 'z'"}},
		{[]string{"--help", "-z"}, false, Command{Action: ActionHelp}},
		{[]string{"--vers", "--help"}, false, Command{Action: ActionVersion}},
	}
	for _, c := range cases {
		got := Parse(c.args, c.posix)
		if got.Action != c.want.Action || got.Opts != c.want.Opts || got.Diag != c.want.Diag ||
			len(got.Files) != len(c.want.Files) {
			t.Errorf("Parse(%q, %v) = %+v, want %+v", c.args, c.posix, got, c.want)
			continue
		}
		for i := range got.Files {
			if got.Files[i] != c.want.Files[i] {
				t.Errorf("Parse(%q, %v).Files = %q, want %q", c.args, c.posix, got.Files, c.want.Files)
			}
		}
	}
}

func TestQuote(t *testing.T) {
	cases := []struct {
		in   string
		utf8 bool
		want string
	}{
		{"abc", false, "abc"},
		{"", false, "''"},
		{"a b", false, "'a b'"},
		{"a:b", false, "'a:b'"},
		{"it's", false, `"it's"`},
		{"x\x01y", false, `'x'$'\001''y'`},
		{"q'\x01", false, `'''q'\'''$'\001'`},
		{"tab\there", false, `'tab'$'\t''here'`},
		{"é", false, `''$'\303\251'`},
		{"é", true, "é"},
		{"a\xe2\x82", true, `'a'$'\342\202'`},
		{"~", false, "'~'"},
		{"a~", false, "a~"},
		{"{", false, "'{'"},
		{"{}", false, "{}"},
	}
	for _, c := range cases {
		if got := Quote(c.in, c.utf8); got != c.want {
			t.Errorf("Quote(%q, %v) = %s, want %s", c.in, c.utf8, got, c.want)
		}
	}
}

func TestFormatExamples(t *testing.T) {
	cases := []struct {
		opts Options
		in   string
		want string
	}{
		{Options{Number: true}, "a\n\nb", "     1\ta\n     2\t\n     3\tb"},
		{Options{Number: true, NumberNonblank: true}, "a\n\nb\n", "     1\ta\n\n     2\tb\n"},
		{Options{SqueezeBlank: true}, "\n\n\na\n\n\n\nb\n", "\na\n\nb\n"},
		{Options{ShowEnds: true}, "a\r\nb\rc\r", "a^M$\nb\rc\r"},
		{Options{ShowTabs: true}, "\ta\t\n", "^Ia^I\n"},
		{Options{ShowNonprinting: true}, "\x00\x1f\x7f\x80\x9f\xa0\xff\t\n", "^@^_^?M-^@M-^_M- M-^?\t\n"},
		{Options{ShowNonprinting: true, ShowTabs: true, ShowEnds: true}, "\t\x89\r\n", "^IM-^I^M$\n"},
	}
	for _, c := range cases {
		f := NewFormatter(c.opts)
		got := string(f.Finish(f.Format(nil, []byte(c.in))))
		if got != c.want {
			t.Errorf("%+v: Format(%q) = %q, want %q", c.opts, c.in, got, c.want)
		}
	}
}

// TestFormatStreaming checks that cutting the input anywhere changes nothing: the state that
// crosses chunk (and file) boundaries is complete.
func TestFormatStreaming(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	alphabet := []byte("\n\n\n\r\r\t ab\x00\x7f\x80\xff")
	for i := 0; i < 300; i++ {
		in := make([]byte, rng.Intn(200))
		for j := range in {
			in[j] = alphabet[rng.Intn(len(alphabet))]
		}
		opts := Options{
			Number: rng.Intn(2) == 0, SqueezeBlank: rng.Intn(2) == 0, ShowEnds: rng.Intn(2) == 0,
			ShowNonprinting: rng.Intn(2) == 0, ShowTabs: rng.Intn(2) == 0,
		}
		opts.NumberNonblank = opts.Number && rng.Intn(2) == 0
		whole := NewFormatter(opts)
		want := whole.Finish(whole.Format(nil, in))
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
	}
}

func TestLineNumberGrows(t *testing.T) {
	var l lineNumber
	l.init()
	var last []byte
	for i := 0; i < 1000000; i++ {
		last = l.appendNext(last[:0])
	}
	if string(last) != "1000000\t" {
		t.Errorf("line 1000000 renders %q", last)
	}
}

func TestStrerror(t *testing.T) {
	if got := Strerror(2); got != "No such file or directory" {
		t.Errorf("Strerror(ENOENT) = %q", got)
	}
	if got := Strerror(9999); got != "Unknown error 9999" {
		t.Errorf("Strerror(9999) = %q", got)
	}
}

// BenchmarkFormat measures the transform alone (MB/s of input) for every option, on log-like
// text (tabs and a non-ASCII letter every few words) and on random binary data.
func BenchmarkFormat(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	words := []string{"the", "kernel", "page", "cache", "splice", "read", "write", "\t", "é", "0x7f3a", "[INFO]", "ok", "ENOSPC"}
	var text []byte
	for len(text) < 128<<10 {
		for l := rng.Intn(120); l > 0; l -= 6 {
			text = append(text, words[rng.Intn(len(words))]...)
			text = append(text, ' ')
		}
		text = append(text, '\n')
	}
	text = text[:128<<10]
	binary := make([]byte, 128<<10)
	rng.Read(binary)
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"n", Options{Number: true}},
		{"b", Options{Number: true, NumberNonblank: true}},
		{"s", Options{SqueezeBlank: true}},
		{"v", Options{ShowNonprinting: true}},
		{"E", Options{ShowEnds: true}},
		{"T", Options{ShowTabs: true}},
		{"A", Options{ShowNonprinting: true, ShowEnds: true, ShowTabs: true}},
		{"nA", Options{Number: true, ShowNonprinting: true, ShowEnds: true, ShowTabs: true}},
	} {
		for _, d := range []struct {
			name string
			data []byte
		}{{"text", text}, {"binary", binary}} {
			b.Run(c.name+"/"+d.name, func(b *testing.B) {
				f := NewFormatter(c.opts)
				out := make([]byte, 0, 5*len(d.data))
				b.SetBytes(int64(len(d.data)))
				for i := 0; i < b.N; i++ {
					out = f.Format(out[:0], d.data)
				}
			})
		}
	}
}
