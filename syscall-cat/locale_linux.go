package main

import (
	"strings"

	"golang.org/x/sys/unix"
)

// utf8Locale reports whether the C library would run with a UTF-8 LC_CTYPE: the first of
// LC_ALL, LC_CTYPE, LANG that is set names a UTF-8 locale that exists. Only then does GNU leave
// printable non-ASCII characters unescaped in quoted file names.
func utf8Locale(getenv func(string) string) bool {
	name := ""
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if name = getenv(v); name != "" {
			break
		}
	}
	base, codeset, ok := strings.Cut(name, ".")
	if !ok {
		return false
	}
	codeset, _, _ = strings.Cut(codeset, "@")
	if cs := strings.ToLower(strings.ReplaceAll(codeset, "-", "")); cs != "utf8" {
		return false
	}
	if base == "C" {
		return true // glibc 2.35+ builds C.UTF-8 in
	}
	// Other locales exist only if installed (the archive, or a directory named with the
	// normalised codeset, as glibc's locale loader looks them up).
	var st unix.Stat_t
	return unix.Stat("/usr/lib/locale/"+base+".utf8", &st) == nil ||
		unix.Stat("/usr/lib/locale/locale-archive", &st) == nil
}
