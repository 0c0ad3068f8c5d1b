module kernel-foundations/forensics

// go 1.26: os.Process.WithHandle, SysProcAttr.PidFD and the GOMAXPROCS-from-cgroup
// behaviour this course documents are all 1.26 behaviour.
go 1.26.0

require golang.org/x/sys v0.50.0
