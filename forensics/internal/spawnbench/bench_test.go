package spawnbench

import (
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"4096", 4096, true}, {"512K", 512 << 10, true}, {"256M", 256 << 20, true},
		{"4G", 4 << 30, true}, {"1GiB", 1 << 30, true}, {"-1", 0, false}, {"12Q", 0, false}, {"", 0, false},
	} {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestSummarise(t *testing.T) {
	var ds []time.Duration
	for i := 10; i >= 1; i-- { // 10..1 us, unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Microsecond)
	}
	st := Summarise(ds)
	us := time.Microsecond
	if st.N != 10 || st.Min != us || st.P10 != us || st.Median != 5*us || st.P90 != 9*us || st.Max != 10*us {
		t.Errorf("Summarise(1..10us) = %+v", st)
	}
	if ds[0] != 10*us {
		t.Error("Summarise sorted its caller's slice")
	}
}

func TestParseModes(t *testing.T) {
	ms, err := ParseModes("fork,os/exec")
	if err != nil || len(ms) != 2 || ms[0] != ModeFork || ms[1] != ModeOSExec {
		t.Errorf("ParseModes = %v, %v", ms, err)
	}
	if _, err := ParseModes("posix_spawn"); err == nil {
		t.Error("ParseModes accepted an unknown mode")
	}
}
