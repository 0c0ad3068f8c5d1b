// Command benchplot draws bench.sh's results as an SVG, with the standard library only: for each
// load, the servers' msgs/s and their server CPU time per message (microseconds, the inverse of
// msgs per CPU-second), side by side. Each load's bars share a scale of their own (the loads'
// rates differ by 30x); every bar carries its figure. It reads bench.sh's tab-separated rows on
// stdin (load, server, msgs/s, ratio, p50, ratio, p99, cores, msgs per CPU-second, ratio, RSS)
// and writes the SVG to stdout. Under testdata/, so `make build` does not ship it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"
)

type row struct {
	load, server   string
	rate, usPerMsg float64
}

func main() {
	title := flag.String("title", "make bench", "the plot's `title`")
	flag.Parse()
	rows, err := read(os.Stdin)
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("no rows on stdin")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchplot: %v\n", err)
		os.Exit(125)
	}
	plot(os.Stdout, *title, rows)
}

func read(r io.Reader) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 9 {
			return nil, fmt.Errorf("line %d: %d fields, want 11", n, len(f))
		}
		rate, err1 := strconv.ParseFloat(f[2], 64)
		mpc, err2 := strconv.ParseFloat(f[8], 64)
		if err1 != nil || err2 != nil || mpc <= 0 {
			return nil, fmt.Errorf("line %d: msgs/s %q, msgs per CPU-second %q", n, f[2], f[8])
		}
		rows = append(rows, row{load: f[0], server: f[1], rate: rate, usPerMsg: 1e6 / mpc})
	}
	return rows, sc.Err()
}

var colors = []string{"#1f77b4", "#aec7e8", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

func plot(w io.Writer, title string, rows []row) {
	var loads, servers []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen["l"+r.load] {
			seen["l"+r.load] = true
			loads = append(loads, r.load)
		}
		if !seen["s"+r.server] {
			seen["s"+r.server] = true
			servers = append(servers, r.server)
		}
	}
	const (
		barW, gap, groupGap = 26.0, 2.0, 34.0
		panelH, top, left   = 170.0, 70.0, 20.0
	)
	groupW := float64(len(servers))*(barW+gap) + groupGap
	width := max(left*2+groupW*float64(len(loads)), 820)
	height := top + 2*(panelH+70) + 20 + 18*float64((len(servers)+1)/2)
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(w, `<text x="%.0f" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	panels := []struct {
		name string
		val  func(row) float64
		f    string
	}{
		{"msgs/s (higher is better)", func(r row) float64 { return r.rate }, "%.0f"},
		{"server CPU per message, µs (lower is better)", func(r row) float64 { return r.usPerMsg }, "%.1f"},
	}
	for p, pn := range panels {
		y0 := top + float64(p)*(panelH+70) // the panel's top
		base := y0 + panelH
		fmt.Fprintf(w, `<text x="%.0f" y="%.0f" font-size="13">%s</text>`+"\n", left, y0-22, html.EscapeString(pn.name))
		fmt.Fprintf(w, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", left, base, width-left, base)
		for g, l := range loads {
			x := left + float64(g)*groupW + groupGap/2
			max := 0.0
			for _, r := range rows {
				if r.load == l && pn.val(r) > max {
					max = pn.val(r)
				}
			}
			for s, name := range servers {
				for _, r := range rows {
					if r.load != l || r.server != name || max <= 0 {
						continue
					}
					v := pn.val(r)
					h := (panelH - 14) * v / max
					bx := x + float64(s)*(barW+gap)
					fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`+"\n",
						bx, base-h, barW, h, colors[s%len(colors)], html.EscapeString(l), html.EscapeString(name), fmt.Sprintf(pn.f, v))
					fmt.Fprintf(w, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle">%s</text>`+"\n", bx+barW/2, base-h-3, short(v, pn.f))
				}
			}
			fmt.Fprintf(w, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x+(groupW-groupGap)/2, base+16, html.EscapeString(l))
		}
	}
	ly := top + 2*(panelH+70) + 4
	for s, name := range servers {
		lx := left + float64(s%2)*width/2
		y := ly + 18*float64(s/2)
		fmt.Fprintf(w, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n",
			lx, y, colors[s%len(colors)], lx+18, y+10, html.EscapeString(name))
	}
	fmt.Fprintln(w, "</svg>")
}

// short prints v compactly for a bar's label: 27400 as 27.4k, 320000 as 320k.
func short(v float64, f string) string {
	switch {
	case f == "%.0f" && v >= 100000:
		return fmt.Sprintf("%.0fk", v/1000)
	case f == "%.0f" && v >= 1000:
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf(f, v)
}
