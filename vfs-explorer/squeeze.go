package main

import "io"

// squeezeWriter passes text through with runs of blank lines cut to one. bpftrace prints every
// map at exit, and an empty one (a scratch map, or the follow prelude's @traced once every
// process has exited) as bare newlines, which would leave a trail of blank lines after the
// output of run.
type squeezeWriter struct {
	w       io.Writer
	newline int // consecutive '\n' just written
}

func (s *squeezeWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p))
	for _, b := range p {
		if b == '\n' {
			s.newline++
			if s.newline > 2 {
				continue
			}
		} else {
			s.newline = 0
		}
		out = append(out, b)
	}
	if _, err := s.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
