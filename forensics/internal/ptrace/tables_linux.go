package ptrace

//go:generate go run gentables.go

// The flag and value tables are generated (ztables_linux.go, from gentables.go's lists and
// x/sys/unix's values). What x/sys does not have at all lives here.

// archPrctlNames are asm/prctl.h's codes (not exported by x/sys).
var archPrctlNames = map[uint64]string{
	0x1001: "ARCH_SET_GS", 0x1002: "ARCH_SET_FS", 0x1003: "ARCH_GET_FS", 0x1004: "ARCH_GET_GS",
	0x1011: "ARCH_GET_CPUID", 0x1012: "ARCH_SET_CPUID", 0x3001: "ARCH_SHSTK_ENABLE",
}

// ficlone is FICLONE, which strace names after its older alias too.
const ficloneName = "BTRFS_IOC_CLONE or FICLONE"
