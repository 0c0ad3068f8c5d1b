#include "textflag.h"

// func rawSpawn(trap, a1, a2 uintptr, path, argv, envv unsafe.Pointer) (pid, errno uintptr)
//
// The whole life of the child, from clone to execve or exit_group, happens in this function and in
// registers only: no CALL, no PUSH, no store to memory. That is what makes CLONE_VM|CLONE_VFORK safe
// here: the child runs on the parent's stack, so any Go code in the child (even a RET and the next
// CALL) would overwrite the parent's frames (compare syscall.rawVforkSyscall, which must POP and
// re-PUSH its own return address around SYSCALL for the same reason). Without CLONE_VM (a real fork)
// the same path keeps the child away from Go's runtime: no stack growth, no allocation, no locks.
//
// trap is SYS_clone (a1 = flags, a2 = 0 = "child uses the same stack pointer") or SYS_clone3
// (a1 = &clone_args, a2 = its size). path == nil makes the child exit_group(0) at once; otherwise it
// execve(path, argv, envv)s and, if that fails, exit_group(127)s.
TEXT ·rawSpawn(SB),NOSPLIT|NOFRAME,$0-64
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	$0, DX		// clone: parent_tid (unused)
	MOVQ	$0, R10		// clone: child_tid (unused)
	MOVQ	$0, R8		// clone: tls (unused)
	MOVQ	path+24(FP), R12	// SYSCALL preserves R12, R13, R9: the child reads them
	MOVQ	argv+32(FP), R13
	MOVQ	envv+40(FP), R9
	MOVQ	trap+0(FP), AX
	SYSCALL
	CMPQ	AX, $0
	JEQ	child
	CMPQ	AX, $0xfffffffffffff001
	JLS	parent
	MOVQ	$0, pid+48(FP)
	NEGQ	AX
	MOVQ	AX, errno+56(FP)
	RET
parent:
	MOVQ	AX, pid+48(FP)
	MOVQ	$0, errno+56(FP)
	RET
child:
	MOVQ	$0, DI		// exit status when there is nothing to exec
	CMPQ	R12, $0
	JEQ	exit
	MOVQ	R12, DI
	MOVQ	R13, SI
	MOVQ	R9, DX
	MOVQ	$59, AX		// SYS_execve
	SYSCALL
	MOVQ	$127, DI	// execve failed: the shell's "cannot execute" status
exit:
	MOVQ	$231, AX	// SYS_exit_group
	SYSCALL
	JMP	exit		// unreachable: exit_group does not return
