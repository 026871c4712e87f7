package workcal

import "testing"

// An administrator records the Tết breaks as the government announced
// them, weekends included: the calendar then keeps them, and the days
// around them are working days (without the records, 3 February 2025
// would be a compensatory day off for a default Tết day on a Saturday).
// A day off for another reason near Tết leaves the span alone.
func TestAnnouncedTetReplacesTheDefaultSpan(t *testing.T) {
	overrides := map[Date]Override{}
	for _, br := range []struct{ first, last Date }{
		{d(2024, 2, 8), d(2024, 2, 14)},
		{d(2025, 1, 25), d(2025, 2, 2)},
	} {
		for x := br.first; !x.After(br.last); x = x.AddDays(1) {
			overrides[x] = Override{Reason: "Nghỉ Tết Nguyên đán"}
		}
	}
	overrides[d(2026, 2, 24)] = Override{Reason: "Bão số 1"}
	cal := NewCalendar(Rules{}.WithAnnouncedTet(overrides), overrides)
	for _, x := range []Date{d(2024, 2, 7), d(2024, 2, 15), d(2024, 2, 16), d(2025, 1, 24), d(2025, 2, 3), d(2026, 2, 23)} {
		if ok, why := cal.Day(x); !ok {
			t.Errorf("%v (%v) is a day off: %q", x, x.Weekday(), why)
		}
	}
	for _, x := range []Date{d(2025, 1, 27), d(2025, 1, 31), d(2026, 2, 16), d(2026, 2, 20), d(2026, 2, 24)} {
		if cal.IsWorkday(x) {
			t.Errorf("%v is a working day", x)
		}
	}
	if got := (Rules{}).WithAnnouncedTet(overrides).TetByYear; len(got) != 2 || got[2025] != (TetSpan{2, 3, true}) || got[2024] != (TetSpan{2, 5, true}) {
		t.Errorf("announced spans %v, want 2024 {2 5 true} and 2025 {2 3 true}", got)
	}
	if NewCalendar(Rules{}, nil).IsWorkday(d(2025, 2, 3)) {
		t.Error("without records, 3 February 2025 should be the default's compensatory day off")
	}
}

// An administrator records the announced Tết break one day at a time
// (`danvan admin calendar add DATE -off`). Recording its first weekday,
// Mon 27 Jan 2025 ("Nghỉ Tết Ất Tỵ"), must not turn the default Tết days
// (mùng 1–3, 29–31 Jan 2025) into working days.
func TestOneRecordedTetDayKeepsMung1To3Off(t *testing.T) {
	overrides := map[Date]Override{d(2025, 1, 27): {Reason: "Nghỉ Tết Ất Tỵ"}}
	cal := NewCalendar(Rules{}.WithAnnouncedTet(overrides), overrides)
	for _, x := range []Date{d(2025, 1, 29), d(2025, 1, 30), d(2025, 1, 31)} {
		if cal.IsWorkday(x) {
			t.Errorf("%v (Tết, mùng %d) became a working day after one more Tết day off was recorded", x, x.Day-28)
		}
	}
}

// A reason names Tết however it was typed; words that only contain "tet"
// do not.
func TestNamesTet(t *testing.T) {
	for reason, want := range map[string]bool{
		"Nghỉ Tết Đinh Mùi":             true,
		"Nghỉ Te\u0302\u0301t Đinh Mùi": true, // decomposed, as Unikey's "tổ hợp" table types it
		"NGHỈ TẾT":                      true,
		"Nghi Tet":                      true,
		"Tet holiday (announced)":       true,
		"Nghỉ lễ Quốc khánh":            false,
		"Tetra Pak maintenance day":     false,
	} {
		if got := namesTet(reason); got != want {
			t.Errorf("namesTet(%q) = %v, want %v", reason, got, want)
		}
	}
}
