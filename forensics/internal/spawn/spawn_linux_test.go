package spawn

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseProgress(t *testing.T) {
	tests := []struct {
		line    string
		want    Message
		wantErr bool
	}{
		{"ready", Message{Ready: true}, false},
		{"ready\n", Message{Ready: true}, false},
		{"progress 1234", Message{Hashes: 1234}, false},
		{"log worker 1 pid 2: done", Message{Log: "worker 1 pid 2: done"}, false},
		{"progress -1", Message{}, true},
		{"progress", Message{}, true},
		{"hello", Message{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := ParseProgress(tt.line)
			if (err != nil) != tt.wantErr || (err == nil && got != tt.want) {
				t.Errorf("ParseProgress(%q) = %+v, %v; want %+v, error %v", tt.line, got, err, tt.want, tt.wantErr)
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
