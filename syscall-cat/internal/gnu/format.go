package gnu

import (
	"bytes"
	"encoding/binary"
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
	// enc and encLen hold the -v rendering of every byte other than LF, packed little endian
	// (at most 4 bytes: "M-^A"), so the -v path is one table load and one 4-byte store per byte.
	enc    [256]uint32
	encLen [256]uint8
}

// NewFormatter returns a Formatter for opts, at the start of a line with line number 0.
func NewFormatter(opts Options) *Formatter {
	f := &Formatter{opts: opts}
	f.num.init()
	for c := 0; c < 256; c++ {
		s := visible(byte(c), opts.ShowTabs)
		var w [4]byte
		copy(w[:], s)
		f.enc[c] = binary.LittleEndian.Uint32(w[:])
		f.encLen[c] = uint8(len(s))
	}
	return f
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

// MaxGrowth bounds len(output)/len(input) of Format, plus a line number per input byte: callers
// size buffers with it.
const MaxGrowth = 4 + len("  ") // "M-^X" per byte; a number is charged to the LF before it

// Format appends the rendering of src to dst and returns the extended slice.
func (f *Formatter) Format(dst, src []byte) []byte {
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

// encode appends the -v rendering of seg through the byte table.
func (f *Formatter) encode(dst, seg []byte) []byte {
	n := len(dst)
	need := n + 4*len(seg) + 4
	if cap(dst) < need {
		grown := make([]byte, n, 2*need)
		copy(grown, dst)
		dst = grown
	}
	out := dst[:need]
	for _, c := range seg {
		binary.LittleEndian.PutUint32(out[n:n+4], f.enc[c])
		n += int(f.encLen[c])
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
