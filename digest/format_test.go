package digest

import (
	"testing"
	"time"
)

func TestNumbers(t *testing.T) {
	cases := []struct{ got, want string }{
		{viNumbers.int(0), "0"},
		{viNumbers.int(999), "999"},
		{viNumbers.int(1234), "1.234"},
		{viNumbers.int(1234567), "1.234.567"},
		{viNumbers.int(-1234), "-1.234"},
		{enNumbers.int(1234567), "1,234,567"},
		{viNumbers.percent(0.9745), "97,45%"},
		{viNumbers.percent(1), "100,00%"},
		{viNumbers.fixed(2.25, 1), "2,3"},
		{viNumbers.fixed(12345.5, 1), "12.345,5"},
		{enNumbers.percent(0.5), "50.00%"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestCountTicksAreWholeAndFew(t *testing.T) {
	for _, max := range []float64{4, 7, 13, 60, 135, 1000, 12345} {
		ticks := countTicks{}.Ticks(0, max)
		if len(ticks) < 2 || len(ticks) > 7 || ticks[0].Value != 0 {
			t.Errorf("max %v: %v", max, ticks)
		}
		for _, tk := range ticks {
			if tk.Value != float64(int(tk.Value)) {
				t.Errorf("max %v: tick %v", max, tk.Value)
			}
		}
	}
}

func TestDurations(t *testing.T) {
	cases := map[time.Duration]string{
		0:                               "dưới 1 phút",
		59 * time.Second:                "dưới 1 phút",
		45 * time.Minute:                "45 phút",
		3 * time.Hour:                   "3 giờ",
		3*time.Hour + 5*time.Minute:     "3 giờ 5 phút",
		48 * time.Hour:                  "2 ngày",
		50*time.Hour + 59*time.Minute:   "2 ngày 2 giờ",
		10*24*time.Hour + 5*time.Minute: "10 ngày",
	}
	for d, want := range cases {
		if got := vi.duration(d); got != want {
			t.Errorf("%v: got %q, want %q", d, got, want)
		}
	}
}
