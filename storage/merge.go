package storage

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// MergeTicket records that a duplicate was merged into another ticket:
// it points at that ticket, and so do the duplicates merged into it
// before, so that each is one step from the ticket holding the matter.
func (s *Store) MergeTicket(ctx context.Context, duplicateID, intoID int64) error {
	_, err := s.x.ExecContext(ctx, `UPDATE tickets SET merged_into = $2 WHERE id = $1 OR merged_into = $1`,
		duplicateID, intoID)
	return wrap("merge ticket", err)
}

// SealMerged makes the duplicates merged into a ticket that has become a
// denunciation confidential, as it is (law.md §5), and returns those it
// changed.
func (s *Store) SealMerged(ctx context.Context, intoID int64) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `
		UPDATE tickets SET confidential = true, was_denunciation = true
		WHERE merged_into = $1 AND NOT (confidential AND was_denunciation)
		RETURNING `+ticketColumns, intoID)
	return ts, wrap("seal merged tickets", err)
}

// MergedInto lists the duplicates merged into a ticket.
func (s *Store) MergedInto(ctx context.Context, intoID int64) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts,
		`SELECT `+ticketColumns+` FROM tickets WHERE merged_into = $1 ORDER BY id`, intoID)
	return ts, wrap("tickets merged into", err)
}
