package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// btOutput is what one bpftrace run printed with -f json, folded into lookups. A map printed
// more than once (an interval print, then the print at exit) keeps its last printing.
type btOutput struct {
	Lines []string                       // printf output, split into lines
	Maps  map[string]map[string]int64    // "@name" -> key -> value; an unkeyed map has key ""
	Hists map[string]map[string][]bucket // "@name" -> key -> buckets

	// Prints holds every printing of each map, in order: vfsstat's per-second lines are one
	// printing per interval, cleared in between.
	Prints map[string][]map[string]int64
}

// bucket is one histogram bucket: values in [Min, Max] were seen Count times.
type bucket struct {
	Min   int64 `json:"min"`
	Max   int64 `json:"max"`
	Count int64 `json:"count"`
}

// parseBpftraceJSON reads bpftrace's -f json stream: one object per line, {"type": ..., "data":
// ...}. Types it does not need (attached_probes, time, lost_events) are skipped; a line that is
// not JSON is an error, because then the output is not what this parser assumes.
func parseBpftraceJSON(r io.Reader) (btOutput, error) {
	out := btOutput{Maps: map[string]map[string]int64{}, Hists: map[string]map[string][]bucket{}, Prints: map[string][]map[string]int64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ev struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			return out, fmt.Errorf("bpftrace output line %d: %w: %.80q", n, err, line)
		}
		switch ev.Type {
		case "printf":
			var s string
			if err := json.Unmarshal(ev.Data, &s); err != nil {
				return out, fmt.Errorf("bpftrace output line %d: printf: %w", n, err)
			}
			out.Lines = append(out.Lines, strings.Split(strings.TrimSuffix(s, "\n"), "\n")...)
		case "map":
			if err := out.addMap(ev.Data); err != nil {
				return out, fmt.Errorf("bpftrace output line %d: map: %w", n, err)
			}
		case "hist", "lhist":
			if err := out.addHist(ev.Data); err != nil {
				return out, fmt.Errorf("bpftrace output line %d: %s: %w", n, ev.Type, err)
			}
		}
	}
	return out, sc.Err()
}

// addMap folds {"@name": {"key": value, ...}} or {"@name": value} into Maps. Keys of multi-key
// maps arrive joined with commas: "comm,pid,probe".
func (o *btOutput) addMap(data json.RawMessage) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for name, raw := range m {
		var scalar int64
		if json.Unmarshal(raw, &scalar) == nil {
			o.Maps[name] = map[string]int64{"": scalar}
			o.Prints[name] = append(o.Prints[name], o.Maps[name])
			continue
		}
		var keyed map[string]int64
		if err := json.Unmarshal(raw, &keyed); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		o.Maps[name] = keyed
		o.Prints[name] = append(o.Prints[name], keyed)
	}
	return nil
}

// addHist folds {"@name": {"key": [buckets]}} or {"@name": [buckets]} into Hists.
func (o *btOutput) addHist(data json.RawMessage) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for name, raw := range m {
		var plain []bucket
		if json.Unmarshal(raw, &plain) == nil {
			o.Hists[name] = map[string][]bucket{"": plain}
			continue
		}
		var keyed map[string][]bucket
		if err := json.Unmarshal(raw, &keyed); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		o.Hists[name] = keyed
	}
	return nil
}

// histTotal is the number of values a histogram holds.
func histTotal(bs []bucket) int64 {
	var n int64
	for _, b := range bs {
		n += b.Count
	}
	return n
}

// histCount is the count of the bucket holding v.
func histCount(bs []bucket, v int64) int64 {
	for _, b := range bs {
		if b.Min <= v && v <= b.Max {
			return b.Count
		}
	}
	return 0
}
