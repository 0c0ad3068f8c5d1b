// Package gnu holds the parts of GNU cat 9.1 that are pure logic: its option grammar (glibc
// getopt_long with permutation), its messages and quoting, and the formatting transform behind
// -b -E -n -s -T -v. Nothing here touches a file descriptor.
package gnu

import "strings"

// Options are the formatting switches of GNU cat. -u is accepted and ignored, as in GNU.
type Options struct {
	Number          bool // -n, and -b
	NumberNonblank  bool // -b: overrides -n
	SqueezeBlank    bool // -s
	ShowEnds        bool // -E
	ShowNonprinting bool // -v
	ShowTabs        bool // -T
}

// Formatting reports whether any option needs the byte-by-byte transform; without one, cat is a
// plain copy and may use the kernel's zero-copy paths.
func (o Options) Formatting() bool {
	return o.Number || o.SqueezeBlank || o.ShowEnds || o.ShowNonprinting || o.ShowTabs
}

// Action is what the command line asks for.
type Action int

const (
	ActionCat     Action = iota // concatenate Files
	ActionHelp                  // --help: print Help and exit 0
	ActionVersion               // --version: print Version and exit 0
	ActionUsage                 // bad option: print Diag and the "Try" line, exit 1
)

// Command is a parsed command line.
type Command struct {
	Action Action
	Opts   Options
	Files  []string // operands in order; empty means "-"
	Diag   string   // for ActionUsage: glibc's message without the "prog: " prefix
}

// shortOptions is cat's getopt string (coreutils src/cat.c: "benstuvAET").
const shortOptions = "benstuvAET"

// longOptions is cat's long option table in its declaration order: glibc lists ambiguous
// candidates in this order, so the order is part of the output.
var longOptions = []struct {
	name  string
	short byte // 0 for --help, 1 for --version
}{
	{"number-nonblank", 'b'},
	{"number", 'n'},
	{"squeeze-blank", 's'},
	{"show-nonprinting", 'v'},
	{"show-ends", 'E'},
	{"show-tabs", 'T'},
	{"show-all", 'A'},
	{"help", 0},
	{"version", 1},
}

// Parse interprets args (without argv[0]) the way glibc 2.36 getopt_long does for cat: options
// and operands may be mixed (permutation) unless posixlyCorrect, in which case the first operand
// ends option processing; "--" ends it always; "-" is an operand. Like cat, it stops at the first
// --help, --version or bad option, so the first of them wins.
func Parse(args []string, posixlyCorrect bool) Command {
	var c Command
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			c.Files = append(c.Files, args[i+1:]...)
			return c
		case len(a) < 2 || a[0] != '-':
			if posixlyCorrect {
				c.Files = append(c.Files, args[i:]...)
				return c
			}
			c.Files = append(c.Files, a)
		case a[1] == '-':
			if act, diag := c.long(a[2:]); act != ActionCat {
				return Command{Action: act, Diag: diag}
			}
		default:
			for j := 1; j < len(a); j++ {
				if strings.IndexByte(shortOptions, a[j]) < 0 {
					return Command{Action: ActionUsage, Diag: "invalid option -- '" + a[j:j+1] + "'"}
				}
				c.Opts.set(a[j])
			}
		}
	}
	return c
}

// long handles one "--name[=value]" argument, arg being the text after "--".
func (c *Command) long(arg string) (Action, string) {
	name, _, hasValue := strings.Cut(arg, "=")
	found := -1
	for i, o := range longOptions {
		if o.name == name {
			found = i
			break
		}
	}
	if found < 0 {
		var matches []int
		for i, o := range longOptions {
			if strings.HasPrefix(o.name, name) {
				matches = append(matches, i)
			}
		}
		switch len(matches) {
		case 0:
			return ActionUsage, "unrecognized option '--" + arg + "'"
		case 1:
			found = matches[0]
		default:
			var b strings.Builder
			b.WriteString("option '--" + arg + "' is ambiguous; possibilities:")
			for _, m := range matches {
				b.WriteString(" '--" + longOptions[m].name + "'")
			}
			return ActionUsage, b.String()
		}
	}
	o := longOptions[found]
	if hasValue {
		return ActionUsage, "option '--" + o.name + "' doesn't allow an argument"
	}
	switch o.short {
	case 0:
		return ActionHelp, ""
	case 1:
		return ActionVersion, ""
	}
	c.Opts.set(o.short)
	return ActionCat, ""
}

func (o *Options) set(c byte) {
	switch c {
	case 'b':
		o.Number, o.NumberNonblank = true, true
	case 'e':
		o.ShowEnds, o.ShowNonprinting = true, true
	case 'n':
		o.Number = true
	case 's':
		o.SqueezeBlank = true
	case 't':
		o.ShowTabs, o.ShowNonprinting = true, true
	case 'u':
		// Ignored, as POSIX allows: output is never buffered across reads anyway.
	case 'v':
		o.ShowNonprinting = true
	case 'A':
		o.ShowNonprinting, o.ShowEnds, o.ShowTabs = true, true, true
	case 'E':
		o.ShowEnds = true
	case 'T':
		o.ShowTabs = true
	}
}
