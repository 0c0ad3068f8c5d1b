package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"kernel-foundations/vfs-explorer/internal/workload"
)

// figure is one number a recipe printed, next to the number the workload says it must be.
type figure struct {
	Recipe string
	Name   string // what is compared, e.g. "@total[read]"
	Want   string // from the workload's own counts, with where it comes from
	Got    string // from the recipe's output
	OK     bool
}

// eq makes a figure comparing two integers.
func eq(recipe, name string, got, want int64, why string) figure {
	return figure{Recipe: recipe, Name: name, Got: strconv.FormatInt(got, 10),
		Want: fmt.Sprintf("%d (%s)", want, why), OK: got == want}
}

// pageSize is the page size the writeback figures are counted in. The workload writes whole
// pages (its chunk is 4096), each into a clean page once, so every page is dirtied exactly once.
const pageSize = 4096

// filelifeSlack is how far filelife's age may be from the workload's own measurement. The two
// clocks bracket almost the same interval (the workload reads the clock just after openat
// returns and just before unlinkat; the recipe at the openat exit tracepoint and inside ext4's
// unlink), so they differ by microseconds unless the workload is preempted in between.
const filelifeSlack = 5000 // microseconds

// figuresFor returns the figures of recipe name of family f, computed from its output o and the
// workload's report w. Each recipe's figures are the counts its header promises; the two
// families print the same shapes, except vfscount's keys (the probe) and filelife's PATH (the
// kprobe twin prints the name at unlink, not the path).
func figuresFor(name string, f Family, o btOutput, w workload.Counts) []figure {
	switch name {
	case "vfsstat":
		return vfsstatFigures(o, w)
	case "vfscount":
		if f == Kprobe {
			return vfscountKprobeFigures(o, w)
		}
		return vfscountFigures(o, w)
	case "opensnoop":
		return opensnoopFigures(o, w)
	case "vfssize":
		return vfssizeFigures(o, w)
	case "rwlat":
		return rwlatFigures(o, w)
	case "fsynclat":
		return fsynclatFigures(o, w)
	case "filetop":
		return filetopFigures(o, w)
	case "filelife":
		return filelifeFigures(o, w, f == Kprobe)
	case "writeback":
		return writebackFigures(o, w)
	}
	return []figure{{Recipe: name, Name: "figures", Want: "a figure table for this recipe", Got: "none"}}
}

func vfsstatFigures(o btOutput, w workload.Counts) []figure {
	const r = "vfsstat"
	want := []struct {
		op  string
		n   int
		why string
	}{
		{"read", w.Read + w.Pread64, "read + pread64"},
		{"write", w.Write + w.Pwrite64, "write + pwrite64"},
		{"open", w.Openat - w.OpenFailed, "openat - failed"},
		{"create", w.Creates, "creating openat"},
		{"fsync", w.Fsync + w.Fdatasync, "fsync + fdatasync"},
		{"rename", w.Renameat, "renameat"},
		{"unlink", w.Unlinkat, "unlinkat"},
		{"close", w.Close, "close"},
	}
	// The per-second lines: one printing of @ per interval, then clear(@), and the last one at
	// exit. bpftrace runs print and clear in user space one after the other, so an event that
	// lands between them is lost: the sum is exact only when no second ended inside the window,
	// i.e. when every printing but the last is empty (printings before the window are).
	prints := o.Prints["@"]
	exact := true
	for i, p := range prints {
		if i < len(prints)-1 && len(p) > 0 {
			exact = false
		}
	}
	var figs []figure
	known := map[string]bool{}
	for _, c := range want {
		known[c.op] = true
		figs = append(figs, eq(r, "@total["+c.op+"]", o.Maps["@total"][c.op], int64(c.n), c.why))
		var sum int64
		for _, p := range prints {
			sum += p[c.op]
		}
		f := eq(r, "@["+c.op+"] summed over seconds", sum, int64(c.n), c.why)
		if !exact {
			f.Want = fmt.Sprintf("at most %d (%s; a second ended in the window, print then clear may drop one)", c.n, c.why)
			f.OK = sum <= int64(c.n) && sum > 0
		}
		figs = append(figs, f)
	}
	var others []string
	for _, p := range slices.Concat(prints, []map[string]int64{o.Maps["@total"]}) {
		for k := range p {
			if !known[k] {
				others = append(others, k)
			}
		}
	}
	figs = append(figs, figure{Recipe: r, Name: "other operations", Want: "none (the eight above)",
		Got: fmt.Sprint(others), OK: len(others) == 0})
	return figs
}

func vfscountFigures(o btOutput, w workload.Counts) []figure {
	const r = "vfscount"
	m := o.Maps["@"]
	prefix := fmt.Sprintf("%s,%d,tracepoint:syscalls:sys_enter_", w.Comm, w.PID)
	want := []struct {
		call string
		n    int
	}{
		{"openat", w.Openat}, {"write", w.Write}, {"pwrite64", w.Pwrite64}, {"read", w.Read},
		{"pread64", w.Pread64}, {"fsync", w.Fsync}, {"fdatasync", w.Fdatasync}, {"close", w.Close},
		{"renameat", w.Renameat}, {"unlinkat", w.Unlinkat},
	}
	var figs []figure
	known := map[string]bool{}
	for _, c := range want {
		known[prefix+c.call] = true
		figs = append(figs, eq(r, "@["+c.call+"]", m[prefix+c.call], int64(c.n), "workload "+c.call))
	}
	var others []string
	for k := range m {
		if !known[k] {
			others = append(others, k)
		}
	}
	figs = append(figs, figure{Recipe: r, Name: "other keys", Want: "none (the workload makes no other VFS calls)",
		Got: fmt.Sprint(others), OK: len(others) == 0})
	return figs
}

// vfscountKprobeFigures: the kprobe twin's keys are [COMM, PID, kprobe:FUNCTION], the function
// as resolved on this kernel (file_close_fd or close_fd; __x64_sys_fsync or another
// architecture's entry symbol), so each call is found by the functions it may have been.
func vfscountKprobeFigures(o btOutput, w workload.Counts) []figure {
	const r = "vfscount"
	m := o.Maps["@"]
	prefix := fmt.Sprintf("%s,%d,kprobe:", w.Comm, w.PID)
	sys := func(name string) []string { return candidates("SYS_" + name) }
	want := []struct {
		call  string
		funcs []string
		n     int
		why   string
	}{
		{"vfs_read", []string{"vfs_read"}, w.Read + w.Pread64, "read + pread64"},
		{"vfs_write", []string{"vfs_write"}, w.Write + w.Pwrite64, "write + pwrite64"},
		{"vfs_open", []string{"vfs_open"}, w.Openat - w.OpenFailed, "openat - failed"},
		{"close", []string{"file_close_fd", "close_fd"}, w.Close, "close"},
		{"fsync", sys("fsync"), w.Fsync, "fsync"},
		{"fdatasync", sys("fdatasync"), w.Fdatasync, "fdatasync"},
		{"vfs_rename", []string{"vfs_rename"}, w.Renameat, "renameat"},
		{"vfs_unlink", []string{"vfs_unlink"}, w.Unlinkat, "unlinkat"},
	}
	var figs []figure
	known := map[string]bool{}
	for _, c := range want {
		var got int64
		for _, f := range c.funcs {
			known[prefix+f] = true
			got += m[prefix+f]
		}
		figs = append(figs, eq(r, "@["+c.call+"]", got, int64(c.n), "workload "+c.why))
	}
	var others []string
	for k := range m {
		if !known[k] {
			others = append(others, k)
		}
	}
	figs = append(figs, figure{Recipe: r, Name: "other keys", Want: "none (the workload makes no other VFS calls)",
		Got: fmt.Sprint(others), OK: len(others) == 0})
	return figs
}

// cutPidComm splits an event line of the recipes that print "%-7d %-16s ...": the pid, the
// command name and the rest of the line. The name is a fixed 16-byte column (bpftrace's printf
// pads by bytes, and a comm holds at most 15 of them), so it is cut by position: a name may hold
// blanks and digits of its own, and only its trailing blanks are lost in the padding.
func cutPidComm(l string) (pid int, comm, rest string, ok bool) {
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	at := max(i, 7) + 1 // the column and its separating blank
	if i == 0 || len(l) < at+17 || strings.Trim(l[i:at], " ") != "" || l[at+16] != ' ' {
		return 0, "", "", false
	}
	pid, err := strconv.Atoi(l[:i])
	if err != nil {
		return 0, "", "", false
	}
	return pid, strings.TrimRight(l[at:at+16], " "), l[at+17:], true
}

// nextField returns the first blank-separated field of s (leading blanks skipped) and what
// follows its one separating blank.
func nextField(s string) (field, rest string) {
	field, rest, _ = strings.Cut(strings.TrimLeft(s, " "), " ")
	return field, rest
}

type openEvent struct {
	pid, fd, errno int
	comm           string
	flags          uint64
	path           string
}

// parseOpensnoop reads opensnoop's event lines, "%-7d %-16s %4d %3d %8x %s": PID COMM FD ERR
// FLAGS PATH, PATH being the rest of the line. Other lines (the header, bpftrace's own) are
// skipped.
func parseOpensnoop(lines []string) []openEvent {
	var evs []openEvent
	for _, l := range lines {
		var e openEvent
		var rest, fd, errno, flags string
		var ok bool
		if e.pid, e.comm, rest, ok = cutPidComm(l); !ok {
			continue
		}
		fd, rest = nextField(rest)
		errno, rest = nextField(rest)
		flags, e.path = nextField(rest)
		var err1, err2, err3 error
		e.fd, err1 = strconv.Atoi(fd)
		e.errno, err2 = strconv.Atoi(errno)
		e.flags, err3 = strconv.ParseUint(flags, 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		evs = append(evs, e)
	}
	return evs
}

func opensnoopFigures(o btOutput, w workload.Counts) []figure {
	const r = "opensnoop"
	const oCreat, enoent = 0x40, 2
	var evs []openEvent
	for _, e := range parseOpensnoop(o.Lines) {
		if e.pid == w.PID {
			evs = append(evs, e)
		}
	}
	figs := []figure{eq(r, "lines", int64(len(evs)), int64(w.Openat), "openat calls")}
	var failed, creating int64
	for _, e := range evs {
		if e.fd < 0 {
			failed++
		}
		if e.fd >= 0 && e.errno == 0 && e.flags&oCreat != 0 {
			creating++
		}
	}
	figs = append(figs,
		eq(r, "FD -1 lines", failed, int64(w.OpenFailed), "failed openat"),
		eq(r, "O_CREAT lines with an fd", creating, int64(w.Creates), "creating openat"))
	// Every call, field by field. Lines are matched by path and flags, not by position: printf
	// output travels through per-CPU buffers, so two opens on different CPUs may print out of
	// order.
	type call struct {
		what, path string
		fd, errno  int
		flags      uint64
	}
	var calls []call
	for _, f := range w.Files {
		b := filepath.Base(f.Created)
		calls = append(calls,
			call{"create " + b, f.Created, f.CreateFD, 0, workload.CreateFlags},
			call{"reopen " + b, f.Created, f.ReadFD, 0, workload.ReadFlags})
	}
	calls = append(calls, call{"failed open", filepath.Join(w.Dir, workload.MissingName), -1, enoent, workload.ReadFlags})
	for _, c := range calls {
		var got []string
		for _, e := range evs {
			if e.path == c.path && e.flags == c.flags {
				got = append(got, fmt.Sprintf("FD %d ERR %d", e.fd, e.errno))
			}
		}
		want := fmt.Sprintf("FD %d ERR %d", c.fd, c.errno)
		f := figure{Recipe: r, Name: c.what, Want: fmt.Sprintf("one line %s (FLAGS %x %s)", want, c.flags, filepath.Base(c.path)),
			Got: strings.Join(got, "; "), OK: len(got) == 1 && got[0] == want}
		if len(got) == 0 {
			f.Got = "no line"
		}
		figs = append(figs, f)
	}
	return figs
}

func vfssizeFigures(o btOutput, w workload.Counts) []figure {
	const r = "vfssize"
	rd := o.Hists["@read_bytes"][w.Comm]
	wr := o.Hists["@write_bytes"][w.Comm]
	chunk := int64(w.Chunk)
	return []figure{
		eq(r, "@read_bytes total", histTotal(rd), int64(w.Read+w.Pread64), "read + pread64"),
		eq(r, "@read_bytes[0]", histCount(rd, 0), int64(w.EOFReads), "reads at end of file"),
		eq(r, fmt.Sprintf("@read_bytes bucket of %d", chunk), histCount(rd, chunk), int64(w.Read-w.EOFReads+w.Pread64), "full-chunk reads"),
		eq(r, "@write_bytes total", histTotal(wr), int64(w.Write+w.Pwrite64), "write + pwrite64"),
		eq(r, fmt.Sprintf("@write_bytes bucket of %d", chunk), histCount(wr, chunk), int64(w.Write+w.Pwrite64), "full-chunk writes"),
	}
}

func rwlatFigures(o btOutput, w workload.Counts) []figure {
	const r = "rwlat"
	return []figure{
		eq(r, "@read_us total", histTotal(o.Hists["@read_us"][w.Comm]), int64(w.Read+w.Pread64), "read + pread64"),
		eq(r, "@write_us total", histTotal(o.Hists["@write_us"][w.Comm]), int64(w.Write+w.Pwrite64), "write + pwrite64"),
	}
}

func fsynclatFigures(o btOutput, w workload.Counts) []figure {
	const r = "fsynclat"
	h := o.Hists["@sync_us"]
	return []figure{
		eq(r, "@sync_us[fsync] total", histTotal(h["fsync"]), int64(w.Fsync), "fsync"),
		eq(r, "@sync_us[fdatasync] total", histTotal(h["fdatasync"]), int64(w.Fdatasync), "fdatasync"),
		eq(r, "@sync_us[sync_file_range] total", histTotal(h["sync_file_range"]), 0, "none made"),
	}
}

func filetopFigures(o btOutput, w workload.Counts) []figure {
	const r = "filetop"
	var figs []figure
	for _, f := range w.Files {
		// The file is named as at the time of its I/O, before the rename.
		key := fmt.Sprintf("%s,%d,%d,%s", w.Comm, w.PID, f.Inode, filepath.Base(f.Created))
		b := filepath.Base(f.Created)
		figs = append(figs,
			eq(r, "@read_bytes["+b+"]", o.Maps["@read_bytes"][key], int64(f.BytesRead), "bytes returned, EOF read adds 0"),
			eq(r, "@reads["+b+"]", o.Maps["@reads"][key], int64(f.Reads), "read + pread64"),
			eq(r, "@write_bytes["+b+"]", o.Maps["@write_bytes"][key], int64(f.BytesWritten), "write + pwrite64 bytes"),
			eq(r, "@writes["+b+"]", o.Maps["@writes"][key], int64(f.Writes), "write + pwrite64"))
	}
	figs = append(figs, eq(r, "files read", int64(len(o.Maps["@read_bytes"])), int64(len(w.Files)), "files"),
		eq(r, "files written", int64(len(o.Maps["@write_bytes"])), int64(len(w.Files)), "files"))
	return figs
}

type lifeEvent struct {
	pid   int
	comm  string
	ageUs int64
	path  string
}

// parseFilelife reads filelife's event lines, "%-7d %-16s %6d.%03d %s": PID COMM AGE_MS PATH,
// the age with three decimals, PATH being the rest of the line.
func parseFilelife(lines []string) []lifeEvent {
	var evs []lifeEvent
	for _, l := range lines {
		var e lifeEvent
		var rest string
		var ok bool
		if e.pid, e.comm, rest, ok = cutPidComm(l); !ok {
			continue
		}
		var age string
		age, e.path = nextField(rest)
		ms, frac, ok := strings.Cut(age, ".")
		m, err1 := strconv.ParseInt(ms, 10, 64)
		f, err2 := strconv.ParseInt(frac, 10, 64)
		if !ok || len(frac) != 3 || err1 != nil || err2 != nil || m < 0 || f < 0 {
			continue
		}
		e.ageUs = m*1000 + f
		evs = append(evs, e)
	}
	return evs
}

func filelifeFigures(o btOutput, w workload.Counts, baseNames bool) []figure {
	const r = "filelife"
	ages := map[string]int64{} // path -> age in microseconds
	for _, e := range parseFilelife(o.Lines) {
		if e.pid == w.PID {
			ages[e.path] = e.ageUs
		}
	}
	figs := []figure{eq(r, "lines", int64(len(ages)), int64(len(w.Files)), "files created and unlinked")}
	for _, f := range w.Files {
		key := f.Final
		if baseNames {
			key = filepath.Base(f.Final)
		}
		age, ok := ages[key]
		d := age - f.AgeMicros
		figs = append(figs, figure{Recipe: r, Name: "age of " + filepath.Base(f.Final),
			Want: fmt.Sprintf("%d.%03d ms ± %d ms (workload's clock)", f.AgeMicros/1000, f.AgeMicros%1000, filelifeSlack/1000),
			Got:  fmt.Sprintf("%d.%03d ms", age/1000, age%1000),
			OK:   ok && d >= -filelifeSlack && d <= filelifeSlack})
	}
	return figs
}

func writebackFigures(o btOutput, w workload.Counts) []figure {
	const r = "writeback"
	var figs []figure
	for _, f := range w.Files {
		pages := int64((f.BytesWritten - w.Chunk + pageSize - 1) / pageSize) // the pwrite rewrites a dirty page
		var dirtied, written int64
		suffix := "," + strconv.FormatUint(f.Inode, 10)
		for k, v := range o.Maps["@dirtied"] {
			if strings.HasSuffix(k, suffix) {
				dirtied += v
			}
		}
		for k, v := range o.Maps["@written"] {
			if strings.HasSuffix(k, suffix) {
				written += v
			}
		}
		b := filepath.Base(f.Created)
		figs = append(figs,
			eq(r, "@dirtied["+b+"]", dirtied, pages, "file size in pages"),
			eq(r, "@written["+b+"]", written, pages, "every dirty page, by "+f.Synced))
	}
	return figs
}

// workloadFigure checks the workload's own report against what its configuration promises, so
// that a recipe is never "proved" against a workload that did something else.
func workloadFigure(recipe string, got, want workload.Counts) figure {
	strip := func(c workload.Counts) string {
		c.Dir, c.PID, c.Comm, c.ElapsedMicros = "", 0, "", 0
		var s strings.Builder
		for _, f := range c.Files {
			fmt.Fprintf(&s, "%s>%s w%d/%d r%d/%d %s;", filepath.Base(f.Created), filepath.Base(f.Final),
				f.BytesWritten, f.Writes, f.BytesRead, f.Reads, f.Synced)
		}
		c.Files = nil
		return fmt.Sprintf("%+v %s", c, s.String())
	}
	g, wn := strip(got), strip(want)
	return figure{Recipe: recipe, Name: "workload counts", Want: "as configured", Got: map[bool]string{true: "as configured", false: g}[g == wn], OK: g == wn}
}
