package workcal

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// officialCalendar encodes the arrangements the government announced for
// civil servants, as far as they are known with confidence (sources:
// Government/Ministry announcements reported by VGP, VNA, SGGP and
// Vietnam News; re-check against the official letters before reuse):
//
//   - Tết 2024: off Thu 8 – Wed 14 Feb 2024 (29 tháng Chạp – mùng 5).
//   - 30/4–1/5 2024: off Sat 27 Apr – Wed 1 May 2024, Mon 29 Apr swapped
//     with Sat 4 May (VPCP letter 2450/VPCP-KGVX, 12 Apr 2024).
//   - 2/9 2024: off Sat 31 Aug – Tue 3 Sep 2024 (1 Sep holiday on a Sunday,
//     compensated on 3 Sep) — the default rules give this.
//   - Tết 2025: off Sat 25 Jan – Sun 2 Feb 2025 (26 tháng Chạp – mùng 5);
//     the five Tết days were 27–31 Jan.
//   - 30/4–1/5 2025: off Wed 30 Apr – Sun 4 May 2025, Fri 2 May swapped
//     with Sat 26 Apr.
//   - 2/9 2025: off Sat 30 Aug – Tue 2 Sep 2025 (1 and 2 Sep).
//   - Tết 2026: off Sat 14 Feb – Sun 22 Feb 2026 (27 tháng Chạp – mùng 6),
//     five statutory days plus four weekend days — the default rules give
//     this.
//
// Not encoded: 2/9 2026 (announced 29 Aug – 2 Sep 2026, which needs a
// swapped Monday 31 Aug whose make-up day is not known here).
func officialCalendar() *Calendar {
	rules := Rules{TetByYear: map[int]TetSpan{
		2024: {OldYearDays: 2, NewYearDays: 3},
		2025: {OldYearDays: 2, NewYearDays: 3},
	}}
	overrides := map[Date]Override{
		d(2024, 4, 29): {Workday: false, Reason: "Hoán đổi ngày làm việc sang thứ Bảy 04/5/2024"},
		d(2024, 5, 4):  {Workday: true, Reason: "Làm bù cho thứ Hai 29/4/2024"},
		d(2025, 5, 2):  {Workday: false, Reason: "Hoán đổi ngày làm việc sang thứ Bảy 26/4/2025"},
		d(2025, 4, 26): {Workday: true, Reason: "Làm bù cho thứ Sáu 02/5/2025"},
	}
	return NewCalendar(rules, overrides)
}

// at returns a Vietnam-time instant.
func at(y int, m time.Month, day, hh, mm int) time.Time {
	return time.Date(y, m, day, hh, mm, 0, 0, Location())
}

func TestOfficialBreaks(t *testing.T) {
	cal := officialCalendar()
	for _, tc := range []struct {
		name        string
		first, last Date // the announced break; the days around it are working days
	}{
		{"Tết 2024", d(2024, 2, 8), d(2024, 2, 14)},
		{"30/4–1/5 2024", d(2024, 4, 27), d(2024, 5, 1)},
		{"2/9 2024", d(2024, 8, 31), d(2024, 9, 3)},
		{"Tết 2025", d(2025, 1, 25), d(2025, 2, 2)},
		{"30/4–1/5 2025", d(2025, 4, 30), d(2025, 5, 4)},
		{"2/9 2025", d(2025, 8, 30), d(2025, 9, 2)},
		{"Tết 2026", d(2026, 2, 14), d(2026, 2, 22)},
	} {
		for x := tc.first; !x.After(tc.last); x = x.AddDays(1) {
			if cal.IsWorkday(x) {
				t.Errorf("%s: %v is a working day", tc.name, x)
			}
		}
		for _, x := range []Date{tc.first.AddDays(-1), tc.last.AddDays(1)} {
			if !cal.IsWorkday(x) {
				t.Errorf("%s: %v (%v) should be a working day", tc.name, x, x.Weekday())
			}
		}
	}
	// The make-up Saturdays are working days.
	for _, x := range []Date{d(2024, 5, 4), d(2025, 4, 26)} {
		if !cal.IsWorkday(x) {
			t.Errorf("make-up Saturday %v is not a working day", x)
		}
	}
}

func TestDay(t *testing.T) {
	cal := officialCalendar()
	for _, tc := range []struct {
		date   Date
		work   bool
		reason string
	}{
		{d(2025, 1, 27), false, ReasonTet},
		{d(2025, 1, 25), false, ReasonWeekend},
		{d(2025, 4, 26), true, "Làm bù cho thứ Sáu 02/5/2025"},
		{d(2025, 5, 2), false, "Hoán đổi ngày làm việc sang thứ Bảy 26/4/2025"},
		{d(2024, 2, 13), false, bu + ReasonTet},
		{d(2025, 2, 3), true, ""},
	} {
		work, reason := cal.Day(tc.date)
		if work != tc.work || reason != tc.reason {
			t.Errorf("Day(%v) = %v, %q; want %v, %q", tc.date, work, reason, tc.work, tc.reason)
		}
	}
}

func TestOverridesTakePrecedence(t *testing.T) {
	cal := NewCalendar(Rules{}, map[Date]Override{
		d(2025, 1, 1):  {Workday: true, Reason: "test: holiday made a working day"},
		d(2025, 3, 8):  {Workday: true, Reason: "test: Saturday made a working day"},
		d(2025, 3, 10): {Workday: false, Reason: "test: extra day off"},
		{2025, 2, 30}:  {Workday: false, Reason: "invalid date, ignored"},
	})
	for _, tc := range []struct {
		date Date
		want bool
	}{
		{d(2025, 1, 1), true},
		{d(2025, 3, 8), true},
		{d(2025, 3, 9), false},
		{d(2025, 3, 10), false},
		{d(2025, 3, 2), false}, // Sunday; the invalid key 2025-02-30 must not land here
		{d(2025, 3, 3), true},
	} {
		if got := cal.IsWorkday(tc.date); got != tc.want {
			t.Errorf("IsWorkday(%v) = %v, want %v", tc.date, got, tc.want)
		}
	}
	// The caller's map is copied.
	ov := map[Date]Override{d(2025, 3, 11): {Workday: false}}
	cal = NewCalendar(Rules{}, ov)
	ov[d(2025, 3, 12)] = Override{Workday: false}
	if !cal.IsWorkday(d(2025, 3, 12)) {
		t.Error("NewCalendar did not copy the overrides")
	}
}

func TestAddWorkdays(t *testing.T) {
	cal := officialCalendar()
	for _, tc := range []struct {
		name  string
		start time.Time
		n     int
		want  Date
	}{
		{"Monday, 1 WD → Tuesday", at(2024, 1, 15, 10, 0), 1, d(2024, 1, 16)},
		{"Friday afternoon, 1 WD → Monday", at(2024, 1, 19, 16, 0), 1, d(2024, 1, 22)},
		{"Saturday, 1 WD → Monday", at(2024, 1, 20, 9, 0), 1, d(2024, 1, 22)},
		{"Sunday 23:59, 1 WD → Monday", at(2024, 1, 21, 23, 59), 1, d(2024, 1, 22)},
		{"Monday 00:00, 5 WD → next Monday", at(2024, 1, 15, 0, 0), 5, d(2024, 1, 22)},
		{"before Tết 2024, 1 WD", at(2024, 2, 7, 9, 0), 1, d(2024, 2, 15)},
		{"before Tết 2024, 3 WD", at(2024, 2, 7, 9, 0), 3, d(2024, 2, 19)},
		{"during Tết 2024, 1 WD", at(2024, 2, 12, 9, 0), 1, d(2024, 2, 15)},
		{"7 WD across Tết 2025", at(2025, 1, 20, 8, 0), 7, d(2025, 2, 5)},
		{"5 WD from the last day before Tết 2025", at(2025, 1, 24, 14, 0), 5, d(2025, 2, 7)},
		{"make-up Saturday 26/4/2025 counts", at(2025, 4, 25, 10, 0), 1, d(2025, 4, 26)},
		{"across 30/4–1/5 2025, 4 WD", at(2025, 4, 25, 10, 0), 4, d(2025, 5, 5)},
		{"swapped Monday 29/4/2024 does not count", at(2024, 4, 26, 10, 0), 1, d(2024, 5, 2)},
		{"make-up Saturday 4/5/2024 counts", at(2024, 5, 3, 10, 0), 1, d(2024, 5, 4)},
		{"Giỗ Tổ 2026 compensated on Monday 27/4", at(2026, 4, 24, 10, 0), 1, d(2026, 4, 28)},
		{"before Tết 2026, 2 WD", at(2026, 2, 12, 11, 0), 2, d(2026, 2, 23)},
		{"during Tết 2026, 1 WD", at(2026, 2, 18, 10, 0), 1, d(2026, 2, 23)},
		// Fri 29 Aug, then 3–5, 8–12 and 15 Sep.
		{"10 WD across 2/9 2025", at(2025, 8, 28, 9, 0), 10, d(2025, 9, 15)},
		{"year end, 1 WD skips 1 January", at(2025, 12, 31, 15, 0), 1, d(2026, 1, 2)},
		// 12 working days remain in 2025 after Mon 15 Dec; 1 Jan 2026 is a
		// holiday; the 18th working day of 2026 is Tue 27 Jan.
		{"30 WD across year end", at(2025, 12, 15, 9, 0), 30, d(2026, 1, 27)},
		{"0 WD → end of the same day", at(2025, 1, 25, 9, 0), 0, d(2025, 1, 25)},
		{"-1 WD → previous working day", at(2025, 2, 3, 9, 0), -1, d(2025, 1, 24)},
		{"-2 WD across year start", at(2026, 1, 5, 9, 0), -2, d(2025, 12, 31)},
	} {
		got := cal.AddWorkdays(tc.start, tc.n)
		if want := tc.want.End(); !got.Equal(want) {
			t.Errorf("%s: AddWorkdays(%v, %d) = %v, want %v", tc.name, tc.start, tc.n, got, want)
		}
		if got.Location() != Location() {
			t.Errorf("%s: result in %v, want %v", tc.name, got.Location(), Location())
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	cal := officialCalendar()
	for _, tc := range []struct {
		name string
		a, b time.Time
		want int
	}{
		{"same instant", at(2025, 3, 3, 9, 0), at(2025, 3, 3, 9, 0), 0},
		{"same day", at(2025, 3, 3, 9, 0), at(2025, 3, 3, 17, 0), 0},
		{"next day not yet over", at(2025, 3, 3, 9, 0), at(2025, 3, 4, 15, 0), 0},
		{"next day just over", at(2025, 3, 3, 9, 0), d(2025, 3, 4).End(), 1},
		{"next day over, as stored (microseconds)", at(2025, 3, 3, 9, 0), d(2025, 3, 4).End().Truncate(time.Microsecond), 1},
		{"next day over at midnight", at(2025, 3, 3, 9, 0), at(2025, 3, 5, 0, 0), 1},
		{"a week, Monday not over", at(2025, 3, 3, 9, 0), at(2025, 3, 10, 9, 0), 4},
		{"across Tết 2025", at(2025, 1, 24, 10, 0), d(2025, 2, 3).End(), 1},
		{"inside Tết 2025", at(2025, 1, 25, 10, 0), at(2025, 2, 2, 10, 0), 0},
		{"reversed", at(2025, 3, 10, 9, 0), at(2025, 3, 3, 9, 0), -4},
		{"a year", at(2024, 12, 31, 12, 0), d(2025, 12, 31).End(), workdaysIn(cal, 2025)},
	} {
		if got := cal.WorkdaysBetween(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: WorkdaysBetween(%v, %v) = %d, want %d", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
	if n := workdaysIn(cal, 2025); n < 240 || n > 255 {
		t.Errorf("2025 has %d working days", n)
	}
}

func workdaysIn(cal *Calendar, year int) int {
	n := 0
	for x := d(year, 1, 1); x.Year == year; x = x.AddDays(1) {
		if cal.IsWorkday(x) {
			n++
		}
	}
	return n
}

func TestPause(t *testing.T) {
	cal := officialCalendar()
	received := at(2025, 1, 13, 9, 0) // Monday
	deadline := cal.AddWorkdays(received, 10)
	if want := d(2025, 2, 3).End(); !deadline.Equal(want) {
		t.Fatalf("deadline = %v, want %v", deadline, want)
	}
	// Paused Wed 15 Jan 10:00, resumed Mon 20 Jan 15:00: Thu 16 and Fri 17
	// elapsed entirely; the partial Wednesday and Monday are not returned.
	paused := cal.WorkdaysBetween(at(2025, 1, 15, 10, 0), at(2025, 1, 20, 15, 0))
	if paused != 2 {
		t.Fatalf("paused = %d working days, want 2", paused)
	}
	if got, want := cal.Extend(deadline, paused), d(2025, 2, 5).End(); !got.Equal(want) {
		t.Errorf("Extend(%v, %d) = %v, want %v", deadline, paused, got, want)
	}
	if got := cal.Extend(deadline, 0); !got.Equal(deadline) {
		t.Errorf("Extend(deadline, 0) = %v, want %v", got, deadline)
	}
}

func TestAddCalendarDays(t *testing.T) {
	cal := officialCalendar()
	for _, tc := range []struct {
		start time.Time
		n     int
		want  Date
	}{
		{at(2025, 3, 3, 9, 0), 10, d(2025, 3, 13)},
		{at(2025, 3, 3, 9, 0), 5, d(2025, 3, 10)},   // Sat 8 → Mon 10
		{at(2025, 1, 14, 9, 0), 12, d(2025, 2, 3)},  // Sun 26 Jan, inside Tết → Mon 3 Feb
		{at(2025, 4, 21, 9, 0), 5, d(2025, 4, 26)},  // the make-up Saturday is a working day
		{at(2025, 4, 25, 9, 0), 30, d(2025, 5, 26)}, // Sun 25 May → Mon 26 May
	} {
		if got := cal.AddCalendarDays(tc.start, tc.n); !got.Equal(tc.want.End()) {
			t.Errorf("AddCalendarDays(%v, %d) = %v, want end of %v", tc.start, tc.n, got, tc.want)
		}
	}
}

func TestNextWorkday(t *testing.T) {
	cal := officialCalendar()
	if got := cal.NextWorkday(d(2025, 1, 24)); got != d(2025, 2, 3) {
		t.Errorf("NextWorkday(2025-01-24) = %v, want 2025-02-03", got)
	}
}

// naiveNth is a day-by-day reference for AddWorkdays.
func naiveNth(cal *Calendar, start time.Time, n int) Date {
	x := DateOf(start)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		x = x.AddDays(step)
		if cal.IsWorkday(x) {
			n--
		}
	}
	return x
}

// randomInstant returns an instant in 1976–2095, sometimes at a day's
// start or end.
func randomInstant(r *rand.Rand) time.Time {
	lo := at(1976, 1, 1, 0, 0).Unix()
	hi := at(2095, 12, 31, 0, 0).Unix()
	t := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)).In(Location())
	switch r.IntN(8) {
	case 0:
		return DateOf(t).Start()
	case 1:
		return DateOf(t).End()
	}
	return t
}

func checkAddWorkdays(t *testing.T, cal *Calendar, start time.Time, n int) {
	t.Helper()
	got := cal.AddWorkdays(start, n)
	day := DateOf(got)
	if !got.Equal(day.End()) {
		t.Fatalf("AddWorkdays(%v, %d) = %v, not the end of a day", start, n, got)
	}
	if n == 0 {
		if day != DateOf(start) {
			t.Fatalf("AddWorkdays(%v, 0) = %v", start, got)
		}
		return
	}
	if !cal.IsWorkday(day) {
		t.Fatalf("AddWorkdays(%v, %d) = %v, not a working day", start, n, got)
	}
	if want := naiveNth(cal, start, n); day != want {
		t.Fatalf("AddWorkdays(%v, %d) = %v, reference says %v", start, n, day, want)
	}
	if n > 0 {
		if w := cal.WorkdaysBetween(start, got); w != n {
			t.Fatalf("WorkdaysBetween(%v, AddWorkdays(…, %d)) = %d", start, n, w)
		}
		if w := cal.WorkdaysBetween(start, got.Add(-time.Microsecond)); w != n-1 {
			t.Fatalf("WorkdaysBetween one µs before the deadline = %d, want %d", w, n-1)
		}
	}
}

func TestAddWorkdaysProperties(t *testing.T) {
	cal := officialCalendar()
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		start := randomInstant(r)
		n := r.IntN(120) - 20
		if r.IntN(20) == 0 {
			n = r.IntN(3000)
		}
		checkAddWorkdays(t, cal, start, n)
	}
}

func FuzzAddWorkdays(f *testing.F) {
	f.Add(at(2025, 1, 24, 14, 0).Unix(), int64(0), 5)
	f.Add(at(2024, 2, 7, 9, 0).Unix(), int64(999999999), 1)
	f.Add(at(2026, 2, 18, 10, 0).Unix(), int64(0), 10)
	f.Add(at(2025, 12, 31, 23, 59).Unix(), int64(999999999), 300)
	f.Add(at(2025, 2, 3, 0, 0).Unix(), int64(0), -3)
	cal := officialCalendar()
	lo, hi := at(1976, 1, 1, 0, 0).Unix(), at(2095, 1, 1, 0, 0).Unix()
	f.Fuzz(func(t *testing.T, sec, nsec int64, n int) {
		if sec < lo || sec > hi || nsec < 0 || nsec >= 1e9 || n < -2000 || n > 2000 {
			t.Skip()
		}
		checkAddWorkdays(t, cal, time.Unix(sec, nsec), n)
	})
}

func TestWorkdaysBetweenReference(t *testing.T) {
	cal := officialCalendar()
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		a := randomInstant(r)
		b := a.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) - 20*24*time.Hour)
		want := 0
		if !b.Before(a) {
			for x := DateOf(a).AddDays(1); !x.End().After(b); x = x.AddDays(1) {
				if cal.IsWorkday(x) {
					want++
				}
			}
		} else {
			for x := DateOf(b).AddDays(1); !x.End().After(a); x = x.AddDays(1) {
				if cal.IsWorkday(x) {
					want--
				}
			}
		}
		if got := cal.WorkdaysBetween(a, b); got != want {
			t.Fatalf("WorkdaysBetween(%v, %v) = %d, want %d", a, b, got, want)
		}
	}
}

// Years outside the cache window and the lunar range still work (fixed
// holidays only beyond 2100).
func TestFarYears(t *testing.T) {
	cal := NewCalendar(Rules{}, nil)
	if cal.IsWorkday(d(2150, 1, 1)) || cal.IsWorkday(d(2150, 9, 2)) {
		t.Error("fixed holidays of 2150 are working days")
	}
	got := cal.AddWorkdays(at(2150, 1, 1, 9, 0), 1)
	if want := d(2150, 1, 2).End(); !got.Equal(want) {
		t.Errorf("AddWorkdays in 2150 = %v, want %v", got, want)
	}
	got = cal.AddWorkdays(time.Date(1960, 3, 4, 10, 0, 0, 0, Location()), 1)
	if want := d(1960, 3, 7).End(); !got.Equal(want) {
		t.Errorf("AddWorkdays in 1960 = %v, want %v", got, want)
	}
}

// A calendar without any working day must not hang.
func TestNoWorkdays(t *testing.T) {
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	cal := NewCalendar(Rules{Weekend: all}, nil)
	done := make(chan time.Time)
	go func() {
		cal.AddWorkingHours(at(2025, 1, 1, 0, 0), 8, DefaultOfficeHours())
		done <- cal.AddWorkdays(at(2025, 1, 1, 0, 0), 1)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("AddWorkdays or AddWorkingHours hangs on a calendar without working days")
	}
	if h := (Rules{Weekend: all}).Holidays(2025); len(h) != 11 {
		t.Errorf("%d holidays with an all-week weekend, want 11 (no compensation)", len(h))
	}
}

func TestConcurrentUse(t *testing.T) {
	cal := officialCalendar()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 500 {
				start := randomInstant(r)
				n := r.IntN(50) + 1
				got := cal.AddWorkdays(start, n)
				if w := cal.WorkdaysBetween(start, got); w != n {
					t.Errorf("WorkdaysBetween = %d, want %d", w, n)
					return
				}
			}
		})
	}
	wg.Wait()
}

func ExampleCalendar_AddWorkdays() {
	// Tết 2025 as announced: the five Tết days were 27–31 January.
	cal := NewCalendar(Rules{TetByYear: map[int]TetSpan{2025: {OldYearDays: 2, NewYearDays: 3}}}, nil)
	received := time.Date(2025, time.January, 20, 8, 0, 0, 0, Location())
	deadline := cal.AddWorkdays(received, 7) // e.g. 7 WD for the initial handling of a denunciation
	fmt.Println(deadline.Format(time.RFC3339Nano))
	fmt.Println(cal.WorkdaysBetween(received, deadline))
	// Output:
	// 2025-02-05T23:59:59.999999999+07:00
	// 7
}
