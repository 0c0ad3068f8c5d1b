// Package sd implements the three parts of the systemd service contract that hardened-echo uses,
// without libsystemd: socket activation (sd_listen_fds_with_names(3)), readiness and status
// notification (sd_notify(3)), the service watchdog (sd_watchdog_enabled(3)), and the check that
// stderr is connected to the journal (JOURNAL_STREAM, systemd.exec(5)).
//
// Every function reads the environment the service manager sets; none of them needs systemd to be
// running, so the tests drive them with real sockets and real environment variables.
package sd
