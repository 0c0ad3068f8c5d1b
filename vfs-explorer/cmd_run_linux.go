package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
)

// cmdList says which families can run here and why, then lists the recipes of the chosen
// family (auto: the family run would load for each recipe, fallbacks included).
func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	family := fs.String("family", "auto", "recipe `family`: auto, tracepoint or kprobe")
	all := fs.Bool("all", false, "list both families, whatever the kernel supports")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("list: unexpected argument %q", fs.Arg(0))
	}
	families := []Family{Tracepoint, Kprobe}
	auto := false
	if !*all {
		f, err := displayFamily(*family, stderr)
		if err != nil {
			return err
		}
		families = []Family{f}
		auto = *family == "auto" || *family == ""
	}
	for _, l := range familyStatus() {
		fmt.Fprintln(stdout, l)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFAMILY\tDESCRIPTION")
	for _, f := range families {
		rs, err := recipes(f)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if auto {
				if p, _, err := pickRecipe("auto", r.Name); err == nil {
					r = p
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Family, r.Description)
		}
	}
	return tw.Flush()
}

// familyStatus says, one line per family, whether it can run on this kernel and why; for the
// kprobe family also which recipes cannot be exact here (they run as their tracepoint twin).
func familyStatus() []string {
	line := func(f Family, ok bool, why string) string {
		return fmt.Sprintf("family %-10s %s: %s", f, map[bool]string{true: "runs here", false: "cannot run here"}[ok], why)
	}
	tok, twhy := tracepointSupport()
	kok, kwhy := kprobeSupport()
	out := []string{line(Tracepoint, tok, twhy), line(Kprobe, kok, kwhy)}
	if !kok {
		return out
	}
	rs, err := recipes(Kprobe)
	if err != nil {
		return append(out, "  "+err.Error())
	}
	for _, r := range rs {
		if _, notes, err := resolveRecipe(r); err != nil {
			out = append(out, "  "+err.Error()+"; auto runs tracepoint/"+r.Name)
		} else if len(notes) > 0 {
			out = append(out, fmt.Sprintf("  kprobe/%s: %s", r.Name, strings.Join(notes, "; ")))
		}
	}
	return out
}

// displayFamily resolves -family for commands that only show recipes: an explicit family is
// taken as is, kprobe included, since nothing is attached; auto is what run would choose.
func displayFamily(flagValue string, stderr io.Writer) (Family, error) {
	switch flagValue {
	case string(Tracepoint), string(Kprobe):
		return Family(flagValue), nil
	}
	f, why, err := chooseFamily(flagValue)
	if err == nil {
		fmt.Fprintf(stderr, "family %s: %s\n", f, why)
	}
	return f, err
}

// cmdShow prints the program run would hand to bpftrace.
func cmdShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	family := fs.String("family", "auto", "recipe `family`: auto, tracepoint or kprobe")
	prelude := fs.String("prelude", "", "wrap in a prelude: follow (what run -- CMD loads) or window (what check loads)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("show: want exactly one recipe name")
	}
	f, err := displayFamily(*family, stderr)
	if err != nil {
		return err
	}
	r, err := lookup(f, fs.Arg(0))
	if err != nil {
		return err
	}
	if f == Kprobe {
		// What run would load here: the attach points resolved against this kernel.
		var notes []string
		if r, notes, err = resolveRecipe(r); err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "kprobe/%s: %s\n", r.Name, n)
		}
	}
	if *prelude != "" && *prelude != PreludeFollow && *prelude != PreludeWindow {
		return fmt.Errorf("show: unknown prelude %q (want follow or window)", *prelude)
	}
	p, err := program(r, *prelude)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, p)
	return err
}

// cmdRun runs one recipe, system-wide or on a command's process tree.
func cmdRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	family := fs.String("family", "auto", "recipe `family`: auto, tracepoint or kprobe")
	format := fs.String("f", "text", "bpftrace output `format`: text or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vfs-explorer run [-family F] [-f text|json] NAME [-- CMD ARGS...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return errors.New("run: no recipe name")
	}
	name, rest := rest[0], rest[1:]
	var argv []string
	defer func() {
		var exit exitError
		if argv != nil && err != nil && !errors.As(err, &exit) {
			err = statusError{err, 125}
		}
	}()
	if len(rest) > 0 {
		if rest[0] != "--" {
			return fmt.Errorf("run: unexpected argument %q (a command goes after --)", rest[0])
		}
		argv = rest[1:]
		if len(argv) == 0 {
			return errors.New("run: no command after --")
		}
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("run: unknown format %q (want text or json)", *format)
	}
	// Name first: an unknown recipe is an error whatever the machine can do.
	if _, err := lookup(Tracepoint, name); err != nil {
		return err
	}
	bin, err := requireBpftrace()
	if err != nil {
		return err
	}
	if err := ensureTracefs(stderr); err != nil {
		return err
	}
	r, why, err := pickRecipe(*family, name)
	if err != nil {
		return err
	}
	out := stdout
	if *format == "text" && argv == nil {
		// System-wide only: with a command, bpftrace's stdout is also the command's, which must
		// get the real one (a terminal stays a terminal, the output is not altered).
		out = &squeezeWriter{w: stdout}
	}
	b := bpftraceRun{Bin: bin, Name: r.Name, Stdin: stdin, Stdout: out, Stderr: stderr, Args: []string{"-f", *format}}
	prelude, status := "", ""
	if argv != nil {
		sf, err := os.CreateTemp("", "vfs-explorer-status-*")
		if err != nil {
			return err
		}
		status = sf.Name()
		sf.Close()
		defer os.Remove(status)
		fd := -1
		if ef, ok := stderr.(*os.File); ok {
			b.ChildStderr, fd = ef, 3
		}
		if b.Child, err = waiterCommand(argv, status, fd); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		prelude = PreludeFollow
	}
	if b.Program, err = program(r, prelude); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "vfs-explorer: %s/%s (%s)\n", r.Family, r.Name, why)
	err = b.Run(ctx)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("bpftrace: %w", err)
	}
	if err != nil || argv == nil {
		return err
	}
	// bpftrace has printed its maps; leave as the command did.
	return commandStatus(status, argv[0], ctx.Err() != nil, stderr)
}
