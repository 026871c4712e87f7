package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// ChangeCalendarDay records an administrator's change to a day or to the
// office hours (change) and gives the open tickets whose period, in
// working days or working hours, it took working time from that time back (law.md §1: working
// days exclude days off), returning what it did. The whole
// calendar is compared, not the day alone: recording a day of an announced
// Tết break moves that year's span. A change that adds working time
// shortens no deadline, citizens were told theirs, but the time is kept
// as the clock's credit, and a later change takes time from the credit
// before it postpones: a change undone leaves the deadline as it was. The
// senders of the tickets postponed are told their new expected date and
// the days that became days off, but for those who blocked the bot. A
// day from now on that became a day off calls off the bookings of the
// weekly receptions on it, whose citizens are told with the day's reason
// (a reception on that date, which may fall on a day off, stands).
func ChangeCalendarDay(ctx context.Context, tx *storage.Store, now time.Time, change func() error) (CalendarChange, error) {
	texts, err := catalogOnce()
	if err != nil {
		return CalendarChange{}, err
	}
	if err := tx.LockCalendar(ctx); err != nil {
		return CalendarChange{}, err
	}
	before, err := tx.Calendar(ctx)
	if err != nil {
		return CalendarChange{}, err
	}
	if err := change(); err != nil {
		return CalendarChange{}, err
	}
	after, err := tx.Calendar(ctx)
	if err != nil {
		return CalendarChange{}, err
	}
	var done CalendarChange
	if done.Postponed, err = postponeClocks(ctx, tx, texts, before, after); err != nil {
		return CalendarChange{}, err
	}
	// The days that turned, from last year to two years ahead.
	today := workcal.DateOf(now)
	for d := (workcal.Date{Year: today.Year - 1, Month: 1, Day: 1}); d.Year <= today.Year+2; d = d.AddDays(1) {
		switch was, is := before.IsWorkday(d), after.IsWorkday(d); {
		case was && !is:
			done.NowOff = append(done.NowOff, d)
			if d.Before(today) {
				continue
			}
			_, reason := after.Day(d)
			told, err := callOffWeeklyReceptions(ctx, tx, texts, d, reason, now)
			if err != nil {
				return CalendarChange{}, err
			}
			done.CalledOff += told
		case !was && is:
			done.NowWorking = append(done.NowWorking, d)
		}
	}
	return done, nil
}

// callOffWeeklyReceptions calls off the bookings on day, now a day off,
// of the units that hold their weekly reception on it, and tells their
// citizens; it returns how many were.
func callOffWeeklyReceptions(ctx context.Context, tx *storage.Store, texts catalog, day workcal.Date, reason string, now time.Time) (int, error) {
	units, err := tx.UnitsBookedOn(ctx, day)
	if err != nil {
		return 0, err
	}
	if strings.TrimSpace(reason) == "" {
		reason = dayOffReason
	}
	called := 0
	for _, unitID := range units {
		// Locked as a booking locks it; no closure is recorded: the day
		// is closed by being off, and opens again with it.
		if _, err := tx.LockReceptionUnit(ctx, unitID); err != nil {
			return 0, err
		}
		dated, err := tx.ReceptionDates(ctx, unitID, day, day)
		if err != nil {
			return 0, err
		}
		if len(dated) > 0 {
			continue
		}
		bs, err := tx.CallOffBookings(ctx, unitID, day, reason, now)
		if err != nil {
			return 0, err
		}
		if err := tellCalledOff(ctx, tx, texts, bs); err != nil {
			return 0, err
		}
		called += len(bs)
	}
	return called, nil
}

// dayOffReason is why a reception is called off on a day that became a day
// off without a reason recorded.
const dayOffReason = "ngày nghỉ theo lịch làm việc của cơ quan nhà nước"

// CalendarChange is what a change to a day did: the open tickets whose
// deadline moved later, and the days it turned, the day changed and any
// day of a Tết span the change moved.
type CalendarChange struct {
	Postponed          int
	NowOff, NowWorking []workcal.Date
	CalledOff          int // reception bookings on days now off
}

// postponeClocks gives each open ticket counted in working days or hours
// the working time the change from before to after took from its period,
// moves one counted in days whose last day became a day off to the next
// working day (as its deadline was computed), and tells its sender; it
// returns how many it postponed.
func postponeClocks(ctx context.Context, tx *storage.Store, texts catalog, before, after *workcal.Calendar) (postponed int, err error) {
	clocks, err := tx.OpenClocks(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range clocks {
		due, credit, changed := adjustedClock(c, before, after)
		if !changed {
			continue
		}
		if err := tx.AdjustClock(ctx, c.TicketID, due, credit, c.LimitUnit); err != nil {
			return 0, err
		}
		if !due.After(c.DueAt) {
			continue
		}
		postponed++
		if c.Unreachable {
			continue
		}
		daysOff := newDaysOff(before, after, c.StartedAt, due)
		hoursChanged := !before.OfficeHours().Equal(after.OfficeHours())
		o := bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: postponedText(texts, c, daysOff, hoursChanged, due)}
		if err := enqueue(ctx, tx, c.Channel, o, ""); err != nil {
			return 0, err
		}
	}
	return postponed, nil
}

// adjustedClock is the deadline and credit of a clock after a change from
// before to after, and whether the change concerned it: under a rule in
// days, whether its last day became a day off; under one in working days
// or hours, whether it took or gave the period working time.
func adjustedClock(c storage.OpenClock, before, after *workcal.Calendar) (due time.Time, credit int64, changed bool) {
	if c.LimitUnit == "days" {
		if after.IsWorkday(workcal.DateOf(c.DueAt)) {
			return c.DueAt, 0, false
		}
		return after.AddWorkdays(c.DueAt, 1), 0, true
	}
	inHours := c.LimitUnit == "working_hours"
	var lost int64 // working days, or seconds in working hours
	if inHours {
		lost = int64((before.WorkingTimeBetween(c.StartedAt, c.DueAt, before.OfficeHours()) - after.WorkingTimeBetween(c.StartedAt, c.DueAt, after.OfficeHours())) / time.Second)
	} else {
		lost = int64(before.WorkdaysBetween(c.StartedAt, c.DueAt) - after.WorkdaysBetween(c.StartedAt, c.DueAt))
	}
	if lost == 0 {
		return c.DueAt, c.Credit, false
	}
	credit, owed := c.Credit-lost, int64(0)
	if credit < 0 {
		credit, owed = 0, -credit
	}
	switch {
	case owed > 0 && inHours:
		return after.AddWorkingTime(c.DueAt, time.Duration(owed)*time.Second, after.OfficeHours()), credit, true
	case owed > 0:
		return after.Extend(c.DueAt, int(owed)), credit, true
	}
	return c.DueAt, credit, true
}

// newDaysOff lists the days after that of start (which never counts) to
// end that were working days before a change and are days off after it.
func newDaysOff(before, after *workcal.Calendar, start, end time.Time) []string {
	var days []string
	for d, last := workcal.DateOf(start).AddDays(1), workcal.DateOf(end); !last.Before(d); d = d.AddDays(1) {
		if before.IsWorkday(d) && !after.IsWorkday(d) {
			days = append(days, formatDate(d.Start()))
		}
	}
	return days
}

// postponedText tells a ticket's sender, in their language, which days
// became days off, or that the office hours changed, and that its expected
// answer moved to due: under a rule in working hours with the hour, as the
// receipt says it (expectedText).
func postponedText(texts catalog, c storage.OpenClock, daysOff []string, hoursChanged bool, due time.Time) string {
	days := strings.Join(daysOff, ", ")
	if len(daysOff) == 0 && hoursChanged {
		return texts.text(c.Language, "citizen.postponed_hours", c.Code, due.In(displayZone).Format("15:04"), formatDate(due))
	}
	if c.LimitUnit == "working_hours" {
		return texts.text(c.Language, "citizen.postponed_at", days, c.Code, due.In(displayZone).Format("15:04"), formatDate(due))
	}
	return texts.text(c.Language, "citizen.postponed", days, c.Code, formatDate(due))
}
