package workcal

import (
	"slices"
	"time"
)

// Reasons used in [Day.Reason] for the statutory holidays of Labour Code
// 2019 (Law 45/2019/QH14) Art. 112.1.
const (
	ReasonNewYear     = "Tết Dương lịch"        // 1 January
	ReasonTet         = "Tết Nguyên đán"        // lunar new year, 5 days
	ReasonHungKings   = "Giỗ Tổ Hùng Vương"     // 10/3 lunar
	ReasonVictory     = "Ngày Chiến thắng"      // 30 April
	ReasonLabour      = "Ngày Quốc tế lao động" // 1 May
	ReasonNationalDay = "Ngày Quốc khánh"       // 2 September and one adjacent day
	ReasonWeekend     = "Nghỉ cuối tuần"        // weekly rest day (see Calendar.Day)

	// CompensatoryPrefix starts the reason of a compensatory day off (nghỉ
	// bù), followed by the reason of the holiday it compensates, e.g.
	// "Nghỉ bù Tết Nguyên đán".
	CompensatoryPrefix = "Nghỉ bù "
)

// Day is a day off with its reason, in Vietnamese.
type Day struct {
	Date   Date
	Reason string
}

// TetSpan chooses the five Tết days around the lunar new year. The Prime
// Minister picks them every year (Labour Code Art. 112.3, unconfirmed).
type TetSpan struct {
	// OldYearDays is the number of days at the end of the old lunar year,
	// ending with its last day (29 or 30 of month 12).
	OldYearDays int
	// NewYearDays is the number of days of the new lunar year, starting
	// with mùng 1 (1/1).
	NewYearDays int
	// Announced marks a span as the government announced it, weekly rest
	// days within it included: they give no compensatory days off.
	Announced bool
}

// defaultTetSpan is the last day of the old lunar year plus mùng 1–4.
var defaultTetSpan = TetSpan{OldYearDays: 1, NewYearDays: 4}

// Rules are the statutory holiday rules and the office hours. The zero
// value is the default rule set: Saturday and Sunday off, Tết on the last
// day of the old lunar year plus mùng 1–4, 1 September as the day next to
// National Day, compensatory days off, and DefaultOfficeHours.
//
// The per-year maps hold the government's yearly choices once announced;
// the government's swapped and make-up working days are not rules but
// [Override]s of a [Calendar].
type Rules struct {
	// Weekend lists the weekly rest days; nil means Saturday and Sunday.
	Weekend []time.Weekday

	// Tet is the Tết span; the zero value means {OldYearDays: 1,
	// NewYearDays: 4}.
	Tet TetSpan
	// TetByYear overrides Tet for the lunar year whose Tết (1/1) falls in
	// the given Gregorian year.
	TetByYear map[int]TetSpan

	// NationalDayExtra is the day of September (1 or 3) taken off next to
	// 2 September; any other value, including 0, means 1.
	NationalDayExtra int
	// NationalDayExtraByYear overrides NationalDayExtra per year.
	NationalDayExtraByYear map[int]int

	// NoCompensation disables compensatory days off. By default, a
	// holiday that falls on a weekly rest day gives a day off on the next
	// day that is neither a rest day nor a holiday (Labour Code Art.
	// 111.3, unconfirmed).
	NoCompensation bool

	// OfficeHours are the sessions that rules counted in working hours
	// count; no sessions means DefaultOfficeHours.
	OfficeHours OfficeHours
}

// Holidays returns the statutory days off of the given Gregorian year under
// the default [Rules], in date order, including Tết and holidays that fall
// on a weekend and the compensatory days (nghỉ bù) they give. Lunar
// holidays are only computed inside the lunar calendar range (1900–2100);
// outside it only the solar-date holidays are listed.
func Holidays(year int) []Day { return Rules{}.Holidays(year) }

// Holidays returns the statutory days off of the given Gregorian year under
// r, as described for the package-level [Holidays].
func (r Rules) Holidays(year int) []Day {
	hs := r.holidays(year)
	days := make([]Day, len(hs))
	for i, h := range hs {
		days[i] = Day{Date: fromJDN(h.jdn), Reason: h.reason}
	}
	return days
}

type holiday struct {
	jdn    int
	reason string
}

func (r Rules) tetSpan(year int) TetSpan {
	s, ok := r.TetByYear[year]
	if !ok {
		s = r.Tet
	}
	if s == (TetSpan{}) {
		s = defaultTetSpan
	}
	return TetSpan{max(s.OldYearDays, 0), max(s.NewYearDays, 0), s.Announced}
}

func (r Rules) nationalDayExtra(year int) int {
	d, ok := r.NationalDayExtraByYear[year]
	if !ok {
		d = r.NationalDayExtra
	}
	if d != 3 {
		d = 1
	}
	return d
}

func (r Rules) weekend() (w [7]bool) {
	if r.Weekend == nil {
		w[time.Saturday], w[time.Sunday] = true, true
		return w
	}
	for _, d := range r.Weekend {
		if d >= time.Sunday && d <= time.Saturday {
			w[d] = true
		}
	}
	return w
}

// holidays returns the holidays and compensatory days of a Gregorian year,
// sorted by date.
func (r Rules) holidays(year int) []holiday {
	raw := map[int]string{}
	announced := map[int]bool{} // days of an announced Tết span
	add := func(j int, reason string) {
		if old, ok := raw[j]; ok && old != reason {
			// Two holidays on one day (e.g. Giỗ Tổ on 30 April) give
			// one day off; the Labour Code grants no extra day for that.
			reason = old + ", " + reason
		}
		raw[j] = reason
	}
	// Holidays of neighbouring years can spill over (a long Tết span,
	// compensatory days), so collect three years and filter at the end.
	for y := year - 1; y <= year+1; y++ {
		add(civilToJDN(y, time.January, 1), ReasonNewYear)
		if tet, err := LunarNewYear(y); err == nil {
			s, t := r.tetSpan(y), tet.jdn()
			for j := t - s.OldYearDays; j < t+s.NewYearDays; j++ {
				add(j, ReasonTet)
				announced[j] = s.Announced
			}
		}
		if d, err := FromLunar(LunarDate{Year: y, Month: 3, Day: 10}); err == nil {
			add(d.jdn(), ReasonHungKings)
		}
		add(civilToJDN(y, time.April, 30), ReasonVictory)
		add(civilToJDN(y, time.May, 1), ReasonLabour)
		add(civilToJDN(y, time.September, 2), ReasonNationalDay)
		add(civilToJDN(y, time.September, r.nationalDayExtra(y)), ReasonNationalDay)
	}

	all := make([]holiday, 0, len(raw)+4)
	for j, reason := range raw {
		all = append(all, holiday{j, reason})
	}
	slices.SortFunc(all, func(a, b holiday) int { return a.jdn - b.jdn })

	weekend := r.weekend()
	if !r.NoCompensation && slices.Contains(weekend[:], false) {
		taken := make(map[int]bool, len(raw))
		for j := range raw {
			taken[j] = true
		}
		n := len(all)
		for _, h := range all[:n] {
			if !weekend[weekdayOf(h.jdn)] || announced[h.jdn] {
				continue
			}
			c := h.jdn + 1
			for weekend[weekdayOf(c)] || taken[c] {
				c++
			}
			taken[c] = true
			all = append(all, holiday{c, CompensatoryPrefix + h.reason})
		}
		slices.SortFunc(all, func(a, b holiday) int { return a.jdn - b.jdn })
	}

	first, next := civilToJDN(year, time.January, 1), civilToJDN(year+1, time.January, 1)
	return slices.DeleteFunc(all, func(h holiday) bool { return h.jdn < first || h.jdn >= next })
}
