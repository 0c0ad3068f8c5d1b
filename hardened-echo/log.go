package main

import (
	"fmt"
	"io"
	"sync"
)

// logger writes one line per event to stderr. Under systemd, when stderr is the journal stream,
// each line starts with its syslog priority, "<4>" warning or "<6>" info (sd-daemon(3)), which
// journald strips and stores as PRIORITY=; elsewhere lines start with the level's name.
type logger struct {
	mu      sync.Mutex
	w       io.Writer
	journal bool
}

func newLogger(w io.Writer, journal bool) *logger { return &logger{w: w, journal: journal} }

func (l *logger) info(format string, args ...any) { l.print("<6>", "info: ", format, args) }
func (l *logger) warn(format string, args ...any) { l.print("<4>", "warning: ", format, args) }

func (l *logger) print(prio, name, format string, args []any) {
	prefix := name
	if l.journal {
		prefix = prio
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s%s\n", prefix, fmt.Sprintf(format, args...))
}
