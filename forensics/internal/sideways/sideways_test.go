// Package sideways holds the layout check of forensics' main package (run by `make lint` and by
// `make test`): each subcommand file depends only on internal packages and on main.go, never on
// a sibling subcommand's file, and main.go reaches the subcommands only through its dispatch
// tables (commands and hidden). A helper two subcommands need lives in main.go or in an internal
// package, where its one home is plain to see.
package sideways

import (
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var dir = flag.String("dir", "../..", "the directory of forensics' main package")

// dispatchers are main.go's functions that may name subcommand entry points.
var dispatchers = map[string]bool{"commands": true, "hidden": true}

// reference is one use, in file from, of a top-level name declared in file to.
type reference struct {
	from, to, name string
	pos            token.Position
}

func (r reference) String() string {
	return fmt.Sprintf("%s: %s uses %s from %s", r.pos, r.from, r.name, r.to)
}

// sidewaysRefs parses the non-test Go files of package main in dir and returns every use of a
// top-level identifier across files that the layout forbids.
//
// go/parser resolves identifiers within one file only (ast.Ident.Obj): a name left unresolved
// that matches a top-level declaration of another file of the package is a use of that
// declaration. Selectors (x.Name), method and struct field names, labels and composite-literal
// keys are not uses.
func sidewaysRefs(dir string) ([]reference, error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	files := map[string]*ast.File{}
	declaredIn := map[string]string{} // top-level name -> file
	for _, p := range paths {
		base := filepath.Base(p)
		if strings.HasSuffix(base, "_test.go") {
			continue
		}
		// Only the files that build here (GOOS, build constraints): linux_only_other.go is not
		// part of the program.
		if ok, err := build.Default.MatchFile(filepath.Dir(p), base); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return nil, err
		}
		if f.Name.Name != "main" {
			continue
		}
		files[base] = f
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declaredIn[d.Name.Name] = base
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						declaredIn[s.Name.Name] = base
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								declaredIn[n.Name] = base
							}
						}
					}
				}
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no package main in %s", dir)
	}
	var refs []reference
	for name, f := range files {
		for _, d := range f.Decls {
			allowed := false // main.go's dispatch tables name the subcommands
			if fd, ok := d.(*ast.FuncDecl); ok && name == "main.go" && fd.Recv == nil && dispatchers[fd.Name.Name] {
				allowed = true
			}
			notUses := map[*ast.Ident]bool{}
			ast.Inspect(d, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					notUses[n.Sel] = true
				case *ast.FuncDecl: // a method's name
					notUses[n.Name] = true
				case *ast.LabeledStmt:
					notUses[n.Label] = true
				case *ast.BranchStmt:
					if n.Label != nil {
						notUses[n.Label] = true
					}
				case *ast.Field:
					for _, id := range n.Names {
						notUses[id] = true
					}
				case *ast.CompositeLit:
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if id, ok := kv.Key.(*ast.Ident); ok && id.Obj == nil {
								notUses[id] = true
							}
						}
					}
				case *ast.Ident:
					if n.Obj != nil || notUses[n] || allowed || n.Name == "_" {
						return true
					}
					to, ok := declaredIn[n.Name]
					if !ok || to == name || to == "main.go" {
						return true
					}
					refs = append(refs, reference{from: name, to: to, name: n.Name, pos: fset.Position(n.Pos())})
				}
				return true
			})
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].pos.String() < refs[j].pos.String() })
	return refs, nil
}

// TestNoSidewaysCalls is the check itself, on forensics' main package (-dir to point it
// elsewhere).
func TestNoSidewaysCalls(t *testing.T) {
	refs, err := sidewaysRefs(*dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		t.Errorf("sideways use: %v (move it to main.go or an internal package)", r)
	}
}

// TestCheckFindsSidewaysCalls shows the check can fail: testdata/bad has one use of each kind.
func TestCheckFindsSidewaysCalls(t *testing.T) {
	refs, err := sidewaysRefs(filepath.Join("testdata", "bad"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, fmt.Sprintf("%s->%s:%s", r.from, r.to, r.name))
	}
	sort.Strings(got)
	want := []string{
		"b.go->a.go:helperA", // a call
		"b.go->a.go:kindA",   // a type in a var declaration
		"b.go->a.go:kindA",   // and in a composite literal
		"main.go->a.go:helperA",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sidewaysRefs(testdata/bad) = %q, want %q", got, want)
	}
}
