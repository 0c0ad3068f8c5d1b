package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// usage is what /proc says of the server under load.
type usage struct {
	cpu    time.Duration // user + system time of all its threads, dead ones included
	rssKiB int64
}

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux architecture Go
// supports (the kernel's ABI, sysconf(_SC_CLK_TCK)), whatever the kernel's own HZ.
const clockTick = 10 * time.Millisecond

// readUsage reads utime and stime (fields 14 and 15 of /proc/PID/stat, counted after the comm
// field, which may hold spaces and parentheses: proc(5)) and VmRSS from /proc/PID/status.
func readUsage(pid int) (usage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return usage{}, err
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return usage{}, fmt.Errorf("/proc/%d/stat: no comm field", pid)
	}
	f := bytes.Fields(stat[i+1:]) // f[0] is field 3, state
	if len(f) < 13 {
		return usage{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return usage{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return usage{}, err
	}
	var rss int64 = -1
	for _, line := range bytes.Split(st, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			rss, err = strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return usage{}, fmt.Errorf("/proc/%d/status VmRSS: %w", pid, err)
			}
		}
	}
	if rss < 0 {
		return usage{}, fmt.Errorf("/proc/%d/status: no VmRSS (a zombie?)", pid)
	}
	return usage{cpu: time.Duration(ticks) * clockTick, rssKiB: rss}, nil
}

// memAvailable is MemAvailable from /proc/meminfo in bytes, or -1 when it cannot be read.
func memAvailable() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return -1
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("MemAvailable:")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err == nil {
				return n << 10
			}
		}
	}
	return -1
}
