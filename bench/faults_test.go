package bench

import (
	"math"
	"testing"
)

// -fault api makes 10% of calls fail, a third of them each way: the
// fake draws its faults one after another, each from the calls the
// earlier ones spared.
func TestAPIFaultsFailTenPercentOfCalls(t *testing.T) {
	spared, shares := 1.0, []float64{}
	for _, f := range apiFaults() {
		shares = append(shares, spared*f.Probability)
		spared *= 1 - f.Probability
	}
	if failed := 1 - spared; math.Abs(failed-0.10) > 1e-9 {
		t.Errorf("%.4f of calls fail, want 0.10", failed)
	}
	for i, s := range shares {
		if math.Abs(s-0.10/3) > 1e-9 {
			t.Errorf("fault %d strikes %.4f of calls, want a third of 10%%", i, s)
		}
	}
}
