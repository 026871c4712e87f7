package handlers

import "testing"

// A share is rounded to whole percent, except that only all reads 100%
// and only none 0%.
func TestPercentNeverRoundsToAllOrNone(t *testing.T) {
	for share, want := range map[float64]string{
		0: "0%", 1: "100%", 0.5: "50%", 0.126: "13%", 0.994: "99%",
		199.0 / 200: "99%", 9999.0 / 10000: "99%", 1.0 / 10000: "1%", 0.004: "1%",
	} {
		if got := percent(share); got != want {
			t.Errorf("percent(%v) = %s, want %s", share, got, want)
		}
	}
}
