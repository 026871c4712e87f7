package workcal

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh must load even on hosts without zoneinfo.
)

// Date is a civil (calendar) date in the proleptic Gregorian calendar,
// without time of day or zone. Dates are interpreted in Vietnam
// (Asia/Ho_Chi_Minh) wherever an instant is needed. The zero value is not
// a valid date; use [NewDate], [DateOf] or [ParseDate].
//
// Date is comparable and can be used as a map key; two Dates denote the
// same day if and only if they are ==, provided both are valid.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Julian Day Numbers of two reference days.
const (
	unixEpochJDN = 2440588 // 1970-01-01
	// fixedOffsetJDN is 1976-01-01. Asia/Ho_Chi_Minh has been UTC+7
	// without DST since 1975-06-13, so from this day on local dates are
	// computed arithmetically instead of through zone lookups.
	fixedOffsetJDN = 2442779
	vnOffsetSec    = 7 * 3600
	secondsPerDay  = 86400
	fixedFromUnix  = (fixedOffsetJDN-unixEpochJDN)*secondsPerDay - vnOffsetSec
)

var vnLoc = loadLocation()

func loadLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil { // cannot happen with time/tzdata embedded
		return time.FixedZone("ICT", vnOffsetSec)
	}
	return loc
}

// Location returns the Asia/Ho_Chi_Minh time zone, in which all civil
// dates of this package are interpreted.
func Location() *time.Location { return vnLoc }

// NewDate returns the date y-m-d, normalizing out-of-range months and days
// the way [time.Date] does (for example 2025-01-32 becomes 2025-02-01).
func NewDate(y int, m time.Month, d int) Date {
	y += floorDiv(int(m)-1, 12)
	m = time.Month(floorMod(int(m)-1, 12) + 1)
	return fromJDN(civilToJDN(y, m, 1) + d - 1)
}

// DateOf returns the civil date of instant t in Vietnam.
func DateOf(t time.Time) Date { return fromJDN(dayNumber(t)) }

// ParseDate parses a date in the form "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("workcal: parse date %q: %w", s, err)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String formats d as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText implements encoding.TextMarshaler ("2006-01-02").
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler ("2006-01-02").
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// IsValid reports whether d names an existing day.
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && fromJDN(d.jdn()) == d
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekdayOf(d.jdn()) }

// AddDays returns the date n days after d (n may be negative).
func (d Date) AddDays(n int) Date { return fromJDN(d.jdn() + n) }

// Sub returns the number of days from u to d (d − u).
func (d Date) Sub(u Date) int { return d.jdn() - u.jdn() }

// Compare returns -1, 0 or +1 as d is before, equal to or after u.
func (d Date) Compare(u Date) int {
	a, b := d.jdn(), u.jdn()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.jdn() < u.jdn() }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.jdn() > u.jdn() }

// Start returns 00:00:00 of d in Vietnam.
func (d Date) Start() time.Time { return dayStart(d.jdn()) }

// End returns the last instant of d in Vietnam, 23:59:59.999999999. This is
// the instant deadlines of this package are expressed in: a deadline ending
// on d is met by any action at or before d.End() and missed after it.
func (d Date) End() time.Time { return dayEnd(d.jdn()) }

func (d Date) jdn() int { return civilToJDN(d.Year, d.Month, d.Day) }

// civilToJDN returns the Julian Day Number of a proleptic Gregorian date.
// Days out of range for the month carry over arithmetically.
func civilToJDN(y int, m time.Month, d int) int {
	a := (14 - int(m)) / 12 // 1 for January and February, else 0
	yy := y + 4800 - a
	mm := int(m) + 12*a - 3 // March = 0
	return d + (153*mm+2)/5 + 365*yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
}

// fromJDN is the inverse of civilToJDN.
func fromJDN(j int) Date {
	a := j + 32044
	b := floorDiv(4*a+3, 146097)
	c := a - floorDiv(146097*b, 4)
	d := (4*c + 3) / 1461
	e := c - 1461*d/4
	m := (5*e + 2) / 153
	return Date{
		Year:  100*b + d - 4800 + m/10,
		Month: time.Month(m + 3 - 12*(m/10)),
		Day:   e - (153*m+2)/5 + 1,
	}
}

func weekdayOf(j int) time.Weekday { return time.Weekday(floorMod(j+1, 7)) }

// dayNumber returns the Julian Day Number of the civil date of t in Vietnam.
func dayNumber(t time.Time) int {
	if s := t.Unix(); s >= fixedFromUnix {
		return int((s+vnOffsetSec)/secondsPerDay) + unixEpochJDN
	}
	y, m, d := t.In(vnLoc).Date()
	return civilToJDN(y, m, d)
}

// isDayEnd reports whether t is the end of its Vietnamese day: its last
// nanosecond, as End gives it, or its last microsecond, as a deadline
// stored in PostgreSQL (whose timestamps keep microseconds) reads back.
func isDayEnd(t time.Time) bool {
	if t.Nanosecond() < 999999000 {
		return false
	}
	if s := t.Unix(); s >= fixedFromUnix {
		return (s+vnOffsetSec)%secondsPerDay == secondsPerDay-1
	}
	left := dayStart(dayNumber(t) + 1).Sub(t)
	return left > 0 && left <= time.Microsecond
}

func dayStart(j int) time.Time {
	if j >= fixedOffsetJDN {
		return time.Unix(int64(j-unixEpochJDN)*secondsPerDay-vnOffsetSec, 0).In(vnLoc)
	}
	d := fromJDN(j)
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, vnLoc)
}

func dayEnd(j int) time.Time {
	if j >= fixedOffsetJDN {
		return time.Unix(int64(j+1-unixEpochJDN)*secondsPerDay-vnOffsetSec-1, 999999999).In(vnLoc)
	}
	return dayStart(j + 1).Add(-time.Nanosecond)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }
