package workcal

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
)

// The Vietnamese lunisolar calendar (âm lịch) follows the rules of the
// modern Chinese calendar, evaluated for the meridian of UTC+7:
//
//  1. A month starts on the local day that contains a new moon.
//  2. Month 11 is the month that contains the December solstice (the Sun
//     at apparent longitude 270°).
//  3. When 13 months start between two consecutive month-11 starts, the
//     first of them (after month 11) that contains no principal term
//     (trung khí: a multiple of 30° of solar longitude) is a leap month
//     and repeats the number of the month before it.
//
// A term or new moon belongs to the local day (UTC+7) in which it occurs.
// Because Vietnam and China evaluate the rules at different meridians the
// two calendars occasionally differ, e.g. Tết 1985 (21 Jan vs 20 Feb) and
// 2007 (17 vs 18 Feb).
//
// The conversion tables are computed once, on first use, for the lunar
// months from the winter of 1898 to the winter of 2102; this covers every
// solar date of 1900–2100 and every lunar year 1900–2100.

// Supported ranges of the lunar conversions.
const (
	firstSuiYear = 1898 // Gregorian year of the first tabulated month 11
	lastSuiYear  = 2102 // Gregorian year of the month 11 that ends the table
	vnTZHours    = 7.0
)

// Errors returned by the lunar conversions.
var (
	ErrOutOfRange   = errors.New("workcal: date outside the supported lunar calendar range")
	ErrInvalidLunar = errors.New("workcal: no such lunar date")
)

// LunarDate is a date of the Vietnamese lunisolar calendar.
type LunarDate struct {
	Year  int  // lunar year, numbered as the Gregorian year in which its Tết falls
	Month int  // 1–12
	Day   int  // 1–30
	Leap  bool // the month is a leap month (tháng nhuận)
}

// String formats l as "day/month/year", with " (nhuận)" for a leap month.
func (l LunarDate) String() string {
	s := fmt.Sprintf("%02d/%02d/%04d", l.Day, l.Month, l.Year)
	if l.Leap {
		s += " (nhuận)"
	}
	return s
}

type lunarMonth struct {
	start int32 // JDN of day 1
	year  int16
	month int8
	leap  bool
}

type lunarTable struct {
	months  []lunarMonth // consecutive months; the last entry is a sentinel giving the end of the table
	tetIdx  []int32      // index in months of month 1 of lunar year tetYear0+i
	tetYear int
}

var (
	vnTableOnce sync.Once
	vnTable     *lunarTable
)

func vietnamTable() *lunarTable {
	vnTableOnce.Do(func() { vnTable = buildLunarTable(vnTZHours, firstSuiYear, lastSuiYear) })
	return vnTable
}

// newMoonDay returns the JDN of the local day (at UTC+tz hours) containing
// new moon k.
func newMoonDay(k int, tz float64) int {
	jd := ttToUT(newMoonJDE(k)) + tz/24
	return int(math.Floor(jd + 0.5))
}

// sunLongitudeAtDayStart returns the Sun's apparent longitude at local
// midnight (UTC+tz) at the start of day jdn.
func sunLongitudeAtDayStart(jdn int, tz float64) float64 {
	return sunLongitude(utToTT(float64(jdn) - 0.5 - tz/24))
}

// buildLunarTable computes all lunar months whose month-11 "years" (sui)
// start in Gregorian years y0 to y1-1, at the meridian UTC+tz hours.
func buildLunarTable(tz float64, y0, y1 int) *lunarTable {
	// Lunation numbers from October of y0 to February of y1+1.
	k0 := int(math.Floor((float64(y0) + 9.0/12 - 2000) * 12.3685))
	k1 := int(math.Ceil((float64(y1) + 1 + 2.0/12 - 2000) * 12.3685))

	n := k1 - k0 + 1
	start := make([]int, n)
	lon := make([]float64, n)
	for i := range n {
		start[i] = newMoonDay(k0+i, tz)
		lon[i] = sunLongitudeAtDayStart(start[i], tz)
	}
	// Month i spans days [start[i], start[i+1]); it contains the terms at
	// multiples of 30° in the longitude interval (lon[i], lon[i+1]].
	terms := make([]int, n-1)
	var m11 []int
	for i := range n - 1 {
		a, b := lon[i], lon[i+1]
		if b < a {
			b += 360
		}
		terms[i] = int(math.Floor(b/30)) - int(math.Floor(a/30))
		if (a < 270 && 270 <= b) || (a < 630 && 630 <= b) {
			m11 = append(m11, i)
		}
	}

	t := &lunarTable{}
	end := -1
	for s := 0; s+1 < len(m11); s++ {
		i0, i1 := m11[s], m11[s+1]
		suiYear := fromJDN(start[i0]).Year
		if suiYear < y0 || suiYear >= y1 {
			continue
		}
		leapIdx := -1
		switch i1 - i0 {
		case 12:
		case 13:
			for j := i0 + 1; j < i1; j++ {
				if terms[j] == 0 {
					leapIdx = j
					break
				}
			}
			if leapIdx < 0 {
				panic("workcal: 13-month year without a month lacking a principal term")
			}
		default:
			panic(fmt.Sprintf("workcal: %d months between month-11 starts", i1-i0))
		}
		month, year := 11, suiYear
		for j := i0; j < i1; j++ {
			leap := j == leapIdx
			if j > i0 && !leap {
				month++
				if month == 13 {
					month, year = 1, year+1
				}
			}
			if month == 1 && !leap {
				if len(t.tetIdx) == 0 {
					t.tetYear = year
				}
				t.tetIdx = append(t.tetIdx, int32(len(t.months)))
			}
			t.months = append(t.months, lunarMonth{start: int32(start[j]), year: int16(year), month: int8(month), leap: leap})
		}
		end = start[i1]
	}
	// Sentinel: the start of the month 11 that follows the last sui.
	t.months = append(t.months, lunarMonth{start: int32(end)})
	return t
}

// toLunar converts the day with Julian Day Number j.
func (t *lunarTable) toLunar(j int) (LunarDate, error) {
	ms := t.months
	if j < int(ms[0].start) || j >= int(ms[len(ms)-1].start) {
		return LunarDate{}, ErrOutOfRange
	}
	// Index of the last month starting on or before j.
	i := sort.Search(len(ms), func(i int) bool { return int(ms[i].start) > j }) - 1
	m := ms[i]
	return LunarDate{Year: int(m.year), Month: int(m.month), Day: j - int(m.start) + 1, Leap: m.leap}, nil
}

// monthIndex returns the index in t.months of the given lunar month.
func (t *lunarTable) monthIndex(year, month int, leap bool) (int, error) {
	if month < 1 || month > 12 {
		return 0, ErrInvalidLunar
	}
	yi, err := t.yearIndex(year)
	if err != nil {
		return 0, err
	}
	for i := int(t.tetIdx[yi]); i < len(t.months)-1; i++ {
		m := t.months[i]
		if int(m.year) != year {
			break
		}
		if int(m.month) == month && m.leap == leap {
			return i, nil
		}
	}
	return 0, ErrInvalidLunar
}

// yearIndex returns the index in t.tetIdx of a lunar year that the table
// holds completely. The last tabulated Tết starts a year whose months 11
// and 12 lie beyond the table, so that year is out of range.
func (t *lunarTable) yearIndex(year int) (int, error) {
	yi := year - t.tetYear
	if yi < 0 || yi >= len(t.tetIdx)-1 {
		return 0, ErrOutOfRange
	}
	return yi, nil
}

func (t *lunarTable) fromLunar(l LunarDate) (int, error) {
	i, err := t.monthIndex(l.Year, l.Month, l.Leap)
	if err != nil {
		return 0, err
	}
	length := int(t.months[i+1].start - t.months[i].start)
	if l.Day < 1 || l.Day > length {
		return 0, ErrInvalidLunar
	}
	return int(t.months[i].start) + l.Day - 1, nil
}

// ToLunar converts a solar date to the Vietnamese lunar calendar. It
// returns ErrOutOfRange outside the tabulated range (at least 1900-01-01
// to 2100-12-31).
func ToLunar(d Date) (LunarDate, error) { return vietnamTable().toLunar(d.jdn()) }

// FromLunar converts a Vietnamese lunar date to the solar calendar. It
// returns ErrInvalidLunar for a day, month or leap flag that does not
// exist (day 30 of a 29-day month, a leap flag on a month that is not
// leap) and ErrOutOfRange outside lunar years 1900–2100 (plus margins).
func FromLunar(l LunarDate) (Date, error) {
	j, err := vietnamTable().fromLunar(l)
	if err != nil {
		return Date{}, err
	}
	return fromJDN(j), nil
}

// LunarNewYear returns the solar date of Tết Nguyên đán (1/1 of lunar
// year) in Vietnam.
func LunarNewYear(year int) (Date, error) { return FromLunar(LunarDate{Year: year, Month: 1, Day: 1}) }

// LeapMonth returns the number of the leap month of the given lunar year,
// or 0 if the year has none. A leap month directly follows the regular
// month of the same number.
func LeapMonth(year int) (int, error) {
	t := vietnamTable()
	yi, err := t.yearIndex(year)
	if err != nil {
		return 0, err
	}
	for i := int(t.tetIdx[yi]); i < len(t.months)-1 && int(t.months[i].year) == year; i++ {
		if t.months[i].leap {
			return int(t.months[i].month), nil
		}
	}
	return 0, nil
}

// LunarMonthLength returns the number of days (29 or 30) of a lunar month.
func LunarMonthLength(year, month int, leap bool) (int, error) {
	t := vietnamTable()
	i, err := t.monthIndex(year, month, leap)
	if err != nil {
		return 0, err
	}
	return int(t.months[i+1].start - t.months[i].start), nil
}
