package workcal

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func TestJDNMatchesTimePackage(t *testing.T) {
	start := time.Date(1800, 1, 1, 12, 0, 0, 0, time.UTC)
	j0 := civilToJDN(1800, time.January, 1)
	if j0 != 2378497 {
		t.Fatalf("JDN(1800-01-01) = %d, want 2378497", j0)
	}
	for i := range 400 * 366 {
		tm := start.AddDate(0, 0, i)
		want := Date{tm.Year(), tm.Month(), tm.Day()}
		if got := fromJDN(j0 + i); got != want {
			t.Fatalf("fromJDN(%d) = %v, want %v", j0+i, got, want)
		}
		if got := want.jdn(); got != j0+i {
			t.Fatalf("%v.jdn() = %d, want %d", want, got, j0+i)
		}
		if got := want.Weekday(); got != tm.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", want, got, tm.Weekday())
		}
	}
	if got := d(1970, 1, 1).jdn(); got != unixEpochJDN {
		t.Errorf("JDN(1970-01-01) = %d", got)
	}
	if got := d(1976, 1, 1).jdn(); got != fixedOffsetJDN {
		t.Errorf("JDN(1976-01-01) = %d", got)
	}
}

// The arithmetic fast path must agree with the zone database.
func TestDateOfMatchesLocation(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	lo := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 100000 {
		tm := time.Unix(lo+r.Int64N(hi-lo), 0)
		y, m, dd := tm.In(Location()).Date()
		if got := DateOf(tm); got != (Date{y, m, dd}) {
			t.Fatalf("DateOf(%v) = %v, want %d-%d-%d", tm, got, y, m, dd)
		}
	}
	for _, x := range []Date{d(1950, 6, 1), d(1975, 6, 13), d(1975, 12, 31), d(1976, 1, 1), d(2025, 1, 29), d(2100, 12, 31)} {
		if want := time.Date(x.Year, x.Month, x.Day, 0, 0, 0, 0, Location()); !x.Start().Equal(want) {
			t.Errorf("%v.Start() = %v, want %v", x, x.Start(), want)
		}
		want := time.Date(x.Year, x.Month, x.Day+1, 0, 0, 0, 0, Location()).Add(-time.Nanosecond)
		if !x.End().Equal(want) {
			t.Errorf("%v.End() = %v, want %v", x, x.End(), want)
		}
		if !isDayEnd(x.End()) || !isDayEnd(x.End().Truncate(time.Microsecond)) ||
			isDayEnd(x.End().Add(-time.Microsecond)) || isDayEnd(x.Start()) {
			t.Errorf("isDayEnd wrong around %v", x)
		}
		if DateOf(x.Start()) != x || DateOf(x.End()) != x {
			t.Errorf("DateOf(%v.Start/End) differs", x)
		}
	}
}

func TestDateHelpers(t *testing.T) {
	if got := NewDate(2025, 1, 32); got != d(2025, 2, 1) {
		t.Errorf("NewDate(2025, 1, 32) = %v", got)
	}
	if got := NewDate(2025, 13, 1); got != d(2026, 1, 1) {
		t.Errorf("NewDate(2025, 13, 1) = %v", got)
	}
	if got := NewDate(2025, 0, 1); got != d(2024, 12, 1) {
		t.Errorf("NewDate(2025, 0, 1) = %v", got)
	}
	if got := NewDate(2025, 3, 0); got != d(2025, 2, 28) {
		t.Errorf("NewDate(2025, 3, 0) = %v", got)
	}
	for _, x := range []Date{{2025, 2, 29}, {2025, 0, 1}, {2025, 13, 1}, {2025, 1, 0}, {}} {
		if x.IsValid() {
			t.Errorf("%v.IsValid() = true", x)
		}
	}
	if !d(2024, 2, 29).IsValid() {
		t.Error("2024-02-29 invalid")
	}
	a, b := d(2025, 1, 29), d(2025, 3, 1)
	if b.Sub(a) != 31 || a.AddDays(31) != b || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 ||
		!a.Before(b) || !b.After(a) {
		t.Error("date arithmetic broken")
	}
	p, err := ParseDate("2025-01-29")
	if err != nil || p != a || p.String() != "2025-01-29" {
		t.Errorf("ParseDate = %v, %v", p, err)
	}
	if _, err := ParseDate("2025-02-30"); err == nil {
		t.Error("ParseDate accepted 2025-02-30")
	}
	js, err := json.Marshal(map[string]Date{"d": a})
	if err != nil || string(js) != `{"d":"2025-01-29"}` {
		t.Errorf("json = %s, %v", js, err)
	}
	var back map[string]Date
	if err := json.Unmarshal(js, &back); err != nil || back["d"] != a {
		t.Errorf("json round trip = %v, %v", back, err)
	}
	if Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("Location() = %v", Location())
	}
}
