package proc

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"kernel-foundations/forensics/internal/signame"
)

// SignalNames decodes a /proc/<pid>/status signal set (SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt):
// bit n-1 stands for signal n (fs/proc/array.c render_sigset_t), named as kill -l names it.
func SignalNames(set uint64) []string {
	var names []string
	for set != 0 {
		b := bits.TrailingZeros64(set)
		names = append(names, signame.Name(b+1))
		set &^= 1 << b
	}
	return names
}

// capNames are the capability numbers of include/uapi/linux/capability.h, spelled like
// capabilities(7) and capsh --decode.
var capNames = [...]string{
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
	"cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
	"cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct",
	"cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource", "cap_sys_time",
	"cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write", "cap_audit_control",
	"cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
}

// CapName names capability number n; numbers newer than this table print as cap_N.
func CapName(n int) string {
	if n >= 0 && n < len(capNames) {
		return capNames[n]
	}
	return "cap_" + strconv.Itoa(n)
}

// CapNames decodes a /proc/<pid>/status capability set (CapInh, CapPrm, CapEff, CapBnd, CapAmb).
func CapNames(set uint64) []string {
	var names []string
	for set != 0 {
		b := bits.TrailingZeros64(set)
		names = append(names, CapName(b))
		set &^= 1 << b
	}
	return names
}

// allCaps is the set of every capability this table knows.
const allCaps = 1<<len(capNames) - 1

// DescribeCaps renders a capability set compactly: "none", "all 41", or "all 41 except cap_x",
// and the names otherwise. A root shell's bounding set is the case that needs the short form.
func DescribeCaps(set uint64) string {
	switch {
	case set == 0:
		return "none"
	case set&allCaps == allCaps:
		s := fmt.Sprintf("all %d", len(capNames))
		if extra := set &^ allCaps; extra != 0 {
			s += " + " + strings.Join(CapNames(extra), " ")
		}
		return s
	case bits.OnesCount64(set&allCaps) >= len(capNames)-4:
		s := fmt.Sprintf("all %d except %s", len(capNames), strings.Join(CapNames(allCaps&^set), " "))
		if extra := set &^ allCaps; extra != 0 {
			s += " + " + strings.Join(CapNames(extra), " ")
		}
		return s
	}
	return strings.Join(CapNames(set), " ")
}

// DescribeSignals renders a signal set as names, "none", or, for sets of more than 48 of the 64
// signals (a Go program's SigCgt: the runtime installs a handler for nearly all of them),
// "all except" the missing ones.
func DescribeSignals(set uint64) string {
	switch {
	case set == 0:
		return "none"
	case set == ^uint64(0):
		return "all 64"
	case bits.OnesCount64(set) > 48:
		return "all 64 except " + strings.Join(SignalNames(^set), " ")
	}
	return strings.Join(SignalNames(set), " ")
}
