package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
)

// DeadlineRule is how long a unit has to answer a kind of ticket.
type DeadlineRule struct {
	ID                int64         `db:"id"`
	Kind              string        `db:"kind"`
	CategoryID        sql.NullInt64 `db:"category_id"`
	AreaID            sql.NullInt64 `db:"area_id"`
	RemoteOnly        bool          `db:"remote_only"`
	AnswerLimit       int           `db:"answer_limit"`
	LimitUnit         string        `db:"limit_unit"` // workdays, working_hours or days
	PauseOnInfo       bool          `db:"pause_on_info"`
	RestartOnTransfer bool          `db:"restart_on_transfer"`
	LegalBasis        string        `db:"legal_basis"`
	// MaxExtensions is how many times a clock under the rule may be
	// extended (0: never), each time by at most ExtensionLimit in LimitUnit.
	MaxExtensions  int `db:"max_extensions"`
	ExtensionLimit int `db:"extension_limit"`
	// Urgent: the rule is for urgent tickets only (migration 00030).
	Urgent bool `db:"urgent"`
}

// deadlineRuleColumns are a rule's columns in DeadlineRule's order.
const deadlineRuleColumns = `r.id, r.kind, r.category_id, r.area_id, r.remote_only, r.answer_limit, r.limit_unit,
	r.pause_on_info, r.restart_on_transfer, r.legal_basis, r.max_extensions, r.extension_limit, r.urgent`

// DeadlineRuleFor picks the rule for a ticket filed at filed: among the
// active rules of its kind that held on that day (Asia/Ho_Chi_Minh),
// whose category is the ticket's or any, whose area is the ticket's area,
// an ancestor or any, which are for remote areas only when the area (or
// an ancestor) is remote, and for urgent tickets only when it is urgent,
// an urgent ticket takes an urgent rule first; then the most specific
// wins — the nearest area first, then a specific category, then a
// remote-only rule, then the latest to start.
func (s *Store) DeadlineRuleFor(ctx context.Context, kind string, categoryID, areaID int64, urgent bool, filed time.Time) (DeadlineRule, error) {
	var r DeadlineRule
	err := sqlx.GetContext(ctx, s.x, &r, `
		WITH RECURSIVE up AS (
			SELECT id, parent_id, remote, 0 AS depth FROM areas WHERE id = $3
			UNION ALL
			SELECT a.id, a.parent_id, a.remote, up.depth + 1 FROM areas a JOIN up ON a.id = up.parent_id
			WHERE up.depth < $4
		)
		SELECT `+deadlineRuleColumns+`
		FROM deadline_rules r LEFT JOIN up ON up.id = r.area_id
		WHERE r.active AND r.kind = $1
		  AND (r.category_id IS NULL OR r.category_id = $2)
		  AND (r.area_id IS NULL OR up.id IS NOT NULL)
		  AND (NOT r.remote_only OR EXISTS (SELECT 1 FROM up WHERE up.remote))
		  AND coalesce(r.valid_from <= $5, true) AND coalesce($5 < r.valid_to, true)
		  AND (NOT r.urgent OR $6)
		ORDER BY NOT r.urgent, r.area_id IS NULL, up.depth, r.category_id IS NULL, NOT r.remote_only, r.valid_from DESC NULLS LAST
		LIMIT 1`, kind, categoryID, areaID, MaxAreaDepth, workcal.DateOf(filed).String(), urgent)
	return r, wrap("deadline rule", err)
}

// DeadlineRuleByID loads a rule.
func (s *Store) DeadlineRuleByID(ctx context.Context, id int64) (DeadlineRule, error) {
	var r DeadlineRule
	err := sqlx.GetContext(ctx, s.x, &r, `
		SELECT `+deadlineRuleColumns+` FROM deadline_rules r WHERE r.id = $1`, id)
	return r, wrap("get deadline rule", err)
}

// CalendarDay is an administrator's exception to the computed calendar.
type CalendarDay struct {
	Day       time.Time `db:"day"`
	IsWorkday bool      `db:"is_workday"`
	Reason    string    `db:"reason"`
}

// SetCalendarDay records that a date is (or is not) a working day.
func (s *Store) SetCalendarDay(ctx context.Context, day workcal.Date, workday bool, reason string) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO calendar_days (day, is_workday, reason) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET is_workday = EXCLUDED.is_workday, reason = EXCLUDED.reason`,
		day.String(), workday, reason)
	return wrap("set calendar day", err)
}

// DeleteCalendarDay removes an exception; ErrNotFound when none is
// recorded for the day.
func (s *Store) DeleteCalendarDay(ctx context.Context, day workcal.Date) error {
	res, err := s.x.ExecContext(ctx, `DELETE FROM calendar_days WHERE day = $1`, day.String())
	if err != nil {
		return wrap("delete calendar day", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("delete calendar day", ErrNotFound)
	}
	return nil
}

// SetOfficeHours replaces the office sessions; empty hours bring back the
// default ones. The caller holds LockCalendar.
func (s *Store) SetOfficeHours(ctx context.Context, hours workcal.OfficeHours) error {
	if _, err := s.x.ExecContext(ctx, `DELETE FROM office_sessions`); err != nil {
		return wrap("set office hours", err)
	}
	for _, session := range hours.Sessions {
		_, err := s.x.ExecContext(ctx, `INSERT INTO office_sessions (start_minute, end_minute) VALUES ($1, $2)`,
			int(session.Start/time.Minute), int(session.End/time.Minute))
		if err != nil {
			return wrap("set office hours", err)
		}
	}
	return nil
}

// officeHours reads the office sessions set, none if the default hold.
func (s *Store) officeHours(ctx context.Context) (workcal.OfficeHours, error) {
	var rows []struct {
		Start int `db:"start_minute"`
		End   int `db:"end_minute"`
	}
	err := sqlx.SelectContext(ctx, s.x, &rows, `SELECT start_minute, end_minute FROM office_sessions ORDER BY start_minute`)
	var hours workcal.OfficeHours
	for _, r := range rows {
		hours.Sessions = append(hours.Sessions, workcal.Session{Start: time.Duration(r.Start) * time.Minute, End: time.Duration(r.End) * time.Minute})
	}
	return hours, wrap("read office hours", err)
}

// CalendarDays lists the exceptions in date order.
func (s *Store) CalendarDays(ctx context.Context) ([]CalendarDay, error) {
	var days []CalendarDay
	err := sqlx.SelectContext(ctx, s.x, &days, `SELECT day, is_workday, reason FROM calendar_days ORDER BY day`)
	return days, wrap("list calendar days", err)
}

// LockCalendar serialises changes to the calendar: call it first inside
// InTx, so that a change compares the calendar before it with the one the
// last change left, two changes at once postpone no deadline twice, and a
// change waits for the transactions computing deadlines from the calendar
// it replaces (Calendar), whose clocks it must then see.
func (s *Store) LockCalendar(ctx context.Context) error {
	_, err := s.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('calendar', 0))`)
	return wrap("lock calendar", err)
}

// Calendar is the working-day calendar: computed holidays, the Tết spans
// the administrators recorded as announced, their exceptions, and the
// office hours. In a
// transaction it holds the calendar's lock in shared mode until the end,
// so that a change (LockCalendar) cannot slip in between a deadline
// computed from it and that deadline's commit.
func (s *Store) Calendar(ctx context.Context) (*workcal.Calendar, error) {
	if _, err := s.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared(hashtextextended('calendar', 0))`); err != nil {
		return nil, wrap("read calendar", err)
	}
	days, err := s.CalendarDays(ctx)
	if err != nil {
		return nil, err
	}
	overrides := make(map[workcal.Date]workcal.Override, len(days))
	for _, d := range days {
		overrides[workcal.NewDate(d.Day.Year(), d.Day.Month(), d.Day.Day())] = workcal.Override{Workday: d.IsWorkday, Reason: d.Reason}
	}
	hours, err := s.officeHours(ctx)
	if err != nil {
		return nil, err
	}
	return workcal.NewCalendar(workcal.Rules{OfficeHours: hours}.WithAnnouncedTet(overrides), overrides), nil
}

// Clock is a ticket's deadline state.
type Clock struct {
	RuleID    int64        `db:"deadline_rule_id"`
	StartedAt sql.NullTime `db:"clock_started_at"`
	DueAt     sql.NullTime `db:"due_at"`
	PausedAt  sql.NullTime `db:"paused_at"`
	// Days is the calendar days granted under a rule in days (0 otherwise).
	Days int `db:"clock_days"`
	// Credit is the working time changes to the calendar gave the clock
	// and its deadline kept (see OpenClock).
	Credit int64 `db:"calendar_credit"`
	// Extensions is how many times this clock was extended, and Extended
	// by how much in all, in its rule's unit.
	Extensions int `db:"clock_extensions"`
	Extended   int `db:"clock_extended"`
}

// clockCredit reads a ticket's calendar credit (t) under its rule (r): none
// if the rule's unit is no longer the credit's.
const clockCredit = `CASE WHEN t.calendar_credit_unit = r.limit_unit THEN t.calendar_credit ELSE 0 END AS calendar_credit`

// TicketClock reads a ticket's deadline state.
func (s *Store) TicketClock(ctx context.Context, ticketID int64) (Clock, error) {
	var c Clock
	err := sqlx.GetContext(ctx, s.x, &c, `
		SELECT coalesce(t.deadline_rule_id, 0) AS deadline_rule_id, t.clock_started_at, t.due_at, t.paused_at,
		       coalesce(t.clock_days, 0) AS clock_days, `+clockCredit+`, t.clock_extensions,
		       t.clock_extended
		FROM tickets t LEFT JOIN deadline_rules r ON r.id = t.deadline_rule_id WHERE t.id = $1`, ticketID)
	return c, wrap("ticket clock", err)
}

// SetTicketClock starts (or restarts) a ticket's clock; a restart also
// re-arms the escalations. days is the calendar days granted under a rule
// in days, 0 under others.
func (s *Store) SetTicketClock(ctx context.Context, ticketID, ruleID int64, started, due time.Time, days int) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET deadline_rule_id = $2, clock_started_at = $3, due_at = $4, paused_at = NULL,
			escalated_at = NULL, escalated_again_at = NULL, clock_days = nullif($5, 0), calendar_credit = 0,
			clock_extensions = 0, clock_extended = 0
		WHERE id = $1`, ticketID, ruleID, started, toMicros(due), days)
	return wrap("set ticket clock", err)
}

// MoveTicketClock puts a ticket's running or paused clock under another
// rule with a new deadline, keeping its start and any pause; extensions
// granted under the old rule go. Escalations already sent stand unless
// the deadline moved later: a new deadline passing is news, the same one
// passing again is not.
func (s *Store) MoveTicketClock(ctx context.Context, ticketID, ruleID int64, due time.Time, days int) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET deadline_rule_id = $2, due_at = $3, clock_days = nullif($4, 0), calendar_credit = 0,
			clock_extensions = 0, clock_extended = 0,
			escalated_at = CASE WHEN $3 > due_at THEN NULL ELSE escalated_at END,
			escalated_again_at = CASE WHEN $3 > due_at THEN NULL ELSE escalated_again_at END
		WHERE id = $1`, ticketID, ruleID, toMicros(due), days)
	return wrap("move ticket clock", err)
}

// StopTicketClock takes a ticket's clock away: it has no deadline until
// one is set again. Escalations already sent stay on record.
func (s *Store) StopTicketClock(ctx context.Context, ticketID int64) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET deadline_rule_id = NULL, clock_started_at = NULL, due_at = NULL, paused_at = NULL,
			clock_days = NULL, calendar_credit = 0, clock_extensions = 0, clock_extended = 0
		WHERE id = $1`, ticketID)
	return wrap("stop ticket clock", err)
}

// PauseTicketClock stops the clock while waiting for the citizen.
func (s *Store) PauseTicketClock(ctx context.Context, ticketID int64, at time.Time) error {
	_, err := s.x.ExecContext(ctx, `UPDATE tickets SET paused_at = $2 WHERE id = $1 AND paused_at IS NULL`, ticketID, at)
	return wrap("pause ticket clock", err)
}

// ResumeTicketClock restarts a paused clock with its new deadline and,
// under a rule in days, the days now granted (0 under others).
func (s *Store) ResumeTicketClock(ctx context.Context, ticketID int64, due time.Time, days int) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET paused_at = NULL, due_at = $2, clock_days = nullif($3, 0) WHERE id = $1`,
		ticketID, toMicros(due), days)
	return wrap("resume ticket clock", err)
}

// ForgetEscalations clears the record of a ticket's escalations, so that
// its deadline passing is escalated again (to the leaders of the unit that
// has it now).
func (s *Store) ForgetEscalations(ctx context.Context, ticketID int64) error {
	_, err := s.x.ExecContext(ctx, `UPDATE tickets SET escalated_at = NULL, escalated_again_at = NULL WHERE id = $1`, ticketID)
	return wrap("forget escalations", err)
}

// ExtendTicketClock gives a running clock a later deadline (due; days as
// in SetTicketClock) by n of its rule's units and counts the extension.
// An extension comes before the deadline passes, so escalations recorded
// are of an earlier deadline (one a change to the calendar postponed
// since): the new one passing is news.
func (s *Store) ExtendTicketClock(ctx context.Context, ticketID int64, due time.Time, days, n int) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET due_at = $2, clock_days = nullif($3, 0), clock_extensions = clock_extensions + 1,
			clock_extended = clock_extended + $4, escalated_at = NULL, escalated_again_at = NULL
		WHERE id = $1`, ticketID, toMicros(due), days, n)
	return wrap("extend ticket clock", err)
}

// toMicros truncates to PostgreSQL's precision: a deadline at the last
// nanosecond of a day would otherwise be rounded into the next day.
func toMicros(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// OpenClock is an open ticket's deadline counted under a rule.
type OpenClock struct {
	TicketID  int64     `db:"id"`
	Code      string    `db:"code"`
	StartedAt time.Time `db:"clock_started_at"`
	DueAt     time.Time `db:"due_at"`
	LimitUnit string    `db:"limit_unit"`
	// Credit is the working time changes to the calendar gave the clock
	// within its period and the deadline kept: days, or seconds under a
	// rule in working hours.
	Credit int64 `db:"calendar_credit"`
	// The ticket's sender, to tell them when it moves, unless they
	// blocked the bot (Unreachable).
	Addressee
	Unreachable bool `db:"unreachable"`
}

// OpenClocks lists, locked, the open tickets whose deadline is counted
// under a rule (in working days, working hours or days).
func (s *Store) OpenClocks(ctx context.Context) ([]OpenClock, error) {
	var clocks []OpenClock
	err := sqlx.SelectContext(ctx, s.x, &clocks, `
		SELECT t.id, t.code, t.clock_started_at, t.due_at, r.limit_unit, `+clockCredit+`,
		       c.channel, c.chat_id, c.language, c.unreachable_at IS NOT NULL AS unreachable
		FROM tickets t JOIN deadline_rules r ON r.id = t.deadline_rule_id JOIN citizens c ON c.id = t.citizen_id
		WHERE t.status = ANY($1)
		  AND t.clock_started_at IS NOT NULL AND t.due_at IS NOT NULL
		ORDER BY t.id
		FOR UPDATE OF t`, pq.Array(openStatuses))
	return clocks, wrap("open clocks", err)
}

// AdjustClock records what a change to the calendar did to an open
// ticket's clock: its deadline moved later if due is (never earlier),
// keeping its rule, and its credit, in unit (the rule's limit_unit). The
// escalations sent for the old deadline are forgotten once it moves later,
// as MoveTicketClock does: the new one passing is news to the leaders.
func (s *Store) AdjustClock(ctx context.Context, ticketID int64, due time.Time, credit int64, unit string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE tickets SET due_at = greatest(due_at, $2), calendar_credit = $3, calendar_credit_unit = $4,
			escalated_at = CASE WHEN $2 > due_at THEN NULL ELSE escalated_at END,
			escalated_again_at = CASE WHEN $2 > due_at THEN NULL ELSE escalated_again_at END
		WHERE id = $1`,
		ticketID, toMicros(due), credit, unit)
	return wrap("adjust clock", err)
}
