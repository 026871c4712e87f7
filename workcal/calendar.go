package workcal

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Override fixes the status of one date, taking precedence over weekends
// and statutory holidays: the government's swapped days (hoán đổi ngày làm
// việc), make-up working Saturdays (làm bù), extra days off, or any row of
// the administrators' calendar_days table.
type Override struct {
	Workday bool
	Reason  string
}

// Calendar answers working-day questions. It is immutable and safe for
// concurrent use; per-year data is computed on first use and cached. To
// apply edited overrides, build a new Calendar and swap it in. A Calendar
// must not be copied; use it through the pointer returned by NewCalendar.
type Calendar struct {
	rules     Rules
	weekend   [7]bool
	overrides map[int]Override // by JDN

	cache [cacheYears]atomic.Pointer[yearInfo]
	other sync.Map // year (int) → *yearInfo, outside the cache window
}

const (
	cacheFirstYear = 1900
	cacheYears     = 2100 - cacheFirstYear + 1
	// maxScanYears bounds searches on a calendar that has no working days.
	maxScanYears = 400
)

// yearInfo is the cached working-day data of one Gregorian year.
type yearInfo struct {
	year    int
	first   int            // JDN of 1 January
	cum     []uint16       // cum[i]: working days among the first i days of the year
	holiday map[int]string // statutory holidays and compensatory days, by JDN
}

func (y *yearInfo) days() int { return len(y.cum) - 1 }

func (y *yearInfo) isWork(i int) bool { return y.cum[i+1] != y.cum[i] }

// NewCalendar returns a calendar with the given rules and overrides. The
// rules and the overrides map are copied. Override keys that are not valid
// dates are ignored.
func NewCalendar(rules Rules, overrides map[Date]Override) *Calendar {
	rules.Weekend = slices.Clone(rules.Weekend)
	rules.TetByYear = maps.Clone(rules.TetByYear)
	rules.NationalDayExtraByYear = maps.Clone(rules.NationalDayExtraByYear)
	rules.OfficeHours.Sessions = slices.Clone(rules.OfficeHours.Sessions)
	c := &Calendar{
		rules:     rules,
		weekend:   rules.weekend(),
		overrides: make(map[int]Override, len(overrides)),
	}
	for d, o := range overrides {
		if d.IsValid() {
			c.overrides[d.jdn()] = o
		}
	}
	return c
}

// OfficeHours are the office sessions its rules give, or the default ones.
func (c *Calendar) OfficeHours() OfficeHours {
	if len(c.rules.OfficeHours.Sessions) == 0 {
		return DefaultOfficeHours()
	}
	return OfficeHours{Sessions: slices.Clone(c.rules.OfficeHours.Sessions)}
}

// Rules returns a copy of the calendar's rules.
func (c *Calendar) Rules() Rules {
	r := c.rules
	r.Weekend = slices.Clone(r.Weekend)
	r.TetByYear = maps.Clone(r.TetByYear)
	r.NationalDayExtraByYear = maps.Clone(r.NationalDayExtraByYear)
	r.OfficeHours.Sessions = slices.Clone(r.OfficeHours.Sessions)
	return r
}

// Holidays returns the statutory days off of a year under the calendar's
// rules (see [Rules.Holidays]); overrides are not applied.
func (c *Calendar) Holidays(year int) []Day { return c.rules.Holidays(year) }

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool {
	y, i := c.locate(d.jdn())
	return y.isWork(i)
}

// Day reports whether d is a working day and why: the override's reason,
// the holiday or compensatory-day reason, [ReasonWeekend], or "" for an
// ordinary working day.
func (c *Calendar) Day(d Date) (workday bool, reason string) {
	j := d.jdn()
	y, i := c.locate(j)
	workday = y.isWork(i)
	if o, ok := c.overrides[j]; ok {
		return workday, o.Reason
	}
	if r, ok := y.holiday[j]; ok {
		return workday, r
	}
	if c.weekend[weekdayOf(j)] {
		return workday, ReasonWeekend
	}
	return workday, ""
}

// NextWorkday returns the first working day after d.
func (c *Calendar) NextWorkday(d Date) Date { return fromJDN(c.nthWorkdayAfter(d.jdn(), 1)) }

// AddWorkdays returns the deadline for n working days counted from an
// event (receipt, acceptance, decision) at instant start: the end
// (23:59:59.999999999, Vietnam time) of the n-th working day after the
// Vietnamese calendar day of start. The day of the event never counts, even
// when it is a working day; if it is not a working day, the first working
// day after it is day 1. n == 0 yields the end of the event's own day.
// n < 0 yields the end of the |n|-th working day before the event's day.
//
// For n ≥ 1, WorkdaysBetween(start, AddWorkdays(start, n)) == n.
func (c *Calendar) AddWorkdays(start time.Time, n int) time.Time {
	d := dayNumber(start)
	switch {
	case n > 0:
		return dayEnd(c.nthWorkdayAfter(d, n))
	case n < 0:
		return dayEnd(c.nthWorkdayBefore(d, -n))
	}
	return dayEnd(d)
}

// WorkdaysBetween returns the number of working days that elapsed entirely
// after the day of a and no later than b: the working days D with
// DateOf(a) < D and D.End() ≤ b, to the microsecond (a deadline stored in
// PostgreSQL reads back as the last microsecond of its day). It is the
// inverse of AddWorkdays and measures the working days a ticket spent
// paused or has already used. It is antisymmetric:
// WorkdaysBetween(b, a) == -WorkdaysBetween(a, b).
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	if b.Before(a) {
		return -c.WorkdaysBetween(b, a)
	}
	da, db := dayNumber(a), dayNumber(b)
	last := db - 1
	if isDayEnd(b) {
		last = db
	}
	return c.countWorkdays(da+1, last+1)
}

// AddCalendarDays returns the deadline for n calendar days (ngày) counted
// from start: the end of the n-th day after the day of start, moved to the
// end of the next working day when that day is not a working day (Civil
// Code 2015 Art. 147–148, unconfirmed).
func (c *Calendar) AddCalendarDays(start time.Time, n int) time.Time {
	j := dayNumber(start) + n
	if y, i := c.locate(j); !y.isWork(i) {
		j = c.nthWorkdayAfter(j, 1)
	}
	return dayEnd(j)
}

// Extend moves a deadline returned by AddWorkdays later by the number of
// working days the ticket was paused (typically WorkdaysBetween(pausedAt,
// resumedAt)). Non-positive pausedWorkdays return deadline unchanged.
func (c *Calendar) Extend(deadline time.Time, pausedWorkdays int) time.Time {
	if pausedWorkdays <= 0 {
		return deadline
	}
	return c.AddWorkdays(deadline, pausedWorkdays)
}

// locate returns the year data and day index of the day with JDN j.
func (c *Calendar) locate(j int) (*yearInfo, int) {
	y := c.year(fromJDN(j).Year)
	return y, j - y.first
}

// nthWorkdayAfter returns the JDN of the n-th (n ≥ 1) working day after
// day d.
func (c *Calendar) nthWorkdayAfter(d, n int) int {
	y, i := c.locate(d + 1)
	for range maxScanYears {
		base := int(y.cum[i])
		if avail := int(y.cum[y.days()]) - base; n > avail {
			n -= avail
			y, i = c.year(y.year+1), 0
			continue
		}
		// Smallest k ≥ i with cum[k+1] ≥ base+n.
		target := uint16(base + n)
		lo, hi := i, y.days()-1
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if y.cum[mid+1] >= target {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return y.first + lo
	}
	return y.first // no working days for centuries: give up far in the future
}

// nthWorkdayBefore returns the JDN of the n-th (n ≥ 1) working day before
// day d.
func (c *Calendar) nthWorkdayBefore(d, n int) int {
	y, i := c.locate(d - 1)
	for range maxScanYears {
		avail := int(y.cum[i+1]) // working days in [1 January, day i]
		if n > avail {
			n -= avail
			y = c.year(y.year - 1)
			i = y.days() - 1
			continue
		}
		// Smallest k ≤ i with cum[k+1] ≥ avail-n+1.
		target := uint16(avail - n + 1)
		lo, hi := 0, i
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if y.cum[mid+1] >= target {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return y.first + lo
	}
	return y.first
}

// countWorkdays returns the number of working days in [from, to).
func (c *Calendar) countWorkdays(from, to int) int {
	n := 0
	for from < to {
		y, i := c.locate(from)
		end := min(to-y.first, y.days())
		n += int(y.cum[end]) - int(y.cum[i])
		from = y.first + end
	}
	return n
}

// year returns the cached data of a Gregorian year, computing it on first
// use.
func (c *Calendar) year(y int) *yearInfo {
	if k := y - cacheFirstYear; k >= 0 && k < cacheYears {
		p := &c.cache[k]
		if yi := p.Load(); yi != nil {
			return yi
		}
		p.CompareAndSwap(nil, c.buildYear(y))
		return p.Load()
	}
	if v, ok := c.other.Load(y); ok {
		return v.(*yearInfo)
	}
	v, _ := c.other.LoadOrStore(y, c.buildYear(y))
	return v.(*yearInfo)
}

func (c *Calendar) buildYear(y int) *yearInfo {
	first := civilToJDN(y, time.January, 1)
	n := civilToJDN(y+1, time.January, 1) - first
	hs := c.rules.holidays(y)
	yi := &yearInfo{
		year:    y,
		first:   first,
		cum:     make([]uint16, n+1),
		holiday: make(map[int]string, len(hs)),
	}
	for _, h := range hs {
		yi.holiday[h.jdn] = h.reason
	}
	for i := range n {
		j := first + i
		work := !c.weekend[weekdayOf(j)]
		if _, ok := yi.holiday[j]; ok {
			work = false
		}
		if o, ok := c.overrides[j]; ok {
			work = o.Workday
		}
		yi.cum[i+1] = yi.cum[i]
		if work {
			yi.cum[i+1]++
		}
	}
	return yi
}
