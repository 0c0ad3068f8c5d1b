package ptrace

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"kernel-foundations/forensics/internal/signame"
	"kernel-foundations/forensics/internal/syscalls"
)

// CallSet is the set of syscalls to trace (-e trace=), by number; nil traces everything.
type CallSet map[uint64]bool

// ParseCallSet reads strace's -e trace= grammar: a comma list of names, %classes, /regexes
// and "all"/"none", each optionally prefixed with ? (ignore an unknown name); a leading ! negates
// the whole set. The result is the set of numbers to trace.
func ParseCallSet(expr string) (CallSet, error) {
	neg := false
	if strings.HasPrefix(expr, "!") {
		neg, expr = true, expr[1:]
	}
	set := CallSet{}
	if expr == "" {
		return nil, errors.New("invalid system call ''")
	}
	for _, item := range strings.Split(expr, ",") {
		optional := false
		if strings.HasPrefix(item, "?") {
			optional, item = true, item[1:]
		}
		n, err := addCalls(set, item)
		if err != nil {
			return nil, err
		}
		if n == 0 && !optional && item != "none" {
			return nil, fmt.Errorf("invalid system call '%s'", item)
		}
	}
	if neg {
		out := CallSet{}
		for nr := uint64(0); nr < 1024; nr++ {
			if name := syscalls.Name(nr); !strings.HasPrefix(name, "syscall_") && !set[nr] {
				out[nr] = true
			}
		}
		return out, nil
	}
	return set, nil
}

// addCalls adds the calls item names to set and returns how many it matched.
func addCalls(set CallSet, item string) (int, error) {
	n := 0
	add := func(name string) {
		if nr, ok := syscalls.Number(name); ok {
			set[nr] = true
			n++
		}
	}
	switch {
	case item == "all":
		for name := range straceCalls {
			add(name)
		}
	case item == "none":
	case strings.HasPrefix(item, "%"):
		cl, ok := classNames[item[1:]]
		if !ok {
			return 0, fmt.Errorf("invalid system call '%s'", item)
		}
		for name, info := range straceCalls {
			if info.classes&cl != 0 {
				add(name)
			}
		}
	case strings.HasPrefix(item, "/"):
		re, err := regexp.Compile(item[1:])
		if err != nil {
			return 0, fmt.Errorf("invalid system call '%s': %v", item, err)
		}
		for name := range straceCalls {
			if re.MatchString(name) {
				add(name)
			}
		}
	default:
		if nr, err := strconv.ParseUint(item, 10, 16); err == nil {
			set[nr] = true
			return 1, nil
		}
		add(item)
	}
	return n, nil
}

// SignalSet is the set of signals whose delivery is printed (-e signal=); nil prints all.
type SignalSet map[int]bool

// ParseSignalSet reads -e signal=: names (with or without SIG), numbers, all, none, and a
// leading ! to negate.
func ParseSignalSet(expr string) (SignalSet, error) {
	neg := false
	if strings.HasPrefix(expr, "!") {
		neg, expr = true, expr[1:]
	}
	set := SignalSet{}
	for _, item := range strings.Split(expr, ",") {
		switch {
		case item == "all":
			for s := 1; s <= 64; s++ {
				set[s] = true
			}
		case item == "none":
		default:
			n, err := strconv.Atoi(item)
			if err != nil || n < 1 || n > 64 {
				n = 0
				for s := 1; s <= 64; s++ {
					if name := signame.Strace(s); strings.EqualFold(name, item) || strings.EqualFold(strings.TrimPrefix(name, "SIG"), item) {
						n = s
					}
				}
			}
			if n == 0 {
				return nil, fmt.Errorf("invalid signal '%s'", item)
			}
			set[n] = true
		}
	}
	if neg {
		out := SignalSet{}
		for s := 1; s <= 64; s++ {
			if !set[s] {
				out[s] = true
			}
		}
		return out, nil
	}
	return set, nil
}

// Status filter bits (-e status=, -z, -Z).
const (
	StatusSuccessful = 1 << iota
	StatusFailed
	StatusUnfinished
	StatusUnavailable
	StatusDetached
	StatusAll = StatusSuccessful | StatusFailed | StatusUnfinished | StatusUnavailable | StatusDetached
)

// ParseStatus reads -e status=: successful, failed, unfinished, unavailable, detached, all,
// none, and a leading ! to negate.
func ParseStatus(expr string) (int, error) {
	neg := false
	if strings.HasPrefix(expr, "!") {
		neg, expr = true, expr[1:]
	}
	names := map[string]int{
		"successful": StatusSuccessful, "failed": StatusFailed, "unfinished": StatusUnfinished,
		"unavailable": StatusUnavailable, "detached": StatusDetached, "all": StatusAll, "none": 0,
	}
	v := 0
	for _, item := range strings.Split(expr, ",") {
		b, ok := names[item]
		if !ok {
			return 0, fmt.Errorf("invalid status '%s'", item)
		}
		v |= b
	}
	if neg {
		v = StatusAll &^ v
	}
	return v, nil
}
