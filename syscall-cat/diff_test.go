package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// fixtures are the files every differential case can name, in the case's working directory.
func fixtures() map[string][]byte {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	var crAtBoundary []byte // CR as the last byte of GNU's first 128 KiB read, LF after it
	crAtBoundary = append(crAtBoundary, bytes.Repeat([]byte("x"), 128<<10-1)...)
	crAtBoundary = append(crAtBoundary, "\r\nafter\r\n\r"...)
	var million bytes.Buffer // line numbers grow past six digits
	for i := 0; i < 1000005; i++ {
		if i%3 == 0 {
			million.WriteString("l\n")
		} else {
			million.WriteString("\n")
		}
	}
	return map[string][]byte{
		"a":            []byte("one\ntwo\n\n\n\nthree\tTAB\n"),
		"b":            []byte("\n\nfour\nfive"),
		"c":            []byte("six\n"),
		"empty":        nil,
		"blank":        []byte("\n\n\n\n"),
		"noeol":        []byte("no newline"),
		"crlf":         []byte("dos\r\nline\r\n\r\nlone\rcr\r"),
		"lf-first":     []byte("\nstarts with LF\n"),
		"all-bytes":    bytes.Repeat(all, 3),
		"cr-boundary":  crAtBoundary,
		"million":      million.Bytes(),
		"a b":          []byte("space\n"),
		"it's":         []byte("quote\n"),
		"x\x01y":       []byte("control\n"),
		"-n":           []byte("dash file\n"),
		"tabs":         []byte("\t\t\tx\t\n\t\n"),
		"big-binary":   pseudoRandom(3<<20+17, 1),
		"many-blank":   []byte("a\n\n\n\n\nb\n\n\n\n\n\n\nc\n\n"),
		"high-and-del": []byte("\x7f\x80\x9f\xa0\xff\xfe\n\x1b[0m\n"),
	}
}

func pseudoRandom(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// fixtureDir creates the fixtures (and an unreadable file and a directory) once per test.
func fixtureDir(t testing.TB) string {
	dir := t.TempDir()
	writeFiles(t, dir, fixtures())
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDifferential runs the table of cases through both cats.
func TestDifferential(t *testing.T) {
	dir := fixtureDir(t)
	type tc struct {
		name  string
		args  []string
		stdin string
		env   []string
	}
	cases := []tc{
		{"no args copies stdin", nil, "hello\nworld\n", nil},
		{"plain files", []string{"a", "b", "c"}, "", nil},
		{"dash is stdin", []string{"a", "-", "c"}, "IN\n", nil},
		{"dash twice", []string{"-", "a", "-"}, "IN\n", nil},
		{"double dash ends options", []string{"--", "-n"}, "", nil},
		{"only double dash", []string{"--"}, "stdin\n", nil},
		{"double dash then dash", []string{"-n", "--", "-n", "-"}, "x\n", nil},
		{"permutation", []string{"a", "-n", "b"}, "", nil},
		{"posixly correct", []string{"a", "-n", "b"}, "", []string{"POSIXLY_CORRECT=1"}},
		{"posixly correct set but empty", []string{"a", "-n", "b"}, "", []string{"POSIXLY_CORRECT="}},
		{"posixly correct options first", []string{"-n", "a"}, "", []string{"POSIXLY_CORRECT=1"}},
		{"-n across files", []string{"-n", "a", "b", "c"}, "", nil},
		{"-b", []string{"-b", "a", "b", "blank", "c"}, "", nil},
		{"-b over -n", []string{"-n", "-b", "a", "b"}, "", nil},
		{"-bn", []string{"-bn", "many-blank"}, "", nil},
		{"-s", []string{"-s", "many-blank", "blank", "b"}, "", nil},
		{"-s across files", []string{"-s", "blank", "blank", "a"}, "", nil},
		{"-sn", []string{"-sn", "many-blank", "blank", "a"}, "", nil},
		{"-sb", []string{"-sb", "many-blank", "blank", "a"}, "", nil},
		{"-E", []string{"-E", "a", "crlf"}, "", nil},
		{"-E CR meets LF across files", []string{"-E", "crlf", "lf-first"}, "", nil},
		{"-E CR at the end of everything", []string{"-E", "crlf"}, "", nil},
		{"-E CR then empty then LF", []string{"-E", "crlf", "empty", "lf-first"}, "", nil},
		{"-E CR at a read boundary", []string{"-E", "cr-boundary", "lf-first"}, "", nil},
		{"-nE CR", []string{"-nE", "crlf", "a"}, "", nil},
		{"-T", []string{"-T", "tabs", "a"}, "", nil},
		{"-ET", []string{"-ET", "tabs", "crlf"}, "", nil},
		{"-v all bytes", []string{"-v", "all-bytes"}, "", nil},
		{"-vT all bytes", []string{"-vT", "all-bytes"}, "", nil},
		{"-A all bytes", []string{"-A", "all-bytes", "high-and-del"}, "", nil},
		{"-e", []string{"-e", "all-bytes", "crlf"}, "", nil},
		{"-t", []string{"-t", "all-bytes", "tabs"}, "", nil},
		{"-u ignored", []string{"-u", "a"}, "", nil},
		{"clustered -vET", []string{"-vET", "crlf", "tabs"}, "", nil},
		{"all short options", []string{"-benstuvAET", "a", "crlf", "all-bytes"}, "", nil},
		{"long options", []string{"--number", "--show-ends", "--show-tabs", "--squeeze-blank", "a", "b"}, "", nil},
		{"--show-all --number-nonblank", []string{"--show-all", "--number-nonblank", "all-bytes"}, "", nil},
		{"--show-nonprinting", []string{"--show-nonprinting", "high-and-del"}, "", nil},
		{"abbreviation --sq", []string{"--sq", "many-blank"}, "", nil},
		{"abbreviation --numb is ambiguous", []string{"--numb", "a"}, "", nil},
		{"abbreviation --number-n", []string{"--number-n", "a"}, "", nil},
		{"exact --number beats number-nonblank", []string{"--number", "a"}, "", nil},
		{"ambiguous --show-", []string{"--show-", "a"}, "", nil},
		{"ambiguous --s", []string{"--s", "a"}, "", nil},
		{"ambiguous with value", []string{"--show-=x", "a"}, "", nil},
		{"empty long name", []string{"--=x"}, "", nil},
		{"unknown long", []string{"--nope", "a"}, "", nil},
		{"unknown long with value", []string{"--nope=1", "a"}, "", nil},
		{"argument to --number", []string{"--number=3", "a"}, "", nil},
		{"argument to abbreviation", []string{"--sq=", "a"}, "", nil},
		{"invalid short", []string{"-q", "a"}, "", nil},
		{"invalid short in cluster", []string{"-nqv", "a"}, "", nil},
		{"invalid dash in cluster", []string{"-n-", "a"}, "", nil},
		{"invalid after files", []string{"a", "-z"}, "", nil},
		{"help", []string{"--help"}, "", nil},
		{"help abbreviated", []string{"--he"}, "", nil},
		{"help with value", []string{"--help=x"}, "", nil},
		{"version", []string{"--version"}, "", nil},
		{"version abbreviated", []string{"--v"}, "", nil},
		{"help then version", []string{"--help", "--version"}, "", nil},
		{"version then help", []string{"--version", "--help"}, "", nil},
		{"help after files and options", []string{"a", "-n", "--help"}, "", nil},
		{"invalid before help", []string{"-x", "--help"}, "", nil},
		{"help before invalid", []string{"--help", "-x"}, "", nil},
		{"help after --", []string{"--", "--help"}, "", nil},
		{"help after operand, POSIX", []string{"a", "--help"}, "", []string{"POSIXLY_CORRECT=1"}},
		{"missing file", []string{"a", "nonexistent", "c"}, "", nil},
		{"directory", []string{"a", "dir", "c"}, "", nil},
		{"directory formatted", []string{"-n", "a", "dir", "c"}, "", nil},
		{"directory on stdin", []string{"-"}, "", nil},
		{"empty name", []string{""}, "", nil},
		{"quoted names", []string{"a b:", "it's gone", "x\x01y-gone", "tab\there", "$HOME", "new\nline", "'", "\"", "~", "a~", "#", "a#", "{", "{}", "é", "\xff", "a:b", "back\\slash", "q'\x01", "=", "@", "-"}, "", nil},
		{"quoted names exist", []string{"a b", "it's", "x\x01y"}, "", nil},
		{"file named -n after --", []string{"--", "-n"}, "", nil},
		{"million lines numbered", []string{"-n", "million"}, "", nil},
		{"million lines -b", []string{"-b", "million"}, "", nil},
		{"big binary plain", []string{"big-binary"}, "", nil},
		{"big binary -A", []string{"-A", "big-binary"}, "", nil},
		{"big binary -ns", []string{"-ns", "big-binary"}, "", nil},
		{"big binary -A on one core", []string{"-A", "big-binary"}, "", []string{"GOMAXPROCS=1"}},
		{"utf-8 locale names", []string{"é", "\xc3", "a\xe2\x82", "日本", "\u00a0x", "\xef\xbb\xbf"}, "", []string{"LC_ALL=C.UTF-8"}},
		{"argv0 in help", []string{"--help"}, "", []string{"LC_ALL=C.UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := invocation{args: c.args, stdin: []byte(c.stdin), env: c.env, dir: dir}
			if c.name == "directory on stdin" {
				f, err := os.Open(filepath.Join(dir, "dir"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				inv.stdinF = f
			}
			compare(t, inv)
		})
	}
}

// TestArgv0 checks that messages, usage and help start with argv[0] verbatim, path and all.
func TestArgv0(t *testing.T) {
	dir := fixtureDir(t)
	for _, argv0 := range []string{"/opt/tools/cat", "./kitty", "c a t"} {
		for _, args := range [][]string{{"missing"}, {"-q"}, {"--help"}, {"--nope"}} {
			t.Run(argv0+" "+strings.Join(args, " "), func(t *testing.T) {
				compare(t, invocation{args: args, dir: dir, argv0: argv0})
			})
		}
	}
}

// TestDifferentialRandom runs seeded random option sets over random files and stdin.
// SYSCALL_CAT_SEED picks another seed; the seed is logged so a failure can be replayed.
func TestDifferentialRandom(t *testing.T) {
	seed := int64(20260901)
	if s := os.Getenv("SYSCALL_CAT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	opts := []string{"-A", "-b", "-e", "-E", "-n", "-s", "-t", "-T", "-u", "-v",
		"--show-all", "--number-nonblank", "--number", "--squeeze-blank", "--show-ends",
		"--show-tabs", "--show-nonprinting", "--num", "--squ", "-vn", "-sE", "-bT"}
	const runs = 150
	for i := 0; i < runs; i++ {
		var args []string
		nfiles := rng.Intn(4)
		for j := 0; j < nfiles; j++ {
			name := fmt.Sprintf("r%d-%d", i, j)
			writeFiles(t, dir, map[string][]byte{name: randomText(rng)})
			args = append(args, name)
		}
		if rng.Intn(3) == 0 {
			args = append(args, "-")
		}
		if rng.Intn(6) == 0 {
			args = append(args, "missing")
		}
		for k := rng.Intn(4); k > 0; k-- {
			o := opts[rng.Intn(len(opts))]
			p := rng.Intn(len(args) + 1)
			args = append(args[:p], append([]string{o}, args[p:]...)...)
		}
		inv := invocation{args: args, stdin: randomText(rng), dir: dir}
		t.Run(strings.Join(args, " "), func(t *testing.T) { compare(t, inv) })
	}
}

// randomText is bytes biased towards what the formatter cares about: LF runs, CR before LF,
// TAB, controls, DEL and high bytes, with lengths from empty to past a 128 KiB read.
func randomText(rng *rand.Rand) []byte {
	n := []int{0, 1, 7, 100, 5000, 140000}[rng.Intn(6)]
	b := make([]byte, n)
	for i := range b {
		switch r := rng.Intn(20); {
		case r < 5:
			b[i] = '\n'
		case r < 7:
			b[i] = '\r'
		case r < 8:
			b[i] = '\t'
		case r < 10:
			b[i] = byte(rng.Intn(256))
		default:
			b[i] = byte('a' + rng.Intn(26))
		}
	}
	return b
}

// TestDifferentialQuotingRandom compares GNU's quoting of random file names (missing files, so
// each appears in a "No such file or directory" message) in the C and C.UTF-8 locales.
func TestDifferentialQuotingRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	dir := t.TempDir()
	const punct = " !\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~"
	var names []string
	for i := 0; i < 400; i++ {
		b := make([]byte, 1+rng.Intn(6))
		for j := range b {
			switch r := rng.Intn(4); r {
			case 0:
				b[j] = byte(1 + rng.Intn(255))
			case 1:
				b[j] = punct[rng.Intn(len(punct))]
			case 2:
				b[j] = []byte("é日\xc3\x80")[rng.Intn(6)]
			default:
				b[j] = byte('a' + rng.Intn(26))
			}
			if b[j] == '/' {
				b[j] = 'z'
			}
		}
		names = append(names, string(b))
	}
	args := append([]string{"--"}, names...)
	for _, loc := range []string{"C", "C.UTF-8"} {
		t.Run(loc, func(t *testing.T) {
			compare(t, invocation{args: args, dir: dir, env: []string{"LC_ALL=" + loc}})
		})
	}
}

// TestInputIsOutput covers 9.1's rule with stdout a regular file: refused while the input
// position is before its size, accepted at or past it, and with O_APPEND.
func TestInputIsOutput(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		append bool
		stdin  bool // stdin is the output file too
		seek   int64
	}{
		{"same file", []string{"f"}, false, false, 0},
		{"same file appended", []string{"f"}, true, false, 0},
		{"other then same", []string{"g", "f", "g"}, true, false, 0},
		{"same file formatted", []string{"-n", "f"}, true, false, 0},
		{"stdin is output, at start", nil, true, true, 0},
		{"stdin is output, at end", nil, true, true, 1 << 20},
		{"empty output file", []string{"g"}, false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var outs [2][]byte
			var res [2]result
			for i, bin := range []string{gnuCat, binPath} {
				dir := t.TempDir()
				writeFiles(t, dir, map[string][]byte{"f": []byte("content of f\n"), "g": []byte("g\n")})
				flag := os.O_WRONLY
				if c.append {
					flag |= os.O_APPEND
				}
				out, err := os.OpenFile(filepath.Join(dir, "f"), flag, 0)
				if err != nil {
					t.Fatal(err)
				}
				inv := invocation{args: c.args, dir: dir, stdout: out}
				if c.stdin {
					in, err := os.Open(filepath.Join(dir, "f"))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := in.Seek(c.seek, 0); err != nil {
						t.Fatal(err)
					}
					defer in.Close()
					inv.stdinF = in
				}
				res[i] = runCat(t, bin, inv)
				out.Close()
				if outs[i], err = os.ReadFile(filepath.Join(dir, "f")); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(outs[0], outs[1]) || !bytes.Equal(res[0].stderr, res[1].stderr) || res[0].exit != res[1].exit {
				t.Errorf("got file %q, %v\nwant file %q, %v", outs[1], res[1], outs[0], res[0])
			}
		})
	}
}

// TestOutputErrors covers errors on the output side: ENOSPC, EPIPE (death by SIGPIPE, or the
// message when SIGPIPE is blocked), EAGAIN on a non-blocking stdin.
func TestOutputErrors(t *testing.T) {
	dir := fixtureDir(t)
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		skipf(t, "open /dev/full for writing: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{{"big-binary"}, {"-n", "a"}, {"--help"}, {"--version"}, {"empty"}, {"-E", "crlf"}, {"a", "missing"}} {
		t.Run("dev-full "+strings.Join(args, " "), func(t *testing.T) {
			compare(t, invocation{args: args, dir: dir, stdout: full})
		})
	}
	for _, helper := range []string{"", "block-sigpipe"} {
		for _, args := range [][]string{{"big-binary"}, {"-A", "big-binary"}, {"-"}} {
			t.Run("broken pipe "+helper+" "+strings.Join(args, " "), func(t *testing.T) {
				var res [2]result
				for i, bin := range []string{gnuCat, binPath} {
					r, w, err := os.Pipe()
					if err != nil {
						t.Fatal(err)
					}
					r.Close()
					res[i] = runCat(t, bin, invocation{args: args, dir: dir, stdout: w, helper: helper, stdin: []byte("x\n")})
					w.Close()
				}
				if res[0].String() != res[1].String() {
					t.Errorf("got %v\nwant %v", res[1], res[0])
				}
				if helper == "" && res[1].signal != syscall.SIGPIPE {
					t.Errorf("not killed by SIGPIPE: %v", res[1])
				}
			})
		}
	}
	t.Run("non-blocking empty stdin", func(t *testing.T) {
		for _, args := range [][]string{nil, {"-n"}} {
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
				t.Fatal(err)
			}
			r := os.NewFile(uintptr(p[0]), "r")
			w := os.NewFile(uintptr(p[1]), "w") // held open: no EOF, so read says EAGAIN
			compare(t, invocation{args: args, dir: dir, stdinF: r, helper: "nonblock-stdin"})
			r.Close()
			w.Close()
		}
	})
}

// TestDocumentedDifferences pins the two GNU behaviours Go makes impossible, so that a change
// in either (a new Go release, say) is noticed and the README updated.
func TestDocumentedDifferences(t *testing.T) {
	dir := fixtureDir(t)
	t.Run("closed stdout", func(t *testing.T) {
		want := runCat(t, gnuCat, invocation{args: []string{"a"}, dir: dir, helper: "close-stdout"})
		got := runCat(t, binPath, invocation{args: []string{"a"}, dir: dir, helper: "close-stdout"})
		if want.exit != 1 || string(want.stderr) != "cat: standard output: Bad file descriptor\n" {
			t.Errorf("GNU with fd 1 closed: %v", want)
		}
		// runtime/fds_unix.go checkfds reopened fd 1 on /dev/null: the copy "succeeds".
		if got.exit != 0 || len(got.stderr) != 0 {
			t.Errorf("syscall-cat with fd 1 closed: %v, want exit 0 (fd 1 reopened on /dev/null)", got)
		}
	})
	t.Run("ignored SIGPIPE", func(t *testing.T) {
		var res [2]result
		for i, bin := range []string{gnuCat, binPath} {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			res[i] = runCat(t, bin, invocation{args: []string{"a"}, dir: dir, stdout: w, helper: "ignore-sigpipe"})
			w.Close()
		}
		if res[0].exit != 1 || string(res[0].stderr) != "cat: write error: Broken pipe\n" {
			t.Errorf("GNU with SIGPIPE ignored: %v", res[0])
		}
		// runtime/signal_unix.go initsig replaced SIG_IGN by the Go handler before main.
		if res[1].signal != syscall.SIGPIPE {
			t.Errorf("syscall-cat with SIGPIPE ignored: %v, want death by SIGPIPE", res[1])
		}
	})
}

// socketStdin returns the read side of a connected socket pair whose other side sends data
// and closes: an input that is neither a file nor a pipe (the private-pipe splice path).
func socketStdin(t *testing.T, data []byte) *os.File {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "sock-r"), os.NewFile(uintptr(fds[1]), "sock-w")
	go func() {
		w.Write(data)
		w.Close()
	}()
	t.Cleanup(func() { r.Close() })
	return r
}

// TestDifferentialSocketInput feeds a socket to both cats: plain (private pipe), formatted,
// and into /dev/full, where the bytes already spliced into the private pipe must be drained
// through write(2) so the error is GNU's "write error".
func TestDifferentialSocketInput(t *testing.T) {
	data := pseudoRandom(3<<20, 5)
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		skipf(t, "open /dev/full for writing: %v", err)
	}
	defer full.Close()
	for _, c := range []struct {
		name   string
		args   []string
		stdout *os.File
	}{
		{"plain", nil, nil},
		{"-v", []string{"-v"}, nil},
		{"to /dev/full", nil, full},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := runCat(t, gnuCat, invocation{args: c.args, stdinF: socketStdin(t, data), stdout: c.stdout})
			got := runCat(t, binPath, invocation{args: c.args, stdinF: socketStdin(t, data), stdout: c.stdout})
			if got.String() != want.String() || !bytes.Equal(got.stdout, want.stdout) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}
