package workcal

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

// Vietnamese Tết (1/1 lunar) dates. 2000–2029 coincide with the Chinese
// New Year except 2007; 1968 (northern Vietnam, first year on UTC+7), 1985,
// 2007 and 2030 are the known years where Vietnam and China differ.
func TestLunarNewYearVietnam(t *testing.T) {
	for _, tc := range []struct {
		year int
		want Date
	}{
		{1968, d(1968, 1, 29)}, // China: 30 Jan
		{1985, d(1985, 1, 21)}, // China: 20 Feb
		{2000, d(2000, 2, 5)},
		{2001, d(2001, 1, 24)},
		{2002, d(2002, 2, 12)},
		{2003, d(2003, 2, 1)},
		{2004, d(2004, 1, 22)},
		{2005, d(2005, 2, 9)},
		{2006, d(2006, 1, 29)},
		{2007, d(2007, 2, 17)}, // China: 18 Feb (new moon 17 Feb 23:14 UTC+7)
		{2008, d(2008, 2, 7)},
		{2009, d(2009, 1, 26)},
		{2010, d(2010, 2, 14)},
		{2011, d(2011, 2, 3)},
		{2012, d(2012, 1, 23)},
		{2013, d(2013, 2, 10)},
		{2014, d(2014, 1, 31)},
		{2015, d(2015, 2, 19)},
		{2016, d(2016, 2, 8)},
		{2017, d(2017, 1, 28)},
		{2018, d(2018, 2, 16)},
		{2019, d(2019, 2, 5)},
		{2020, d(2020, 1, 25)},
		{2021, d(2021, 2, 12)},
		{2022, d(2022, 2, 1)},
		{2023, d(2023, 1, 22)},
		{2024, d(2024, 2, 10)},
		{2025, d(2025, 1, 29)},
		{2026, d(2026, 2, 17)},
		{2027, d(2027, 2, 6)},
		{2028, d(2028, 1, 26)},
		{2029, d(2029, 2, 13)},
		// The new moon is on 2 Feb 2030 at about 16:07 UTC, i.e. 23:07 in
		// Vietnam but 00:07 on 3 Feb in China: Vietnamese Tết is 2 Feb,
		// the Chinese New Year 3 Feb.
		{2030, d(2030, 2, 2)},
	} {
		got, err := LunarNewYear(tc.year)
		if err != nil || got != tc.want {
			t.Errorf("LunarNewYear(%d) = %v, %v; want %v", tc.year, got, err, tc.want)
		}
	}
}

// The same rules at UTC+8 must reproduce the Chinese New Year, which
// checks that the Vietnam/China differences come from the meridian only.
func TestLunarNewYearChina(t *testing.T) {
	cn := buildLunarTable(8, firstSuiYear, lastSuiYear)
	for _, tc := range []struct {
		year int
		want Date
	}{
		{1968, d(1968, 1, 30)},
		{1985, d(1985, 2, 20)},
		{1990, d(1990, 1, 27)},
		{1991, d(1991, 2, 15)},
		{1992, d(1992, 2, 4)},
		{1993, d(1993, 1, 23)},
		{1994, d(1994, 2, 10)},
		{1995, d(1995, 1, 31)},
		{1996, d(1996, 2, 19)},
		{1997, d(1997, 2, 7)},
		{1998, d(1998, 1, 28)},
		{1999, d(1999, 2, 16)},
		{2007, d(2007, 2, 18)},
		{2030, d(2030, 2, 3)},
	} {
		j, err := cn.fromLunar(LunarDate{Year: tc.year, Month: 1, Day: 1})
		if got := fromJDN(j); err != nil || got != tc.want {
			t.Errorf("Chinese New Year %d = %v, %v; want %v", tc.year, got, err, tc.want)
		}
	}
}

func TestLeapMonth(t *testing.T) {
	for _, tc := range []struct{ year, want int }{
		{2001, 4}, {2004, 2}, {2006, 7}, {2009, 5}, {2012, 4}, {2014, 9},
		{2017, 6}, {2020, 4}, {2023, 2}, {2025, 6}, {2028, 5}, {2031, 3},
		{2033, 11}, // the Chinese "2033 problem" resolves to a leap 11th month
		{2021, 0}, {2022, 0}, {2024, 0}, {2026, 0}, {2027, 0},
	} {
		if got, err := LeapMonth(tc.year); err != nil || got != tc.want {
			t.Errorf("LeapMonth(%d) = %d, %v; want %d", tc.year, got, err, tc.want)
		}
	}
}

// Known solar ↔ lunar correspondences.
func TestLunarKnownDates(t *testing.T) {
	for _, tc := range []struct {
		solar Date
		lunar LunarDate
		note  string
	}{
		{d(2023, 4, 29), LunarDate{2023, 3, 10, false}, "Giỗ Tổ 2023"},
		{d(2024, 4, 18), LunarDate{2024, 3, 10, false}, "Giỗ Tổ 2024"},
		{d(2025, 4, 7), LunarDate{2025, 3, 10, false}, "Giỗ Tổ 2025"},
		{d(2026, 4, 26), LunarDate{2026, 3, 10, false}, "Giỗ Tổ 2026"},
		{d(2024, 2, 8), LunarDate{2023, 12, 29, false}, "start of the 2024 Tết break (29 tháng Chạp)"},
		{d(2024, 2, 9), LunarDate{2023, 12, 30, false}, "2024 has a 30 Tết"},
		{d(2024, 2, 14), LunarDate{2024, 1, 5, false}, "end of the 2024 Tết break (mùng 5)"},
		{d(2025, 1, 25), LunarDate{2024, 12, 26, false}, "start of the 2025 Tết break"},
		{d(2025, 1, 28), LunarDate{2024, 12, 29, false}, "2025 has no 30 Tết"},
		{d(2025, 2, 2), LunarDate{2025, 1, 5, false}, "end of the 2025 Tết break"},
		{d(2025, 7, 25), LunarDate{2025, 6, 1, true}, "leap 6th month 2025"},
		{d(2025, 10, 6), LunarDate{2025, 8, 15, false}, "Trung thu 2025"},
		{d(2024, 9, 17), LunarDate{2024, 8, 15, false}, "Trung thu 2024"},
		{d(2023, 9, 29), LunarDate{2023, 8, 15, false}, "Trung thu 2023"},
		{d(2026, 2, 14), LunarDate{2025, 12, 27, false}, "start of the 2026 Tết break"},
		{d(2026, 2, 16), LunarDate{2025, 12, 29, false}, "2026 has no 30 Tết"},
		{d(2026, 2, 22), LunarDate{2026, 1, 6, false}, "end of the 2026 Tết break"},
	} {
		got, err := ToLunar(tc.solar)
		if err != nil || got != tc.lunar {
			t.Errorf("%s: ToLunar(%v) = %v, %v; want %v", tc.note, tc.solar, got, err, tc.lunar)
		}
		back, err := FromLunar(tc.lunar)
		if err != nil || back != tc.solar {
			t.Errorf("%s: FromLunar(%v) = %v, %v; want %v", tc.note, tc.lunar, back, err, tc.solar)
		}
	}
}

// Every day of 1900–2100 converts to a lunar date and back, and the lunar
// dates of consecutive days are consecutive.
func TestLunarRoundTrip(t *testing.T) {
	first, last := d(1900, 1, 1).jdn(), d(2100, 12, 31).jdn()
	prev, err := ToLunar(fromJDN(first - 1))
	if err != nil {
		t.Fatalf("ToLunar(1899-12-31): %v", err)
	}
	for j := first; j <= last; j++ {
		day := fromJDN(j)
		l, err := ToLunar(day)
		if err != nil {
			t.Fatalf("ToLunar(%v): %v", day, err)
		}
		back, err := FromLunar(l)
		if err != nil || back != day {
			t.Fatalf("FromLunar(ToLunar(%v) = %v) = %v, %v", day, l, back, err)
		}
		if l.Day != 1 {
			if want := (LunarDate{prev.Year, prev.Month, prev.Day + 1, prev.Leap}); l != want {
				t.Fatalf("%v: lunar %v follows %v", day, l, prev)
			}
		} else {
			if prev.Day != 29 && prev.Day != 30 {
				t.Fatalf("%v: month before %v has %d days", day, l, prev.Day)
			}
			ok := false
			switch {
			case l.Leap:
				ok = l.Month == prev.Month && !prev.Leap && l.Year == prev.Year
			case l.Month == 1:
				ok = prev.Month == 12 && l.Year == prev.Year+1
			default:
				ok = l.Month == prev.Month+1 && l.Year == prev.Year
			}
			if !ok {
				t.Fatalf("%v: month %v follows %v", day, l, prev)
			}
		}
		prev = l
	}
}

func TestLunarYearShape(t *testing.T) {
	for y := 1900; y <= 2100; y++ {
		tet, err := LunarNewYear(y)
		if err != nil {
			t.Fatalf("LunarNewYear(%d): %v", y, err)
		}
		// Tết always falls between 21 January and 20 February.
		if tet.Before(d(y, 1, 21)) || tet.After(d(y, 2, 20)) {
			t.Errorf("Tết %d on %v", y, tet)
		}
		next, err := LunarNewYear(y + 1)
		if err != nil {
			t.Fatalf("LunarNewYear(%d): %v", y+1, err)
		}
		leap, _ := LeapMonth(y)
		length := next.Sub(tet)
		if (leap == 0 && (length < 353 || length > 355)) || (leap != 0 && (length < 383 || length > 385)) {
			t.Errorf("lunar year %d: %d days, leap month %d", y, length, leap)
		}
	}
}

func TestLunarErrors(t *testing.T) {
	for _, tc := range []struct {
		in   LunarDate
		want error
	}{
		{LunarDate{2025, 12, 30, false}, ErrInvalidLunar}, // month 12 of lunar 2025 (to 16 Feb 2026) has 29 days
		{LunarDate{2024, 3, 1, true}, ErrInvalidLunar},    // 2024 has no leap month
		{LunarDate{2025, 5, 1, true}, ErrInvalidLunar},    // 2025's leap month is the 6th
		{LunarDate{2025, 0, 1, false}, ErrInvalidLunar},
		{LunarDate{2025, 13, 1, false}, ErrInvalidLunar},
		{LunarDate{2025, 1, 0, false}, ErrInvalidLunar},
		{LunarDate{1800, 1, 1, false}, ErrOutOfRange},
		{LunarDate{2200, 1, 1, false}, ErrOutOfRange},
	} {
		if _, err := FromLunar(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("FromLunar(%v) error = %v, want %v", tc.in, err, tc.want)
		}
	}
	for _, day := range []Date{d(1800, 1, 1), d(2200, 1, 1)} {
		if _, err := ToLunar(day); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("ToLunar(%v) error = %v, want ErrOutOfRange", day, err)
		}
	}
	if n, err := LunarMonthLength(2024, 12, false); err != nil || n != 29 {
		t.Errorf("LunarMonthLength(2024, 12) = %d, %v; want 29", n, err)
	}
	if n, err := LunarMonthLength(2023, 12, false); err != nil || n != 30 {
		t.Errorf("LunarMonthLength(2023, 12) = %d, %v; want 30", n, err)
	}
}

func ExampleToLunar() {
	l, _ := ToLunar(Date{2025, time.July, 25})
	fmt.Println(l)
	// Output: 01/06/2025 (nhuận)
}

func ExampleLunarNewYear() {
	for _, y := range []int{2007, 2030} {
		tet, _ := LunarNewYear(y)
		fmt.Println(tet)
	}
	// Output:
	// 2007-02-17
	// 2030-02-02
}

// Tết (1/1) and Giỗ Tổ Hùng Vương (10/3, the regular month even in 2031,
// whose leap month is 3) for 2025–2035 are the days Hồ Ngọc Đức's
// independent UTC+7 algorithm gives (a reviewer also compared the full
// day-by-day conversion of 2024–2036).
func TestLunarHolidaysMatchAnIndependentAlgorithm(t *testing.T) {
	tet := map[int]Date{2025: d(2025, 1, 29), 2026: d(2026, 2, 17), 2027: d(2027, 2, 6), 2028: d(2028, 1, 26),
		2029: d(2029, 2, 13), 2030: d(2030, 2, 2), 2031: d(2031, 1, 23), 2032: d(2032, 2, 11), 2033: d(2033, 1, 31),
		2034: d(2034, 2, 19), 2035: d(2035, 2, 8)}
	hung := map[int]Date{2025: d(2025, 4, 7), 2026: d(2026, 4, 26), 2027: d(2027, 4, 16), 2028: d(2028, 4, 4),
		2029: d(2029, 4, 23), 2030: d(2030, 4, 12), 2031: d(2031, 4, 1), 2032: d(2032, 4, 19), 2033: d(2033, 4, 9),
		2034: d(2034, 4, 28), 2035: d(2035, 4, 17)}
	for y := 2025; y <= 2035; y++ {
		if got, err := LunarNewYear(y); err != nil || got != tet[y] {
			t.Errorf("Tết %d = %v, %v; want %v", y, got, err, tet[y])
		}
		found := false
		for _, h := range Holidays(y) {
			if h.Reason == ReasonHungKings || h.Reason == ReasonHungKings+", "+ReasonVictory {
				found = found || h.Date == hung[y]
			}
		}
		if !found {
			t.Errorf("Giỗ Tổ %d not on %v: %v", y, hung[y], Holidays(y))
		}
	}
}
