package gnu

// Help is the text of "cat --help" as coreutils 9.1 prints it in the C locale. prog is argv[0]
// verbatim: GNU prints the name it was invoked by in the Usage line and the examples.
//
// The "Report any translation bugs" line is printed by coreutils whenever LC_MESSAGES is not an
// "en_*" locale (emit_ancillary_info); this machine has no en_* locale, so GNU always prints it.
func Help(prog string) string {
	return "Usage: " + prog + ` [OPTION]... [FILE]...
Concatenate FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

  -A, --show-all           equivalent to -vET
  -b, --number-nonblank    number nonempty output lines, overrides -n
  -e                       equivalent to -vE
  -E, --show-ends          display $ at end of each line
  -n, --number             number all output lines
  -s, --squeeze-blank      suppress repeated empty output lines
  -t                       equivalent to -vT
  -T, --show-tabs          display TAB characters as ^I
  -u                       (ignored)
  -v, --show-nonprinting   use ^ and M- notation, except for LFD and TAB
      --help        display this help and exit
      --version     output version information and exit

Examples:
  ` + prog + ` f - g  Output f's contents, then standard input, then g's contents.
  ` + prog + `        Copy standard input to standard output.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/cat>
or available locally via: info '(coreutils) cat invocation'
`
}

// Version is the text of "cat --version" (coreutils 9.1). The program name in it is fixed.
const Version = `cat (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Torbjorn Granlund and Richard M. Stallman.
`

// TryHelp is the line GNU prints after an option error.
func TryHelp(prog string) string {
	return "Try '" + prog + " --help' for more information.\n"
}
