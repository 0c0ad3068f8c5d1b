package main

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// recipeFS holds the bpftrace scripts, so the binary runs them without the source tree.
//
//go:embed recipes/tracepoint/*.bt recipes/kprobe/*.bt recipes/prelude/*.bt
var recipeFS embed.FS

// Family is a recipe family: the kind of probe its scripts attach.
type Family string

const (
	Tracepoint Family = "tracepoint" // syscall and file system tracepoints, BTF struct walks
	Kprobe     Family = "kprobe"     // kprobes and kretprobes on vfs_* and friends
)

// Recipe is one embedded bpftrace script.
type Recipe struct {
	Name        string // file name without .bt
	Family      Family
	Description string // the text after "NAME: " on the script's first line
	Source      string
}

// Prelude names: how a recipe is restricted (none: system-wide).
const (
	PreludeFollow = "follow" // the -c command and its descendants
	PreludeWindow = "window" // the workload's measured phase
)

// recipes returns the recipes of family f, sorted by name.
func recipes(f Family) ([]Recipe, error) {
	dir := path.Join("recipes", string(f))
	ents, err := fs.ReadDir(recipeFS, dir)
	if err != nil {
		return nil, fmt.Errorf("family %q: %w", f, err)
	}
	var out []Recipe
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".bt")
		if !ok {
			continue
		}
		src, err := fs.ReadFile(recipeFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		desc, err := description(name, string(src))
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", f, e.Name(), err)
		}
		out = append(out, Recipe{Name: name, Family: f, Description: desc, Source: string(src)})
	}
	slices.SortFunc(out, func(a, b Recipe) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// lookup finds recipe name in family f, or says which names exist.
func lookup(f Family, name string) (Recipe, error) {
	all, err := recipes(f)
	if err != nil {
		return Recipe{}, err
	}
	var names []string
	for _, r := range all {
		if r.Name == name {
			return r, nil
		}
		names = append(names, r.Name)
	}
	return Recipe{}, fmt.Errorf("unknown recipe %q in the %s family (have: %s)", name, f, strings.Join(names, ", "))
}

// description returns the one-line summary every recipe starts with: "// NAME: summary".
func description(name, src string) (string, error) {
	first, _, _ := strings.Cut(src, "\n")
	desc, ok := strings.CutPrefix(first, "// "+name+": ")
	if !ok || strings.TrimSpace(desc) == "" {
		return "", fmt.Errorf("first line must be %q, got %q", "// "+name+": <summary>", first)
	}
	return desc, nil
}

// program assembles what bpftrace loads: the recipe alone (system-wide), or the recipe wrapped
// in a prelude. bpftrace 0.17 accepts preprocessor lines only before the first probe, so the
// prelude's #define lines go on top, where the recipe's #ifndef TRACED then keeps them, and its
// probes and comments go after the recipe.
func program(r Recipe, prelude string) (string, error) {
	if prelude == "" {
		return r.Source, nil
	}
	src, err := fs.ReadFile(recipeFS, path.Join("recipes", "prelude", prelude+".bt"))
	if err != nil {
		return "", fmt.Errorf("prelude %q: %w", prelude, err)
	}
	var defs, body strings.Builder
	for line := range strings.Lines(string(src)) {
		if strings.HasPrefix(line, "#") {
			defs.WriteString(line)
		} else {
			body.WriteString(line)
		}
	}
	return defs.String() + r.Source + "\n// prelude " + prelude + ".bt\n" + body.String(), nil
}
