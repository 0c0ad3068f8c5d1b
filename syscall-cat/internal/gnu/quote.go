package gnu

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote renders a file name the way GNU cat's error messages do (gnulib quotef: the
// "shell-escape" quoting style with ':' also treated as special), so that the name can be pasted
// back into a shell:
//
//	abc        -> abc               nothing special: left alone
//	""         -> ''
//	a b, a:b   -> 'a b', 'a:b'
//	it's       -> "it's"            a quote and otherwise harmless text: double quotes
//	x\x01y     -> 'x'$'\001''y'     control bytes as $'...' escapes
//
// utf8Locale says whether LC_CTYPE is UTF-8: then printable multibyte characters stay as they
// are; in the C locale every byte >= 0x80 is escaped.
func Quote(name string, utf8Locale bool) string {
	if !needsQuotes(name, utf8Locale) {
		return name
	}
	body, endInDollar, sawQuote, allCompat := quoteBody(name, utf8Locale, false)
	if sawQuote {
		// An apostrophe in otherwise harmless text reads better in double quotes than '\''.
		if allCompat {
			return `"` + name + `"`
		}
		// A quirk of the gnulib in coreutils 9.1, kept for byte equality: a quote makes
		// quotearg measure the string in a first pass and write it in a second, and the second
		// pass starts in the "inside $'...'" state the first one ended in. A name that ends in
		// an escape therefore gets a spurious '' after its opening quote: q'<01> becomes
		// '''q'\'''$'\001'.
		body, _, _, _ = quoteBody(name, utf8Locale, endInDollar)
	}
	return "'" + body + "'"
}

// quoteBody renders name for the inside of single quotes, escapes going into $'...' segments.
// inDollar is the state to start in; endInDollar the state at the end.
func quoteBody(name string, utf8Locale, inDollar bool) (body string, endInDollar, sawQuote, allCompat bool) {
	var b strings.Builder
	allCompat = true
	plain := func() {
		if inDollar {
			b.WriteString("''") // close $'...' and reopen '...'
			inDollar = false
		}
	}
	escape := func(s string) {
		if !inDollar {
			b.WriteString("'$'")
			inDollar = true
		}
		b.WriteString(s)
	}
	for i := 0; i < len(name); {
		c := name[i]
		if c == '\'' {
			sawQuote = true
			b.WriteString(`'\''`)
			inDollar = false
			i++
			continue
		}
		if e, ok := cEscape[c]; ok {
			escape(`\` + string(e))
			allCompat = false
			i++
			continue
		}
		n, printable := charAt(name, i, utf8Locale)
		if !printable {
			for _, x := range []byte(name[i : i+n]) {
				escape(`\` + string([]byte{'0' + x>>6, '0' + x>>3&7, '0' + x&7}))
			}
			allCompat = false
			i += n
			continue
		}
		plain()
		b.WriteString(name[i : i+n])
		if n == 1 && !quoteCompatible(name, i) {
			allCompat = false
		}
		i += n
	}
	return b.String(), inDollar, sawQuote, allCompat
}

// cEscape are the controls quotearg writes as C escapes rather than octal.
var cEscape = map[byte]byte{'\n': 'n', '\r': 'r', '\t': 't', '\a': 'a', '\b': 'b', '\f': 'f', '\v': 'v'}

// needsQuotes reports whether name has anything a shell (or GNU's ':'-separated message format)
// would misread.
func needsQuotes(name string, utf8Locale bool) bool {
	if name == "" {
		return true
	}
	for i := 0; i < len(name); {
		c := name[i]
		n, printable := charAt(name, i, utf8Locale)
		if !printable {
			return true
		}
		i += n
		if n > 1 {
			continue
		}
		switch c {
		case '{', '}':
			if len(name) == 1 {
				return true
			}
		case '#', '~':
			if i == 1 {
				return true
			}
		case ' ', '!', '"', '$', '&', '(', ')', '*', ';', '<', '=', '>', '[', '^', '`', '|',
			'\'', '?', '\\', ':':
			return true
		}
	}
	return false
}

// quoteCompatible reports whether the printable byte name[i] means the same inside single and
// double quotes (gnulib's c_and_shell_quote_compat), so that "..." may replace '...'.
func quoteCompatible(name string, i int) bool {
	switch name[i] {
	case '{', '}':
		return len(name) == 1
	case '#', '~':
		return i == 0
	case '!', '"', '$', '&', '(', ')', '*', ';', '<', '=', '>', '[', '^', '`', '|', '?', '\\':
		return false
	}
	return true
}

// charAt returns the length of the character at name[i] and whether it is printable: one byte
// and isprint() in the C locale; one UTF-8 sequence and printableRune in a UTF-8 locale, where
// an invalid byte is one unprintable byte and a sequence cut off by the end of the string makes
// the whole rest unprintable (mbrtoc32 returning -2).
func charAt(name string, i int, utf8Locale bool) (int, bool) {
	c := name[i]
	if c < utf8.RuneSelf || !utf8Locale {
		return 1, c >= 0x20 && c < 0x7f
	}
	r, n := utf8.DecodeRuneInString(name[i:])
	if r == utf8.RuneError && n <= 1 {
		if !utf8.FullRuneInString(name[i:]) {
			return len(name) - i, false
		}
		return 1, false
	}
	return n, printableRune(r)
}

// printableRune is glibc's iswprint in C.UTF-8: every assigned character except the controls
// and the line and paragraph separators, private use included, as of the Unicode version of the
// machine's glibc (14.0 for 2.36): zglibcprint.go lists where Go's newer tables (Unicode 15.0 in
// Go 1.26) differ, as GNU cat itself shows them.
func printableRune(r rune) bool {
	if inRanges(glibcUnprintable, r) {
		return false
	}
	return categoryPrintable(r) || inRanges(glibcPrintable, r)
}

// categoryPrintable is iswprint by Go's unicode tables.
func categoryPrintable(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs,
		unicode.Cf, unicode.Co)
}

// runeRange is lo..hi, both included.
type runeRange struct{ lo, hi rune }

// inRanges reports whether r is in rs, sorted and disjoint.
func inRanges(rs []runeRange, r rune) bool {
	i, j := 0, len(rs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if rs[h].hi < r {
			i = h + 1
		} else {
			j = h
		}
	}
	return i < len(rs) && rs[i].lo <= r
}
