//go:build !linux

// Signals arrive through signalfd and the mask is set with rt_sigprocmask on every thread. On
// any other GOOS the build stops here, on the undefined name below, which is the message.
package sig

var _ = sig_builds_on_Linux_only
