package workcal

import (
	"maps"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// tetCoreDays are the first days of the lunar year, always part of Tết.
const tetCoreDays = 3

// announcedTetWindow is how far from mùng 1 a day off recorded for Tết is
// taken as part of that year's Tết span.
const announcedTetWindow = 15

// WithAnnouncedTet returns r with the Tết spans the government announced,
// as an administrator recorded them: days off whose reason names Tết
// ("Nghỉ Tết Ất Tỵ") within 15 days of a lunar new year. From the first to
// the last of them that is not a weekly rest day, and at least mùng 1–3,
// is that year's span, in
// place of the default one and the compensatory days it would give: the
// Prime Minister chooses the days each year, e.g. 27–31 January 2025 when
// the default would have put one on a Saturday and given 3 February off
// in its place, or 8–14 February 2024, two weekend days included.
func (r Rules) WithAnnouncedTet(overrides map[Date]Override) Rules {
	weekend := r.weekend()
	first, last := map[int]Date{}, map[int]Date{}
	for d, o := range overrides {
		if o.Workday || weekend[d.Weekday()] || !namesTet(o.Reason) {
			continue
		}
		// Mùng 1 falls between 21 January and 20 February: a day within
		// the window is of its own year's Tết.
		y := d.Year
		if tet, err := LunarNewYear(y); err != nil || abs(d.Sub(tet)) > announcedTetWindow {
			continue
		}
		if f, ok := first[y]; !ok || d.Before(f) {
			first[y] = d
		}
		if l, ok := last[y]; !ok || d.After(l) {
			last[y] = d
		}
	}
	if len(first) == 0 {
		return r
	}
	spans := maps.Clone(r.TetByYear)
	if spans == nil {
		spans = make(map[int]TetSpan, len(first))
	}
	for y, f := range first {
		// Mùng 1–3 are Tết whatever the break: an administrator recording
		// it a day at a time never turns them into working days.
		tet, _ := LunarNewYear(y)
		spans[y] = TetSpan{OldYearDays: max(tet.Sub(f), 0), NewYearDays: max(last[y].Sub(tet)+1, tetCoreDays), Announced: true}
	}
	r.TetByYear = spans
	return r
}

func abs(n int) int { return max(n, -n) }

// namesTet reports whether a day off's reason names Tết, whichever
// keyboard typed it: in precomposed or decomposed Unicode (Unikey's
// "tổ hợp" table, text pasted from a PDF), or without diacritics as the
// word "Tet".
func namesTet(reason string) bool {
	reason = strings.ToLower(norm.NFC.String(reason))
	return strings.Contains(reason, "tết") || slices.Contains(strings.FieldsFunc(reason, func(r rune) bool {
		return !unicode.IsLetter(r)
	}), "tet")
}
