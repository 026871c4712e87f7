package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// dueBefore is the condition that a ticket's deadline falls before t (a
// query parameter), which makes it overdue once t is past. Only an open
// ticket's clock runs, and not while it is paused for the citizen: its
// deadline then moves on by the pause when the clock resumes, so a paused
// ticket is due only if its deadline had passed before the pause. Pausing
// is read from paused_at, not from the status: under a rule without
// pause_on_info the clock of a ticket awaiting information runs on. The
// statuses are spelled out rather than passed as a parameter so that the
// partial index on them (tickets_unanswered_unit_due) serves every plan.
func dueBefore(t string) string {
	return `status NOT IN ('answered', 'completed', 'rejected') AND due_at < ` + t +
		` AND (paused_at IS NULL OR due_at < paused_at)`
}

// The reminders' and escalations' statements; each reads the open
// tickets' deadlines from the index tickets_unanswered_unit_due.
var (
	ticketsDueQuery = `SELECT ` + ticketColumns + ` FROM tickets
		WHERE ` + dueBefore("$1") + ` AND unit_id IS NOT NULL
		ORDER BY unit_id, due_at`
	claimOverdueQuery = `UPDATE tickets SET escalated_at = $1
		WHERE ` + dueBefore("$1") + ` AND escalated_at IS NULL AND unit_id IS NOT NULL
		RETURNING ` + ticketColumns
	claimStillOverdueQuery = `UPDATE tickets SET escalated_again_at = $1
		WHERE ` + dueBefore("$1") + ` AND escalated_at < $2 AND escalated_again_at IS NULL
		RETURNING ` + ticketColumns
)

// TicketsDueBefore lists the tickets of units due before t, by unit and
// deadline (for the officers' morning reminder).
func (s *Store) TicketsDueBefore(ctx context.Context, t time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, ticketsDueQuery, t)
	return ts, wrap("tickets due", err)
}

// ClaimOverdue marks tickets that passed their deadline as escalated and
// returns them; each is returned once, whichever replica asks.
func (s *Store) ClaimOverdue(ctx context.Context, now time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, claimOverdueQuery, now)
	return ts, wrap("claim overdue", err)
}

// ClaimStillOverdue is the second escalation step: tickets escalated
// before `before` that are still overdue, each returned once.
func (s *Store) ClaimStillOverdue(ctx context.Context, now, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, claimStillOverdueQuery, now, before)
	return ts, wrap("claim still overdue", err)
}

// ClaimRatingReminders returns answered tickets still unrated since
// before, marking that their citizen was reminded; each answer once. A
// reminder older than the answer was for an earlier answer, before the
// ticket was reopened, and does not count.
func (s *Store) ClaimRatingReminders(ctx context.Context, now, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, claimRatingRemindersQuery, now, before)
	return ts, wrap("claim rating reminders", err)
}

const claimRatingRemindersQuery = `UPDATE tickets SET rating_reminded_at = $1
	WHERE status = 'answered' AND answered_at < $2
	  AND (rating_reminded_at IS NULL OR rating_reminded_at < answered_at)
	RETURNING ` + ticketColumns

// UnratedAfterReminder lists and locks answered tickets whose citizen was
// reminded of their latest answer before `before` and still has not
// rated. Locked, so that a rating committed meanwhile (one that reopened
// the ticket) is seen: such a ticket is left out, not closed over it.
func (s *Store) UnratedAfterReminder(ctx context.Context, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, unratedAfterReminderQuery, before)
	return ts, wrap("unrated tickets", err)
}

const unratedAfterReminderQuery = `SELECT ` + ticketColumns + ` FROM tickets
	WHERE status = 'answered' AND rating_reminded_at < $1 AND rating_reminded_at > answered_at
	ORDER BY id
	FOR UPDATE`
