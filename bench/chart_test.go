package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSweepChartIsAPNG(t *testing.T) {
	var points []Result
	for i, rate := range []float64{10, 20, 40} {
		points = append(points, Result{Flags: map[string]any{"rate": rate}, UpdatesPerS: rate * 0.9, OutboundPerS: rate * 2, P99Ms: float64(100 * (i + 1))})
	}
	path := filepath.Join(t.TempDir(), "sweep.png")
	if err := writeSweepChart(path, points, 1200); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG")) || len(data) < 10000 {
		t.Fatalf("not a chart: %d bytes", len(data))
	}
}
