package spawnbench

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// seriesColors are distinguishable on white and in greyscale print.
var seriesColors = map[Mode]string{
	ModeFork:     "#d62728",
	ModeVfork:    "#1f77b4",
	ModeClone3:   "#2ca02c",
	ModeForkExec: "#9467bd",
	ModeOSExec:   "#ff7f0e",
}

// WriteSVG draws the result as a line chart: x = parent VmRSS (MiB), y = median spawn time in
// microseconds on a log scale, one polyline per mode with p10-p90 whiskers. Plain SVG 1.1, no
// script, no external resources.
func (r *Result) WriteSVG(w io.Writer) error {
	const (
		width, height = 760, 440
		left, right   = 70, 150
		top, bottom   = 40, 50
	)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	// y is logarithmic, in whole decades: fork's curve spans two or three of them while the
	// vfork family stays within one, and on a linear axis those flat lines would merge.
	var maxX float64
	minY, maxY := math.Inf(1), 0.0
	for _, row := range r.Rows {
		maxX = math.Max(maxX, float64(row.RSS)/(1<<20))
		for _, st := range row.Cells {
			maxY = math.Max(maxY, float64(st.P90)/1e3)
			minY = math.Min(minY, math.Max(float64(st.P10)/1e3, 1))
		}
	}
	maxX = niceCeil(maxX)
	if math.IsInf(minY, 1) {
		minY, maxY = 1, 10
	}
	loDec, hiDec := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if hiDec <= loDec {
		hiDec = loDec + 1
	}
	x := func(v float64) float64 { return float64(left) + v/maxX*pw }
	y := func(v float64) float64 {
		l := math.Max(math.Log10(v), loDec) // v <= 0 (log -Inf) sits on the axis
		return float64(top) + ph - (l-loDec)/(hiDec-loDec)*ph
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14">%s</text>`+"\n", left,
		html.EscapeString(fmt.Sprintf("spawn + reap time vs parent RSS (child %s, median, p10-p90)", r.Config.Child)))
	// Axes and grid.
	for i := 0; i <= 5; i++ {
		vx := maxX * float64(i) / 5
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x(vx), top, x(vx), height-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n", x(vx), height-bottom+16, vx)
	}
	for d := loDec; d <= hiDec; d++ {
		vy := math.Pow(10, d)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(vy), width-right, y(vy))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.0f</text>`+"\n", left-6, y(vy)+4, vy)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="black"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">parent VmRSS (MiB)</text>`+"\n", float64(left)+pw/2, height-12)
	fmt.Fprintf(&b, `<text x="16" y="%.1f" text-anchor="middle" transform="rotate(-90 16 %.1f)">microseconds (log scale)</text>`+"\n", float64(top)+ph/2, float64(top)+ph/2)
	// Series.
	for i, m := range r.Config.Modes {
		color := seriesColors[m]
		var pts []string
		for _, row := range r.Rows {
			st, ok := row.Cells[m]
			if !ok {
				continue
			}
			px := x(float64(row.RSS) / (1 << 20))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, y(float64(st.Median)/1e3)))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n",
				px, y(float64(st.P10)/1e3), px, y(float64(st.P90)/1e3), color)
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px, y(float64(st.Median)/1e3), color)
		}
		if len(pts) == 0 {
			continue
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`+"\n",
			color, strings.Join(pts, " "), html.EscapeString(m.String()))
		ly := top + 10 + 20*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", width-right+12, ly, width-right+36, ly, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", width-right+42, ly+4, html.EscapeString(m.String()))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so axis ticks at fifths read well.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
