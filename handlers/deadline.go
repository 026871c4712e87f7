package handlers

import (
	"database/sql"
	"errors"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Tickets due within this many working days are "due soon".
const dueSoonWorkdays = 2

// calendar loads the working-day calendar once per turn.
func (t *turn) calendar() (*workcal.Calendar, error) {
	if t.cal == nil {
		cal, err := t.tx.Calendar(t.ctx)
		if err != nil {
			return nil, err
		}
		t.cal = cal
	}
	return t.cal, nil
}

// dueAfter computes a deadline from a start under a rule.
func dueAfter(cal *workcal.Calendar, r storage.DeadlineRule, start time.Time) time.Time {
	switch r.LimitUnit {
	case "working_hours":
		return cal.AddWorkingHours(start, r.AnswerLimit, cal.OfficeHours())
	case "days":
		return cal.AddCalendarDays(start, r.AnswerLimit)
	}
	return cal.AddWorkdays(start, r.AnswerLimit)
}

// startClock gives a ticket its deadline from now, under the rule for its
// kind, category and area that held on the day it was filed. A ticket no
// active rule covers has no deadline: a clock it had (a reopening or a
// transfer after its rule was deactivated) ends, rather than its last
// round's deadline passing again as the new one. Nor has a comment
// waiting for its consultation's synthesis (awaitsSynthesis).
func (s *Service) startClock(t *turn, tk storage.Ticket) (storage.DeadlineRule, time.Time, error) {
	return s.startClockFrom(t, tk, s.now())
}

// startClockFrom is startClock with the clock started at a given time.
func (s *Service) startClockFrom(t *turn, tk storage.Ticket, start time.Time) (storage.DeadlineRule, time.Time, error) {
	if waits, err := awaitsSynthesis(t, tk); waits || err != nil {
		return storage.DeadlineRule{}, time.Time{}, err
	}
	filed, err := t.filedOn(tk)
	if err != nil {
		return storage.DeadlineRule{}, time.Time{}, err
	}
	r, err := t.tx.DeadlineRuleFor(t.ctx, tk.Kind, tk.CategoryID.Int64, tk.AreaID.Int64, tk.Urgent, filed)
	if errors.Is(err, storage.ErrNotFound) {
		return r, time.Time{}, t.tx.StopTicketClock(t.ctx, tk.ID)
	}
	if err != nil {
		return r, time.Time{}, err
	}
	cal, err := t.calendar()
	if err != nil {
		return r, time.Time{}, err
	}
	due, days := dueAfter(cal, r, start), 0
	if r.LimitUnit == "days" {
		days = r.AnswerLimit
	}
	return r, due, t.tx.SetTicketClock(t.ctx, tk.ID, r.ID, start, due, days)
}

// filedOn is when a ticket was filed, as the deadline rules read it: when
// it was created, or, for what a citizen raised at a reception, when the
// reception ended if that was earlier: it is recorded after the reception
// its clocks count from (markReceived).
func (t *turn) filedOn(tk storage.Ticket) (time.Time, error) {
	if !tk.FromReception() {
		return tk.CreatedAt, nil
	}
	bk, err := t.tx.ReceptionOf(t.ctx, tk)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return tk.CreatedAt, nil
	case err != nil:
		return time.Time{}, err
	case bk.Ending().Before(tk.CreatedAt):
		return bk.Ending(), nil
	}
	return tk.CreatedAt, nil
}

// restartClock gives a ticket a new clock when its rule says so (a
// transfer), or always (a reopening). A transfer that keeps the clock
// resumes it if paused: the ticket no longer waits for the citizen; and
// forgets the escalations sent: they went to the leaders above the unit
// that gave it away, and those above the new one are to be told should
// its deadline have passed.
func (s *Service) restartClock(t *turn, tk storage.Ticket, onlyIfRuleSays bool) (storage.Ticket, error) {
	restart := true
	if onlyIfRuleSays {
		clock, err := t.tx.TicketClock(t.ctx, tk.ID)
		if err != nil {
			return tk, err
		}
		if clock.RuleID != 0 {
			r, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
			if err != nil {
				return tk, err
			}
			restart = r.RestartOnTransfer
		}
	}
	var err error
	if restart {
		_, _, err = s.startClock(t, tk)
	} else if err = s.resumeClock(t, tk); err == nil {
		err = t.tx.ForgetEscalations(t.ctx, tk.ID)
	}
	if err != nil {
		return tk, err
	}
	// The ticket as the clock left it, for the cards that follow.
	return t.tx.LockTicket(t.ctx, tk.ID)
}

// pauseClock stops the clock while the unit waits for the citizen, if the
// ticket's rule allows it.
func (s *Service) pauseClock(t *turn, tk storage.Ticket) error {
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	if err != nil || clock.RuleID == 0 {
		return err
	}
	r, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
	if err != nil || !r.PauseOnInfo {
		return err
	}
	return t.tx.PauseTicketClock(t.ctx, tk.ID, s.now())
}

// resumeClock moves the deadline by the time spent waiting, measured in
// the rule's unit: working time for working hours and working days,
// calendar time for days. A rule in days gets the wait back rounded to
// the nearest whole day (half a day up; for working days, a day is the
// office hours' length), so that its deadline stays the end of a day and
// the rounding costs the unit or the citizen at most half a day. A clock
// that had run out when the unit asked is not given the wait: there was
// no time left to stop.
func (s *Service) resumeClock(t *turn, tk storage.Ticket) error {
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	if err != nil || !clock.PausedAt.Valid || !clock.DueAt.Valid {
		return err
	}
	if !clock.PausedAt.Time.Before(clock.DueAt.Time) {
		return t.tx.ResumeTicketClock(t.ctx, tk.ID, clock.DueAt.Time, clock.Days)
	}
	r, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
	if err != nil {
		return err
	}
	cal, err := t.calendar()
	if err != nil {
		return err
	}
	due, days := moveDeadline(cal, r, clock.StartedAt, clock.DueAt.Time, clock.Days, clock.PausedAt.Time, s.now())
	return t.tx.ResumeTicketClock(t.ctx, tk.ID, due, days)
}

// moveDeadline gives a deadline under rule r (days: the calendar days
// granted so far under a rule in days) the time waited from..to, as
// resumeClock describes.
func moveDeadline(cal *workcal.Calendar, r storage.DeadlineRule, started sql.NullTime, due time.Time, days int, from, to time.Time) (time.Time, int) {
	working := cal.WorkingTimeBetween(from, to, cal.OfficeHours())
	switch r.LimitUnit {
	case "working_hours":
		return cal.AddWorkingTime(due, working, cal.OfficeHours()), days
	case "days":
		return lengthenDeadline(cal, r, started, due, days, wholeDays(to.Sub(from), 24*time.Hour))
	}
	return lengthenDeadline(cal, r, started, due, days, wholeDays(working, cal.OfficeHours().Daily()))
}

// lengthenDeadline moves a deadline under rule r on by n of the rule's
// units (days: as in moveDeadline).
func lengthenDeadline(cal *workcal.Calendar, r storage.DeadlineRule, started sql.NullTime, due time.Time, days, n int) (time.Time, int) {
	switch r.LimitUnit {
	case "working_hours":
		return cal.AddWorkingTime(due, time.Duration(n)*time.Hour, cal.OfficeHours()), days
	case "days":
		if days > 0 && started.Valid {
			// Counted again from the start, so that a deadline moved off a
			// day off is not moved twice.
			days += n
			return cal.AddCalendarDays(started.Time, days), days
		}
		return cal.AddCalendarDays(due, n), days
	}
	return cal.Extend(due, n), days
}

// reclassifyClock puts a reclassified ticket under the rule for its new
// kind and category: the clock changes with the type (law.md §3). The
// new deadline counts from when the clock started, as if the ticket had
// had its new kind from then, and keeps the time the old deadline had
// been moved for waits for the citizen if the new rule pauses for them.
// Under a rule that does not, the clock ran through every wait (law.md
// §11: pausing is the rule's to allow), so none is given back, and a
// clock paused for the citizen runs again from its new deadline; under
// one that does, it stays paused. Escalations already sent stand unless
// the deadline moves later. A ticket no rule covers keeps its clock; one
// that had none gets one from now. A comment again waiting for its consultation's synthesis
// has none (startClock).
func (s *Service) reclassifyClock(t *turn, tk storage.Ticket) error {
	if waits, err := awaitsSynthesis(t, tk); waits || err != nil {
		return errors.Join(err, t.tx.StopTicketClock(t.ctx, tk.ID))
	}
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	if err != nil {
		return err
	}
	filed, err := t.filedOn(tk)
	if err != nil {
		return err
	}
	r, err := t.tx.DeadlineRuleFor(t.ctx, tk.Kind, tk.CategoryID.Int64, tk.AreaID.Int64, tk.Urgent, filed)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && r.ID == clock.RuleID) {
		return nil
	}
	if err != nil {
		return err
	}
	if clock.RuleID == 0 || !clock.StartedAt.Valid || !clock.DueAt.Valid {
		_, _, err := s.startClock(t, tk)
		return err
	}
	old, err := t.tx.DeadlineRuleByID(t.ctx, clock.RuleID)
	if err != nil {
		return err
	}
	cal, err := t.calendar()
	if err != nil {
		return err
	}
	started := clock.StartedAt.Time
	due, days := dueAfter(cal, r, started), 0
	if r.LimitUnit == "days" {
		days = r.AnswerLimit
	}
	// The waits given so far: what the deadline was moved by, or, under a
	// rule in days, the days granted beyond its limit, since that deadline
	// may also have been moved off a day off. Working time a change to the
	// calendar gave and the deadline kept (the credit) is no wait: the new
	// rule's deadline is computed under the calendar as it is. Nor are the
	// old rule's extensions: the new rule says whether its deadline may be
	// extended (MoveTicketClock forgets them).
	from, to := dueAfter(cal, old, started), clock.DueAt.Time
	switch {
	case old.LimitUnit == "days" && clock.Days > 0:
		to = from.AddDate(0, 0, clock.Days-old.AnswerLimit-clock.Extended)
	case old.LimitUnit == "working_hours" && (clock.Credit > 0 || clock.Extended > 0):
		from = cal.AddWorkingTime(from, time.Duration(clock.Credit)*time.Second+time.Duration(clock.Extended)*time.Hour, cal.OfficeHours())
	case clock.Credit > 0 || clock.Extended > 0:
		from = cal.Extend(from, int(clock.Credit)+clock.Extended)
	}
	if to.After(from) && r.PauseOnInfo {
		due, days = moveDeadline(cal, r, clock.StartedAt, due, days, from, to)
	}
	if err := t.tx.MoveTicketClock(t.ctx, tk.ID, r.ID, due, days); err != nil || !clock.PausedAt.Valid || r.PauseOnInfo {
		return err
	}
	return t.tx.ResumeTicketClock(t.ctx, tk.ID, due, days)
}

// wholeDays rounds a wait to the nearest number of days of the given
// length, half a day up.
func wholeDays(wait, day time.Duration) int { return int((wait + day/2) / day) }

// deadlineMark says whether an open ticket is overdue or due soon ("" if
// neither), as a catalogue key. A clock paused before its deadline is
// neither (storage's dueBefore); only a ticket awaiting information can
// have a paused clock.
func (s *Service) deadlineMark(t *turn, tk storage.Ticket) (string, error) {
	if !tk.DueAt.Valid || !isOpen(tk.Status) {
		return "", nil
	}
	paused, err := pausedAt(t, tk)
	if err != nil {
		return "", err
	}
	if paused.Valid && !tk.DueAt.Time.Before(paused.Time) {
		return "", nil
	}
	now := s.now()
	if now.After(tk.DueAt.Time) {
		return "mark.overdue", nil
	}
	cal, err := t.calendar()
	if err != nil {
		return "", err
	}
	if !cal.AddWorkdays(now, dueSoonWorkdays).Before(tk.DueAt.Time) {
		return "mark.due_soon", nil
	}
	return "", nil
}

// pausedAt returns when a ticket's clock was paused, if it is: only one
// awaiting information can be, and under a rule that does not pause for
// that, its clock runs on.
func pausedAt(t *turn, tk storage.Ticket) (sql.NullTime, error) {
	if tk.Status != storage.StatusAwaitingInfo {
		return sql.NullTime{}, nil
	}
	clock, err := t.tx.TicketClock(t.ctx, tk.ID)
	return clock.PausedAt, err
}

// formatDate writes a deadline as Vietnamese readers expect: dd/mm/yyyy.
func formatDate(at time.Time) string { return at.In(displayZone).Format("02/01/2006") }

// expectedText tells a citizen in lang by when a ticket is to be answered
// under rule r, and how the time is counted: a date, or under a rule in
// working hours the hour too, with the rule's limit in its unit.
func (s *Service) expectedText(lang string, r storage.DeadlineRule, due time.Time) string {
	limit := s.texts.text(lang, "limit."+r.LimitUnit, r.AnswerLimit)
	if r.LimitUnit == "working_hours" {
		return s.texts.text(lang, "petition.expected_at", due.In(displayZone).Format("15:04"), formatDate(due), limit)
	}
	return s.texts.text(lang, "petition.expected", formatDate(due), limit)
}

func dateKey(at time.Time) string { return workcal.DateOf(at).String() }
