package sd

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// StderrIsJournal reports whether stderr is the journal stream systemd connected, so log lines may
// carry "<N>" syslog priority prefixes (sd-daemon(3)). It compares JOURNAL_STREAM, "DEV:INODE" of
// the stream (systemd.exec(5)), with fstat(2) of fd 2: a variable inherited by a process whose
// stderr was redirected elsewhere must not turn the prefixes on.
func StderrIsJournal() bool {
	env := os.Getenv("JOURNAL_STREAM")
	if env == "" {
		return false
	}
	var dev, ino uint64
	if _, err := fmt.Sscanf(env, "%d:%d", &dev, &ino); err != nil {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(2, &st); err != nil {
		return false
	}
	return st.Dev == dev && st.Ino == ino
}
