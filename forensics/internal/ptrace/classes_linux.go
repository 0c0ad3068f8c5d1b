package ptrace

// Trace classes, strace's -e trace=%NAME (strace(1), "Filtering"). Membership per call comes
// from strace 6.1's table (zstrace61_linux.go).
const (
	clDesc = 1 << iota
	clFile
	clIPC
	clNetwork
	clProcess
	clSignal
	clMemory
	clStat
	clLstat
	clFstat
	clStatLike
	clStatfs
	clFstatfs
	clStatfsLike
	clPure
	clSeccompDefault
	clCreds
	clClock
)

type callInfo struct {
	nargs   int
	classes uint32
}

// classNames are the class names strace accepts after %.
var classNames = map[string]uint32{
	"desc": clDesc, "file": clFile, "ipc": clIPC, "network": clNetwork, "net": clNetwork,
	"process": clProcess, "signal": clSignal, "memory": clMemory, "stat": clStat, "lstat": clLstat,
	"fstat": clFstat, "%stat": clStatLike, "statfs": clStatfs, "fstatfs": clFstatfs, "%statfs": clStatfsLike,
	"pure": clPure, "seccomp_default": clSeccompDefault, "creds": clCreds, "clock": clClock,
}
