package spawn

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseProgress(t *testing.T) {
	tests := []struct {
		line    string
		ready   bool
		hashes  uint64
		wantErr bool
	}{
		{"ready", true, 0, false},
		{"ready\n", true, 0, false},
		{"progress 1234", false, 1234, false},
		{"progress -1", false, 0, true},
		{"progress", false, 0, true},
		{"hello", false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			ready, hashes, err := ParseProgress(tt.line)
			if (err != nil) != tt.wantErr || ready != tt.ready || hashes != tt.hashes {
				t.Errorf("ParseProgress(%q) = %v, %d, %v; want %v, %d, error %v", tt.line, ready, hashes, err, tt.ready, tt.hashes, tt.wantErr)
			}
		})
	}
}

func TestExit(t *testing.T) {
	tests := []struct {
		e       Exit
		want    string
		success bool
	}{
		{Exit{Code: CLDExited, Status: 0}, "exited with status 0", true},
		{Exit{Code: CLDExited, Status: 3}, "exited with status 3", false},
		{Exit{Code: CLDKilled, Status: int(unix.SIGKILL)}, "killed by SIGKILL", false},
		{Exit{Code: CLDDumped, Status: int(unix.SIGSEGV)}, "killed by SIGSEGV (core dumped)", false},
		{Exit{Code: 9, Status: 1}, "si_code 9 status 1", false},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.e, got, tt.want)
		}
		if got := tt.e.Success(); got != tt.success {
			t.Errorf("%+v.Success() = %v, want %v", tt.e, got, tt.success)
		}
	}
	e := Exit{Rusage: unix.Rusage{Utime: unix.Timeval{Sec: 1, Usec: 500000}, Stime: unix.Timeval{Usec: 250000}}}
	if got, want := e.CPU(), 1750*time.Millisecond; got != want {
		t.Errorf("CPU() = %v, want %v", got, want)
	}
}
