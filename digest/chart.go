package digest

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart size: readable on a phone, about 900 × 570 pixels.
const (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 10 * vg.Centimeter
	chartDPI    = 144
)

var (
	colorNew      = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colorAnswered = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	colorOverdue  = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// Chart draws the trend of the digest's weeks as a PNG: new and answered
// petitions as bars, overdue ones at the end of each week as a line. Its
// words and numbers are in Vietnamese unless lang is English, as Render's;
// the count axis starts at zero.
func Chart(d Digest, lang string) ([]byte, error) {
	l := language(lang)
	p := plot.New()
	p.Title.Text = fmt.Sprintf(l.chartTitle, len(d.Trend))
	p.Y.Label.Text = l.chartCount
	p.X.Label.Text = l.chartWeek

	var news, answered plotter.Values
	overdue := make(plotter.XYs, len(d.Trend))
	labels := make([]string, len(d.Trend))
	top := 0
	for i, w := range d.Trend {
		news = append(news, float64(w.New))
		answered = append(answered, float64(w.Answered))
		overdue[i] = plotter.XY{X: float64(i), Y: float64(w.Overdue)}
		labels[i] = shortDate(w.From)
		top = max(top, w.New, w.Answered, w.Overdue)
	}
	width := vg.Points(14)
	newBars, err := plotter.NewBarChart(news, width)
	if err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	newBars.Color, newBars.LineStyle.Width, newBars.Offset = colorNew, 0, -width/2
	answeredBars, err := plotter.NewBarChart(answered, width)
	if err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	answeredBars.Color, answeredBars.LineStyle.Width, answeredBars.Offset = colorAnswered, 0, width/2
	overdueLine, overduePoints, err := plotter.NewLinePoints(overdue)
	if err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	overdueLine.Color, overdueLine.Width = colorOverdue, vg.Points(2)
	overduePoints.Color, overduePoints.Radius, overduePoints.Shape = colorOverdue, vg.Points(3), draw.CircleGlyph{}

	p.Add(plotter.NewGrid(), newBars, answeredBars, overdueLine, overduePoints)
	p.Legend.Add(l.fresh, newBars)
	p.Legend.Add(l.answered, answeredBars)
	p.Legend.Add(l.overdue, overdueLine, overduePoints)
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(labels...)
	// Room for the bars on either side of the first and last week.
	p.X.Min, p.X.Max = -0.6, float64(len(d.Trend))-0.4
	// From zero, with room above the highest value for the legend.
	p.Y.Min, p.Y.Max = 0, math.Max(4, float64(top)*1.35)
	p.Y.Tick.Marker = countTicks{l.numbers}

	c := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// countTicks marks whole numbers only, in steps of 1, 2 or 5 times a
// power of ten, written the language's way ("1.200", "1,200").
type countTicks struct{ numbers }

func (c countTicks) Ticks(min, max float64) []plot.Tick {
	step := 1.0
	for max/step > 6 {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step))); m {
		case 1:
			step *= 2
		case 2:
			step *= 2.5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: c.int(int(v))})
	}
	return ticks
}
