//go:build linux && !amd64

package spawnbench

import "unsafe"

// rawSpawn is written in amd64 assembly only; other architectures measure the Go-runtime modes.
func rawSpawn(trap, a1, a2 uintptr, path, argv, envv unsafe.Pointer) (pid, errno uintptr) {
	panic("spawnbench: raw clone modes are implemented for amd64 only")
}

const rawSpawnSupported = false
