package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Statuses whose clock is running: open and not waiting for the citizen.
var runningStatuses = []string{StatusReceived, StatusAccepted, StatusInProgress, StatusTransferred, StatusReopened}

// TicketsDueBefore lists tickets with a running clock due before t, by
// unit and deadline (for the officers' morning reminder).
func (s *Store) TicketsDueBefore(ctx context.Context, t time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE status = ANY($1) AND due_at < $2 AND unit_id IS NOT NULL
		ORDER BY unit_id, due_at`, pq.Array(runningStatuses), t)
	return ts, wrap("tickets due", err)
}

// ClaimOverdue marks tickets that passed their deadline as escalated and
// returns them; each is returned once, whichever replica asks.
func (s *Store) ClaimOverdue(ctx context.Context, now time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `UPDATE tickets SET escalated_at = $2
		WHERE status = ANY($1) AND due_at < $2 AND escalated_at IS NULL AND unit_id IS NOT NULL
		RETURNING `+ticketColumns, pq.Array(runningStatuses), now)
	return ts, wrap("claim overdue", err)
}

// ClaimStillOverdue is the second escalation step: tickets escalated
// before `before` that are still overdue, each returned once.
func (s *Store) ClaimStillOverdue(ctx context.Context, now, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `UPDATE tickets SET escalated_again_at = $2
		WHERE status = ANY($1) AND due_at < $2 AND escalated_at < $3 AND escalated_again_at IS NULL
		RETURNING `+ticketColumns, pq.Array(runningStatuses), now, before)
	return ts, wrap("claim still overdue", err)
}

// ClaimRatingReminders returns answered tickets still unrated since
// before, marking that their citizen was reminded; each answer once. A
// reminder older than the answer was for an earlier answer, before the
// ticket was reopened, and does not count.
func (s *Store) ClaimRatingReminders(ctx context.Context, now, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `UPDATE tickets SET rating_reminded_at = $1
		WHERE status = 'answered' AND answered_at < $2
		  AND (rating_reminded_at IS NULL OR rating_reminded_at < answered_at)
		RETURNING `+ticketColumns, now, before)
	return ts, wrap("claim rating reminders", err)
}

// UnratedAfterReminder lists answered tickets whose citizen was reminded
// of their latest answer before `before` and still has not rated.
func (s *Store) UnratedAfterReminder(ctx context.Context, before time.Time) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE status = 'answered' AND rating_reminded_at < $1 AND rating_reminded_at > answered_at
		ORDER BY id`, before)
	return ts, wrap("unrated tickets", err)
}
