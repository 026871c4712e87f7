package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// Who acted on a ticket.
const (
	ActorCitizen = "citizen"
	ActorOfficer = "officer"
	ActorSystem  = "system"
)

// Event kinds on a ticket's timeline.
const (
	EventCreated = "created"
)

// TicketEvent is one entry of a ticket's append-only timeline.
type TicketEvent struct {
	ID         int64     `db:"id"`
	TicketID   int64     `db:"ticket_id"`
	At         time.Time `db:"at"`
	ActorKind  string    `db:"actor_kind"`
	ActorID    int64     `db:"actor_id"`
	Kind       string    `db:"kind"`
	FromStatus string    `db:"from_status"`
	ToStatus   string    `db:"to_status"`
	FromUnit   int64     `db:"from_unit"`
	ToUnit     int64     `db:"to_unit"`
	Body       string    `db:"body"`
	Internal   bool      `db:"internal"` // officers' notes, never shown to the citizen
}

// AddEvent appends to a ticket's timeline.
func (s *Store) AddEvent(ctx context.Context, e TicketEvent) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, kind, from_status, to_status,
			from_unit, to_unit, body, internal)
		VALUES ($1, $2, $3, nullif($4, 0), $5, nullif($6, ''), nullif($7, ''), nullif($8, 0),
			nullif($9, 0), $10, $11)`,
		e.TicketID, e.At, e.ActorKind, e.ActorID, e.Kind, e.FromStatus, e.ToStatus,
		e.FromUnit, e.ToUnit, e.Body, e.Internal)
	return wrap("add event", err)
}

// Events returns a ticket's timeline, oldest first.
func (s *Store) Events(ctx context.Context, ticketID int64) ([]TicketEvent, error) {
	var events []TicketEvent
	err := sqlx.SelectContext(ctx, s.x, &events, `
		SELECT id, ticket_id, at, actor_kind, coalesce(actor_id, 0) AS actor_id, kind,
			coalesce(from_status, '') AS from_status, coalesce(to_status, '') AS to_status,
			coalesce(from_unit, 0) AS from_unit, coalesce(to_unit, 0) AS to_unit, body, internal
		FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, ticketID)
	return events, wrap("list events", err)
}
