package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// courseItems are the items of the course text (/work/shared/course/week4-and-capstone.txt:
// week 4's lab, drill and perf slice, the Month 1 capstone list and the RUNBOOK it asks for),
// each as the prefix its row in README.md's course map starts with.
var courseItems = []string{
	"4.1-4.2 tasks",
	"4.2 fork vs vfork",
	"4.2 signal mechanics",
	"4.3 lab 1", "4.3 lab 2", "4.3 lab 3", "4.3 lab 4",
	"4.4 hardening drill",
	"4.5 perf slice",
	"capstone 1: `hardened-echo/`",
	"capstone 2: `syscall-cat/`",
	"capstone 3: `vfs-explorer/`",
	"capstone 4: `signal-disciplined-server/`",
	"RUNBOOK: the boot trace",
	"RUNBOOK: the syscall trace methodology",
	"RUNBOOK: the signal-handling decisions",
}

// TestCourseMap keeps README.md's course map from going stale: one row per course item, each
// with a command, an output excerpt and at least one test, and every test it names defined in
// some module of the tree.
func TestCourseMap(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Course map\n")
	if !ok {
		t.Fatal("README.md has no \"## Course map\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	defined := definedTests(t, "..")
	testName := regexp.MustCompile("`(Test[A-Za-z0-9_]+)`")
	rows := map[string][]string{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| course item ") {
			continue
		}
		cells := tableCells(line)
		if len(cells) != 5 {
			t.Errorf("course map row with %d cells, want 5: %s", len(cells), line)
			continue
		}
		for i, name := range []string{"item", "command", "output excerpt", "test", "difference"} {
			if cells[i] == "" {
				t.Errorf("course map row %q: empty %s cell", cells[0], name)
			}
		}
		rows[cells[0]] = cells
		names := testName.FindAllStringSubmatch(cells[3], -1)
		if len(names) == 0 {
			t.Errorf("course map row %q names no test", cells[0])
		}
		for _, m := range names {
			if !defined[m[1]] {
				t.Errorf("course map row %q names %s, which no *_test.go in the tree defines", cells[0], m[1])
			}
		}
	}
	// Every link a row makes to a file of the tree must resolve, anchors included (GitHub's
	// heading slugs), so a restructured RUNBOOK or README cannot strand the map.
	link := regexp.MustCompile(`\]\(([^)#]+)(?:#([^)]+))?\)`)
	for first, cells := range rows {
		for _, m := range link.FindAllStringSubmatch(strings.Join(cells, " "), -1) {
			path := filepath.Join("..", m[1])
			if _, err := os.Stat(path); err != nil {
				t.Errorf("course map row %q links %s: %v", first, m[1], err)
				continue
			}
			if m[2] != "" && !headingSlugs(t, path)[m[2]] {
				t.Errorf("course map row %q links %s#%s: no such heading", first, m[1], m[2])
			}
		}
	}
	for _, item := range courseItems {
		n := 0
		for first := range rows {
			if strings.HasPrefix(first, item) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("course item %q: %d rows in the course map, want 1", item, n)
		}
	}
}

// tableCells splits a Markdown table row on its unescaped pipes and trims each cell.
func tableCells(line string) []string {
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	// The row starts and ends with a pipe: drop the empty text outside them.
	if len(cells) > 0 {
		cells = cells[1:]
	}
	return cells
}

// definedTests returns the names of the test functions declared in every *_test.go under root.
func definedTests(t *testing.T, root string) map[string]bool {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]+)\(t \*testing\.T\)`)
	defined := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(data, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return defined
}

// headingSlugs returns the anchors GitHub makes of a Markdown file's headings: lower case,
// punctuation other than '-' and '_' dropped, spaces turned into '-'.
func headingSlugs(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	slugs := map[string]bool{}
	inCode := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if inCode || !strings.HasPrefix(line, "#") || !ok {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(title)) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slugs[b.String()] = true
	}
	return slugs
}
