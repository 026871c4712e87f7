package bench

import (
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// telegramGlobalLimit is Telegram's documented bot-wide limit, messages/s.
const telegramGlobalLimit = 30

// targetP99Ms is the latency target at half the peak rate, milliseconds.
const targetP99Ms = 50

// legendOffset keeps a legend clear of the axes and the title.
const legendOffset = 4 * vg.Millimeter

var (
	colorThroughput = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colorLatency    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colorOutbound   = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	colorReference  = color.RGBA{R: 120, G: 120, B: 120, A: 255}
)

// writeSweepChart draws throughput (log scale, with Telegram's 30
// messages/s and the database's insert baseline as reference lines) and
// p99 latency (with its target) against the offered load, one panel
// above the other.
func writeSweepChart(path string, points []Result, baseline float64) error {
	var through, outbound, p99 plotter.XYs
	for _, r := range points {
		offered, _ := r.Flags["rate"].(float64)
		through = append(through, plotter.XY{X: offered, Y: max(r.UpdatesPerS, 0.1)})
		outbound = append(outbound, plotter.XY{X: offered, Y: max(r.OutboundPerS, 0.1)})
		p99 = append(p99, plotter.XY{X: offered, Y: r.P99Ms})
	}

	top := plot.New()
	top.Title.Text = "danvan-bench: throughput against offered load"
	top.X.Label.Text = "offered load (updates/s)"
	top.Y.Label.Text = "per second (log scale)"
	top.Y.Scale, top.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	top.Add(plotter.NewGrid())
	if err := addLine(top, "updates handled/s", through, colorThroughput, false); err != nil {
		return err
	}
	if err := addLine(top, "bot calls out/s (messages, edits, answers)", outbound, colorOutbound, false); err != nil {
		return err
	}
	var offered plotter.XYs
	for _, xy := range through {
		offered = append(offered, plotter.XY{X: xy.X, Y: xy.X})
	}
	if err := addLine(top, "offered (all handled)", offered, colorReference, true); err != nil {
		return err
	}
	if err := addReference(top, fmt.Sprintf("Telegram limit %d msg/s", telegramGlobalLimit), telegramGlobalLimit, through); err != nil {
		return err
	}
	if baseline > 0 {
		if err := addReference(top, fmt.Sprintf("DB insert baseline %.0f tx/s", baseline), baseline, through); err != nil {
			return err
		}
	}
	// Room above the highest line for the legend, which Align would
	// otherwise let run over the title.
	top.Y.Min, top.Y.Max = 1, 300*max(baseline, telegramGlobalLimit)
	top.Legend.Top, top.Legend.Left = true, true
	top.Legend.XOffs, top.Legend.YOffs = legendOffset, -3*legendOffset

	bottom := plot.New()
	bottom.Title.Text = "p99 latency (push to first reply)"
	bottom.X.Label.Text = "offered load (updates/s)"
	bottom.Y.Label.Text = "ms"
	bottom.Y.Min = 0
	bottom.Add(plotter.NewGrid())
	if err := addLine(bottom, "p99 ms", p99, colorLatency, false); err != nil {
		return err
	}
	if err := addReference(bottom, fmt.Sprintf("target p99 %d ms (at half the peak)", targetP99Ms), targetP99Ms, p99); err != nil {
		return err
	}
	bottom.Legend.Top, bottom.Legend.Left = true, true
	bottom.Legend.XOffs, bottom.Legend.YOffs = legendOffset, -legendOffset

	const w, h = 18 * vg.Centimeter, 20 * vg.Centimeter
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(150))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter, PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func addLine(p *plot.Plot, name string, xys plotter.XYs, c color.Color, dashed bool) error {
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	line.Color, line.Width = c, vg.Points(2)
	if dashed {
		line.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	}
	points.Color, points.Radius, points.Shape = c, vg.Points(3), draw.CircleGlyph{}
	p.Add(line, points)
	p.Legend.Add(name, line, points)
	return nil
}

// addReference draws a horizontal line at y across the x range of xys.
func addReference(p *plot.Plot, name string, y float64, xys plotter.XYs) error {
	lo, hi := xys[0].X, xys[len(xys)-1].X
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	line, err := plotter.NewLine(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}})
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	line.Color, line.Width, line.Dashes = colorReference, vg.Points(1.5), []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(line)
	p.Legend.Add(name, line)
	return nil
}
