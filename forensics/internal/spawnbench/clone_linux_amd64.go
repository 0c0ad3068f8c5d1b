package spawnbench

import "unsafe"

// rawSpawn creates a child with clone(2) or clone3(2) that does nothing but execve(2) or
// exit_group(2), entirely in assembly (clone_linux_amd64.s). It returns in the parent only.
//
//go:noescape
func rawSpawn(trap, a1, a2 uintptr, path, argv, envv unsafe.Pointer) (pid, errno uintptr)

const rawSpawnSupported = true
