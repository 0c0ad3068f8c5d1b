package ptrace

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// pageMem is a tracee address space holding one region, which straddles a page boundary; it
// records every read, and reads outside the region fail with EFAULT as process_vm_readv does.
type pageMem struct {
	base  uint64
	b     []byte
	reads [][2]uint64 // addr, len
}

func (m *pageMem) read(addr uint64, p []byte) (int, error) {
	m.reads = append(m.reads, [2]uint64{addr, uint64(len(p))})
	if addr < m.base || addr >= m.base+uint64(len(m.b)) {
		return 0, unix.EFAULT
	}
	return copy(p, m.b[addr-m.base:]), nil
}

// unquote reverses quote, reading its output as a C string literal does (an octal escape takes
// up to three digits), and reports whether it ended in "...".
func unquote(t *testing.T, q string) ([]byte, bool) {
	t.Helper()
	truncated := false
	if s, ok := bytes.CutSuffix([]byte(q), []byte("...")); ok && len(s) >= 2 {
		q, truncated = string(s), true
	}
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		t.Fatalf("%q is not a quoted string", q)
	}
	q = q[1 : len(q)-1]
	var out []byte
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' {
			out = append(out, q[i])
			continue
		}
		i++
		switch c := q[i]; c {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'f':
			out = append(out, '\f')
		case 'v':
			out = append(out, '\v')
		case '"', '\\':
			out = append(out, c)
		case 'x':
			v, err := strconv.ParseUint(q[i+1:min(i+3, len(q))], 16, 8)
			if err != nil || i+3 > len(q) {
				t.Fatalf("%q: bad hex escape at %d", q, i)
			}
			out = append(out, byte(v))
			i += 2
		default:
			j := i
			for j < len(q) && j < i+3 && q[j] >= '0' && q[j] <= '7' {
				j++
			}
			v, err := strconv.ParseUint(q[i:j], 8, 8)
			if err != nil {
				t.Fatalf("%q: bad escape at %d", q, i)
			}
			out = append(out, byte(v))
			i = j - 1
		}
	}
	return out, truncated
}

// FuzzDecode gives the decoders arbitrary registers and tracee memory. A call's line (entry,
// exit and result) must never
// panic and must print one line of printable ASCII whatever the memory holds. quote must read
// back, as a C string literal, to the bytes it was given. readString must return what the
// memory holds up to the NUL or the limit, and never ask for more than one byte past the limit
// (strace's look-ahead for the NUL) nor read
// across a page boundary in one call; readBuf must make one read of at most its limit and print
// exactly what the memory holds there.
func FuzzDecode(f *testing.F) {
	f.Add(uint16(3), uint64(0xffffff9c), uint64(0), uint64(0x80000), uint64(0o644), uint64(0), uint64(0), uint8(2), []byte("/etc/hostname\x00"), uint16(0), uint16(4096))
	f.Add(uint16(100), uint64(1), uint64(0), uint64(100), uint64(0), uint64(0), uint64(0), uint8(2), []byte("hello\n\x01\x02\xff\"\\"), uint16(3), uint16(32))
	f.Add(uint16(7), uint64(0), uint64(8), uint64(0), uint64(0), uint64(0), uint64(0), uint8(7), make([]byte, 64), uint16(8), uint16(1))
	names := []string{"no_such_syscall"}
	for n := range specs {
		names = append(names, n)
	}
	slices.Sort(names)
	f.Fuzz(func(t *testing.T, sys uint16, a0, a1, a2, a3, a4, a5 uint64, ptrs uint8, b []byte, off, max uint16) {
		m := &pageMem{base: 0x200000 - uint64(len(b))/2, b: b}
		args := [6]uint64{a0, a1, a2, a3, a4, a5}
		for i := range args {
			if ptrs&(1<<i) != 0 {
				args[i] = m.base + args[i]%(uint64(len(b))+1)
			}
		}
		name := names[int(sys)%len(names)]
		c := call{name: name, args: args, mem: m.read, t: New(Options{Out: io.Discard}), rval: int64(a5 % 64), isErr: ptrs&0x80 != 0}
		if c.isErr {
			c.rval = -int64(a5%600) - 1 // -errno, the kernel's internal restart codes included
		}
		out := c.entryText() + c.exitText() + " = " + c.formatReturn()
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] >= 0x7f {
				t.Fatalf("%s%v: byte %d of %q is %#x", name, args, i, out, out[i])
			}
		}
		// One read is at most a page, or an array the call names, whose count the decoder caps at
		// UIO_MAXIOV (1024) elements: struct iovec, 16 bytes each, is the largest.
		for _, r := range m.reads {
			if r[1] > 1024*16 {
				t.Fatalf("%s%v: a read of %d bytes", name, args, r[1])
			}
		}

		for _, trunc := range []bool{false, true} {
			for hex := range 3 { // -x: 0 none, 1 non-ASCII strings in hex, 2 (-xx) all
				q := quote(b, trunc, hex)
				back, gotTrunc := unquote(t, q)
				if !bytes.Equal(back, b) || gotTrunc != trunc {
					t.Fatalf("quote(%q, %v, %d) = %s, reads back as %q, %v", b, trunc, hex, q, back, gotTrunc)
				}
			}
		}

		limit := int(max%8192) + 1
		addr := m.base + uint64(off)%(uint64(len(b))+1)
		m.reads = nil
		got := readString(m.read, addr, limit, 0)
		s := b[addr-m.base:]
		var want string
		// Like strace, one byte past the limit is read: a string of exactly limit bytes is
		// whole, not cut.
		switch i := bytes.IndexByte(s[:min(len(s), limit+1)], 0); {
		case i >= 0:
			want = quote(s[:i], false, 0)
		case len(s) == 0:
			want = hexPtr(addr)
		default:
			want = quote(s[:min(len(s), limit)], true, 0)
		}
		if got != want {
			t.Fatalf("readString(%#x, %d) over %q at %#x = %s, want %s", addr, limit, b, m.base, got, want)
		}
		for _, r := range m.reads {
			if r[0]+r[1] > addr+uint64(limit)+1 {
				t.Fatalf("readString(%#x, %d): read %d bytes at %#x, past the limit", addr, limit, r[1], r[0])
			}
			if r[1] > 0 && r[0]/4096 != (r[0]+r[1]-1)/4096 {
				t.Fatalf("readString(%#x, %d): read %d bytes at %#x, across a page boundary", addr, limit, r[1], r[0])
			}
		}

		// readBuf: one read of at most its limit, printing exactly what the buffer has there.
		n := a5 % 100
		m.reads = nil
		got = readBuf(m.read, addr, n, 32, 0)
		l := min(n, 32)
		have := min(l, uint64(len(s)))
		if len(s) == 0 && l > 0 {
			want = hexPtr(addr)
		} else {
			want = quote(s[:have], n > have, 0)
		}
		if got != want {
			t.Fatalf("readBuf(%#x, %d, 32) over %q at %#x = %s, want %s", addr, n, b, m.base, got, want)
		}
		if len(m.reads) != 1 || m.reads[0] != [2]uint64{addr, l} {
			t.Fatalf("readBuf(%#x, %d, 32) read %v, want %d bytes at %#x", addr, n, m.reads, l, addr)
		}
	})
}
