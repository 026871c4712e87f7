package workcal

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	bu = CompensatoryPrefix
)

func TestHolidaysDefault(t *testing.T) {
	for _, tc := range []struct {
		year int
		want []Day
	}{
		{2024, []Day{
			{d(2024, 1, 1), ReasonNewYear},
			// Tết Sat 10 Feb: 9–13 Feb; Sat 10 and Sun 11 give 14 and 15 Feb.
			{d(2024, 2, 9), ReasonTet},
			{d(2024, 2, 10), ReasonTet},
			{d(2024, 2, 11), ReasonTet},
			{d(2024, 2, 12), ReasonTet},
			{d(2024, 2, 13), ReasonTet},
			{d(2024, 2, 14), bu + ReasonTet},
			{d(2024, 2, 15), bu + ReasonTet},
			{d(2024, 4, 18), ReasonHungKings},
			{d(2024, 4, 30), ReasonVictory},
			{d(2024, 5, 1), ReasonLabour},
			// 1 Sep is a Sunday: compensated on Tue 3 Sep (Mon 2 Sep is the holiday).
			{d(2024, 9, 1), ReasonNationalDay},
			{d(2024, 9, 2), ReasonNationalDay},
			{d(2024, 9, 3), bu + ReasonNationalDay},
		}},
		{2025, []Day{
			{d(2025, 1, 1), ReasonNewYear},
			// Tết Wed 29 Jan: 28 Jan–1 Feb; Sat 1 Feb gives Mon 3 Feb.
			{d(2025, 1, 28), ReasonTet},
			{d(2025, 1, 29), ReasonTet},
			{d(2025, 1, 30), ReasonTet},
			{d(2025, 1, 31), ReasonTet},
			{d(2025, 2, 1), ReasonTet},
			{d(2025, 2, 3), bu + ReasonTet},
			{d(2025, 4, 7), ReasonHungKings},
			{d(2025, 4, 30), ReasonVictory},
			{d(2025, 5, 1), ReasonLabour},
			{d(2025, 9, 1), ReasonNationalDay},
			{d(2025, 9, 2), ReasonNationalDay},
		}},
		{2026, []Day{
			{d(2026, 1, 1), ReasonNewYear},
			// Tết Tue 17 Feb: Mon 16–Fri 20 Feb.
			{d(2026, 2, 16), ReasonTet},
			{d(2026, 2, 17), ReasonTet},
			{d(2026, 2, 18), ReasonTet},
			{d(2026, 2, 19), ReasonTet},
			{d(2026, 2, 20), ReasonTet},
			// Giỗ Tổ on Sunday 26 April gives Monday 27 April.
			{d(2026, 4, 26), ReasonHungKings},
			{d(2026, 4, 27), bu + ReasonHungKings},
			{d(2026, 4, 30), ReasonVictory},
			{d(2026, 5, 1), ReasonLabour},
			{d(2026, 9, 1), ReasonNationalDay},
			{d(2026, 9, 2), ReasonNationalDay},
		}},
		{2023, []Day{
			// 1 Jan is a Sunday.
			{d(2023, 1, 1), ReasonNewYear},
			{d(2023, 1, 2), bu + ReasonNewYear},
			// Tết Sun 22 Jan: 21–25 Jan; Sat 21 and Sun 22 give 26 and 27 Jan.
			{d(2023, 1, 21), ReasonTet},
			{d(2023, 1, 22), ReasonTet},
			{d(2023, 1, 23), ReasonTet},
			{d(2023, 1, 24), ReasonTet},
			{d(2023, 1, 25), ReasonTet},
			{d(2023, 1, 26), bu + ReasonTet},
			{d(2023, 1, 27), bu + ReasonTet},
			// Leap 2nd month: Giỗ Tổ on Sat 29 April, then Sun 30 April
			// and Mon 1 May; compensated on Tue 2 and Wed 3 May.
			{d(2023, 4, 29), ReasonHungKings},
			{d(2023, 4, 30), ReasonVictory},
			{d(2023, 5, 1), ReasonLabour},
			{d(2023, 5, 2), bu + ReasonHungKings},
			{d(2023, 5, 3), bu + ReasonVictory},
			{d(2023, 9, 1), ReasonNationalDay},
			{d(2023, 9, 2), ReasonNationalDay},
			{d(2023, 9, 4), bu + ReasonNationalDay},
		}},
	} {
		if diff := cmp.Diff(tc.want, Holidays(tc.year)); diff != "" {
			t.Errorf("Holidays(%d) mismatch (-want +got):\n%s", tc.year, diff)
		}
	}
}

func TestHolidaysRules(t *testing.T) {
	// tet returns the Tết days and their compensatory days.
	tet := func(r Rules, year int) []Date {
		var ds []Date
		for _, h := range r.Holidays(year) {
			if strings.HasSuffix(h.Reason, ReasonTet) {
				ds = append(ds, h.Date)
			}
		}
		return ds
	}
	between := func(a, b Date) []Date {
		var ds []Date
		for x := a; !x.After(b); x = x.AddDays(1) {
			ds = append(ds, x)
		}
		return ds
	}
	// 2024 as announced (government, Nov 2023): 29 tháng Chạp–mùng 5,
	// Thu 8 – Wed 14 Feb 2024 = two days of the old year and three of the
	// new, Sat 10/Sun 11 compensated on 13 and 14 Feb.
	r := Rules{TetByYear: map[int]TetSpan{2024: {OldYearDays: 2, NewYearDays: 3}}}
	if diff := cmp.Diff(between(d(2024, 2, 8), d(2024, 2, 14)), tet(r, 2024)); diff != "" {
		t.Errorf("Tết 2024 with span 2+3 (-want +got):\n%s", diff)
	}
	// 2025 as announced (government, Nov 2024): Tết holidays 27–31 Jan
	// (28 tháng Chạp–mùng 3), no weekend overlap, no compensation.
	r = Rules{TetByYear: map[int]TetSpan{2025: {OldYearDays: 2, NewYearDays: 3}}}
	if diff := cmp.Diff(between(d(2025, 1, 27), d(2025, 1, 31)), tet(r, 2025)); diff != "" {
		t.Errorf("Tết 2025 with span 2+3 (-want +got):\n%s", diff)
	}
	// A span set for every year: 14–18 Feb 2026 with Sat 14 and Sun 15
	// compensated on 19 and 20 Feb.
	r = Rules{Tet: TetSpan{OldYearDays: 3, NewYearDays: 2}}
	if diff := cmp.Diff(between(d(2026, 2, 14), d(2026, 2, 20)), tet(r, 2026)); diff != "" {
		t.Errorf("Tết 2026 with span 3+2 (-want +got):\n%s", diff)
	}

	// The day after 2 September instead of the day before.
	r = Rules{NationalDayExtraByYear: map[int]int{2025: 3}}
	got := Rules.Holidays(r, 2025)
	want := []Day{{d(2025, 9, 2), ReasonNationalDay}, {d(2025, 9, 3), ReasonNationalDay}}
	if diff := cmp.Diff(want, got[len(got)-2:]); diff != "" {
		t.Errorf("National Day 2025 with the 3rd (-want +got):\n%s", diff)
	}

	// Without compensation, 2024 has exactly the 11 statutory days.
	if n := len(Rules{NoCompensation: true}.Holidays(2024)); n != 11 {
		t.Errorf("2024 without compensation: %d days, want 11", n)
	}

	// A Sunday-only weekly rest day: Saturday holidays are not compensated.
	sat := Rules{Weekend: []time.Weekday{time.Sunday}}.Holidays(2025)
	for _, h := range sat {
		if strings.HasPrefix(h.Reason, bu) {
			t.Errorf("Sunday-only weekend, 2025: unexpected %v", h)
		}
	}
}

// Properties of the default holidays over the whole lunar range.
func TestHolidaysAllYears(t *testing.T) {
	weekend := Rules{}.weekend()
	for y := 1900; y <= 2100; y++ {
		hs := Holidays(y)
		seen := map[Date]bool{}
		var statutory, comp, weekendHolidays int
		for i, h := range hs {
			if h.Date.Year != y || !h.Date.IsValid() {
				t.Fatalf("%d: bad date %v", y, h.Date)
			}
			if i > 0 && !hs[i-1].Date.Before(h.Date) {
				t.Fatalf("%d: not sorted or duplicate at %v", y, h.Date)
			}
			seen[h.Date] = true
			if strings.HasPrefix(h.Reason, bu) {
				comp++
				if weekend[h.Date.Weekday()] {
					t.Errorf("%d: compensatory day %v on a weekend", y, h.Date)
				}
				continue
			}
			statutory += strings.Count(h.Reason, ",") + 1
			if weekend[h.Date.Weekday()] {
				weekendHolidays++
			}
		}
		if statutory != 11 {
			t.Errorf("%d: %d statutory holiday-days, want 11: %v", y, statutory, hs)
		}
		if comp != weekendHolidays {
			t.Errorf("%d: %d compensatory days for %d weekend holidays", y, comp, weekendHolidays)
		}
		for _, x := range []Date{d(y, 1, 1), d(y, 4, 30), d(y, 5, 1), d(y, 9, 1), d(y, 9, 2)} {
			if !seen[x] {
				t.Errorf("%d: %v missing", y, x)
			}
		}
	}
}
