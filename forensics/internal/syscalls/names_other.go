//go:build !(linux && amd64)

package syscalls

// names is generated for linux/amd64 only (the tracer decodes x86-64 syscalls).
var names = [...]string{}
