package gnu

import (
	"bytes"
	"encoding/binary"
	"unsafe"
)

// Formatter is GNU cat's formatting transform (-b -E -n -s -T -v and the combinations -A -e -t)
// as a streaming function: Format may be called with input cut anywhere, and the output is the
// same as for the whole stream at once. Like GNU's, its state (line number, blank-line count,
// a CR waiting for its LF) carries across input files: "cat -n a b" numbers b's lines after a's,
// and a CR ending a meets an LF starting b under -E.
type Formatter struct {
	opts Options
	// newlines is GNU's line state: -1 inside a line, 0 at the start of a line, 1 or 2 after
	// that many blank lines (2 means "squeeze the next one" under -s).
	newlines  int
	pendingCR bool // -E without -v: a CR ended the last chunk; "^M" if an LF follows, else "\r"
	num       lineNumber
	// tab holds the rendering of every byte under -v, -T and -E: up to 4 bytes ("M-^A") packed
	// little endian in the low half, their count in the high half, so a byte costs one load and
	// one store.
	tab [256]uint64
	// wholeChunk: -v, -E, -T or a mix, without -n, -b or -s: every byte is rendered alone by
	// tab (LF included), except a CR under -E without -v, which is "^M" before an LF only.
	wholeChunk bool
	crBeforeLF bool // -E without -v: CRs are looked for, the rest goes through tab
}

// NewFormatter returns a Formatter for opts, at the start of a line with line number 0.
func NewFormatter(opts Options) *Formatter {
	f := &Formatter{opts: opts}
	f.num.init()
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		switch {
		case opts.ShowNonprinting:
			s = visible(byte(c), opts.ShowTabs)
		case c == '\t' && opts.ShowTabs:
			s = "^I"
		}
		f.tab[c] = pack(s)
	}
	if !opts.Number && !opts.SqueezeBlank {
		f.wholeChunk = true
		f.crBeforeLF = opts.ShowEnds && !opts.ShowNonprinting
		nl := "\n"
		if opts.ShowEnds {
			nl = "$\n"
		}
		f.tab['\n'] = pack(nl)
	}
	return f
}

// pack makes a tab entry of s (at most 4 bytes).
func pack(s string) uint64 {
	var w [4]byte
	copy(w[:], s)
	return uint64(binary.LittleEndian.Uint32(w[:])) | uint64(len(s))<<32
}

// visible is the -v notation for c: printable ASCII as is, controls as ^X, DEL as ^?, and bytes
// >= 128 as M- followed by the notation of c-128. TAB stays a TAB unless showTabs.
func visible(c byte, showTabs bool) string {
	switch {
	case c >= 128:
		return "M-" + visible(c-128, true)
	case c == 127:
		return "^?"
	case c >= 32:
		return string([]byte{c})
	case c == '\t' && !showTabs:
		return "\t"
	default:
		return string([]byte{'^', c + 64})
	}
}

// Format appends the rendering of src to dst and returns the extended slice.
func (f *Formatter) Format(dst, src []byte) []byte {
	o := f.opts
	if f.wholeChunk {
		// -v, -E, -T and their mixes: no line numbers and no squeezing, so an LF is just one
		// more table entry ("\n" or "$\n") and the chunk needs no splitting into lines.
		if len(src) == 0 {
			return dst
		}
		if !o.ShowNonprinting && sparse(src, o.ShowTabs) {
			return f.formatLines(dst, src)
		}
		if src[len(src)-1] == '\n' {
			f.newlines = 0
		} else {
			f.newlines = -1
		}
		if f.crBeforeLF {
			return f.encodeCR(dst, src)
		}
		return f.encode(dst, src)
	}
	return f.formatLines(dst, src)
}

// sparse reports whether src has fewer than one LF (or TAB, under -T) in 64 bytes, as binary
// data has: then copying the runs between them, found with the vectorised IndexByte, beats
// rendering every byte through the table; log-like text has one every 25 to 60 bytes.
func sparse(src []byte, tabs bool) bool {
	n := bytes.Count(src, []byte{'\n'})
	if tabs {
		n += bytes.Count(src, []byte{'\t'})
	}
	return n*64 < len(src)
}

// formatLines is the transform line by line: LFs found with IndexByte, each line numbered,
// squeezed, and its content rendered by line.
func (f *Formatter) formatLines(dst, src []byte) []byte {
	o := f.opts
	for i := 0; i < len(src); {
		if src[i] == '\n' {
			i++
			f.newlines++
			if f.newlines > 0 {
				if f.newlines >= 2 {
					f.newlines = 2
					if o.SqueezeBlank {
						continue
					}
				}
				if o.Number && !o.NumberNonblank {
					dst = f.num.appendNext(dst)
				}
			}
			if o.ShowEnds {
				if f.pendingCR {
					dst = append(dst, '^', 'M')
					f.pendingCR = false
				}
				dst = append(dst, '$')
			}
			dst = append(dst, '\n')
			continue
		}
		if f.pendingCR {
			dst = append(dst, '\r')
			f.pendingCR = false
		}
		if f.newlines >= 0 && o.Number {
			dst = f.num.appendNext(dst)
		}
		f.newlines = -1
		end := len(src)
		if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
			end = i + j
		}
		dst = f.line(dst, src[i:end], end < len(src))
		i = end
	}
	return dst
}

// encodeCR is encode for -E without -v, where a CR shows as "^M" only right before an LF (and
// GNU looks for that LF in the next chunk, even the next file, when the CR ends this one): the
// chunk is cut at its CRs, found with the vectorised IndexByte, and the pieces go through tab.
func (f *Formatter) encodeCR(dst, src []byte) []byte {
	if f.pendingCR {
		f.pendingCR = false
		if src[0] == '\n' {
			dst = append(dst, "^M$\n"...)
			src = src[1:]
		} else {
			dst = append(dst, '\r')
		}
	}
	for {
		j := bytes.IndexByte(src, '\r')
		if j < 0 {
			return f.encode(dst, src)
		}
		dst = f.encode(dst, src[:j])
		switch {
		case j+1 == len(src):
			f.pendingCR = true
			return dst
		case src[j+1] == '\n':
			dst = append(dst, "^M$\n"...)
			src = src[j+2:]
		default:
			dst = append(dst, '\r')
			src = src[j+1:]
		}
	}
}

// Finish returns dst with what is owed at the end of all input: a CR that ended the last file
// under -E (GNU writes it after the last file).
func (f *Formatter) Finish(dst []byte) []byte {
	if f.pendingCR {
		f.pendingCR = false
		dst = append(dst, '\r')
	}
	return dst
}

// line renders seg, a run of bytes without LF; lfFollows says whether an LF comes next in this
// chunk (otherwise the chunk ended inside the line).
func (f *Formatter) line(dst, seg []byte, lfFollows bool) []byte {
	o := f.opts
	if o.ShowNonprinting {
		return f.encode(dst, seg)
	}
	crLast := o.ShowEnds && seg[len(seg)-1] == '\r'
	if crLast {
		seg = seg[:len(seg)-1]
	}
	if o.ShowTabs {
		for {
			j := bytes.IndexByte(seg, '\t')
			if j < 0 {
				break
			}
			dst = append(dst, seg[:j]...)
			dst = append(dst, '^', 'I')
			seg = seg[j+1:]
		}
	}
	dst = append(dst, seg...)
	if crLast {
		// GNU shows CR as ^M only right before the LF that -E marks with $; a CR at the end of
		// the chunk waits to see what follows, even in the next file.
		switch {
		case lfFollows:
			dst = append(dst, '^', 'M')
		default:
			f.pendingCR = true
		}
	}
	return dst
}

// encode appends the rendering of seg through the byte table, one load and one 4-byte store a
// byte, without a branch on the byte: text with a tab or a non-ASCII letter every few words
// defeats any branch on "is this byte special" (an earlier version tested eight bytes at once
// and restarted after each special byte: 2.5 times slower on log-like text, 10 times on binary
// data, see BenchmarkFormat). Only the output length depends on the previous byte, and adding
// is the whole chain; the table loads run ahead.
func (f *Formatter) encode(dst, seg []byte) []byte {
	n := len(dst)
	need := n + 4*len(seg) + 4
	if cap(dst) < need {
		grown := make([]byte, n, 2*need)
		copy(grown, dst)
		dst = grown
	}
	// The stores go through a raw pointer. Safe: need bytes exist, every input byte consumed
	// reserved 4 output bytes and produces at most 4, and a store writes 4 bytes at the
	// current output length. Bounds checks here cost a third of the time.
	base := unsafe.Pointer(unsafe.SliceData(dst[:need]))
	tab := &f.tab
	for _, c := range seg {
		e := tab[c]
		*(*uint32)(unsafe.Add(base, n)) = uint32(e)
		n += int(e >> 32)
	}
	return dst[:n]
}

// lineNumber is the "%6d\t" prefix kept as text and incremented in place, as GNU does, so
// numbering costs no division: digits[start:] is the current rendering.
type lineNumber struct {
	buf   [32]byte
	start int
}

func (l *lineNumber) init() {
	copy(l.buf[len(l.buf)-7:], "     0\t")
	l.start = len(l.buf) - 7
}

// appendNext increments the number and appends its rendering; past 999999 the field grows.
func (l *lineNumber) appendNext(dst []byte) []byte {
	i := len(l.buf) - 2
	for l.buf[i] == '9' {
		l.buf[i] = '0'
		i--
	}
	switch {
	case i < l.start:
		l.start = i
		l.buf[i] = '1'
	case l.buf[i] == ' ':
		l.buf[i] = '1'
	default:
		l.buf[i]++
	}
	return append(dst, l.buf[l.start:]...)
}
