package workcal

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Session is one span of office time in a working day, as offsets from
// local midnight (Vietnam time), for example 7h30m to 11h30m.
type Session struct {
	Start, End time.Duration
}

// OfficeHours are the office sessions of a working day, used for rules
// counted in working hours (giờ làm việc), such as Hà Nội's 8-hour and
// 4-hour limits for field reports. Office hours differ per locality; a
// calendar takes them from its Rules.
type OfficeHours struct {
	Sessions []Session
}

// DefaultOfficeHours returns 07:30–11:30 and 13:30–17:00 (7 h 30 min a
// day), the most common published hours.
func DefaultOfficeHours() OfficeHours {
	return OfficeHours{Sessions: []Session{
		{Start: 7*time.Hour + 30*time.Minute, End: 11*time.Hour + 30*time.Minute},
		{Start: 13*time.Hour + 30*time.Minute, End: 17 * time.Hour},
	}}
}

// ParseOfficeHours reads sessions written "07:30-11:30" (an en dash too),
// one a string, and checks them (Validate).
func ParseOfficeHours(specs []string) (OfficeHours, error) {
	var h OfficeHours
	for _, spec := range specs {
		from, to, ok := strings.Cut(strings.ReplaceAll(spec, "–", "-"), "-")
		start, err1 := parseClock(from)
		end, err2 := parseClock(to)
		if !ok || err1 != nil || err2 != nil {
			return OfficeHours{}, fmt.Errorf("workcal: office session %q is not written HH:MM-HH:MM, e.g. 07:30-11:30", spec)
		}
		h.Sessions = append(h.Sessions, Session{Start: start, End: end})
	}
	return h, h.Validate()
}

// parseClock reads "07:30" as the time from midnight; "24:00" is the end of
// the day.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || len(mm) != 2 || h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return 0, fmt.Errorf("workcal: %q is not a time of day", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// String writes the sessions as ParseOfficeHours reads them, joined by
// ", ".
func (h OfficeHours) String() string {
	specs := make([]string, len(h.Sessions))
	for i, s := range h.Sessions {
		specs[i] = clock(s.Start) + "-" + clock(s.End)
	}
	return strings.Join(specs, ", ")
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Equal reports whether h and o have the same sessions.
func (h OfficeHours) Equal(o OfficeHours) bool { return slices.Equal(h.Sessions, o.Sessions) }

// Validate checks that the sessions are non-empty, ordered,
// non-overlapping and within one day.
func (h OfficeHours) Validate() error {
	if len(h.Sessions) == 0 {
		return errors.New("workcal: office hours have no sessions")
	}
	if !h.valid() {
		return fmt.Errorf("workcal: office sessions %v must be ordered, non-overlapping and within 00:00–24:00", h.Sessions)
	}
	return nil
}

func (h OfficeHours) valid() bool {
	var prev time.Duration
	for _, s := range h.Sessions {
		if s.Start < prev || s.End <= s.Start || s.End > 24*time.Hour {
			return false
		}
		prev = s.End
	}
	return true
}

// Daily returns the office time of one working day.
func (h OfficeHours) Daily() time.Duration {
	var d time.Duration
	for _, s := range h.normalized() {
		d += s.End - s.Start
	}
	return d
}

// normalized returns the sessions clipped to one day, ordered and merged.
// Valid sessions are returned as they are, without allocating.
func (h OfficeHours) normalized() []Session {
	if h.valid() {
		return h.Sessions
	}
	var ss []Session
	for _, s := range h.Sessions {
		s.Start, s.End = max(s.Start, 0), min(s.End, 24*time.Hour)
		if s.Start < s.End {
			ss = append(ss, s)
		}
	}
	slices.SortFunc(ss, func(a, b Session) int { return int(a.Start - b.Start) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// overlap returns the office time within [from, to) of a working day.
func overlap(ss []Session, from, to time.Duration) time.Duration {
	var d time.Duration
	for _, s := range ss {
		if a, b := max(from, s.Start), min(to, s.End); a < b {
			d += b - a
		}
	}
	return d
}

// AddWorkingHours returns the instant at which h working hours have
// elapsed from start, counting only office sessions on working days. Time
// before the first session of a day, between sessions and after the last
// one does not count, so a start outside office hours begins counting at
// the next session. The result may equal the end of a session (a deadline
// reached at 11:30 stays 11:30). Invalid office hours are normalized; with
// no office time at all, start is returned.
func (c *Calendar) AddWorkingHours(start time.Time, h int, hours OfficeHours) time.Time {
	return c.AddWorkingTime(start, time.Duration(h)*time.Hour, hours)
}

// AddWorkingTime is AddWorkingHours for any duration of working time.
// Non-positive durations return start.
func (c *Calendar) AddWorkingTime(start time.Time, d time.Duration, hours OfficeHours) time.Time {
	ss := hours.normalized()
	daily := OfficeHours{Sessions: ss}.Daily()
	if d <= 0 || daily <= 0 {
		return start
	}
	j := dayNumber(start)
	tod := start.Sub(dayStart(j))
	// The first pass uses what is left of the start day, the skip leaves
	// at most one day's office time, and the next working day completes
	// it; the bound only matters for a calendar without working days.
	for range 4 {
		if y, i := c.locate(j); y.isWork(i) {
			for _, s := range ss {
				from := max(s.Start, tod)
				if from >= s.End {
					continue
				}
				if avail := s.End - from; d > avail {
					d -= avail
					continue
				}
				return dayStart(j).Add(from + d)
			}
		}
		// Skip whole working days in one step.
		if q := int((d - 1) / daily); q > 0 {
			j = c.nthWorkdayAfter(j, q)
			d -= time.Duration(q) * daily
		}
		j, tod = c.nthWorkdayAfter(j, 1), 0
	}
	return dayStart(j)
}

// WorkingTimeBetween returns the office time on working days between a and
// b; it is negative when b is before a. For d > 0,
// WorkingTimeBetween(t, AddWorkingTime(t, d, h), h) == d.
func (c *Calendar) WorkingTimeBetween(a, b time.Time, hours OfficeHours) time.Duration {
	if b.Before(a) {
		return -c.WorkingTimeBetween(b, a, hours)
	}
	ss := hours.normalized()
	ja, jb := dayNumber(a), dayNumber(b)
	ta, tb := a.Sub(dayStart(ja)), b.Sub(dayStart(jb))
	work := func(j int) bool { y, i := c.locate(j); return y.isWork(i) }
	if ja == jb {
		if work(ja) {
			return overlap(ss, ta, tb)
		}
		return 0
	}
	var d time.Duration
	if work(ja) {
		d += overlap(ss, ta, 24*time.Hour)
	}
	d += time.Duration(c.countWorkdays(ja+1, jb)) * OfficeHours{Sessions: ss}.Daily()
	if work(jb) {
		d += overlap(ss, 0, tb)
	}
	return d
}
