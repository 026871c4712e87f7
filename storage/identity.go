package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// IdentityRead is one look at a confidential ticket's sender by the intake
// (law.md §5), with the reason given.
type IdentityRead struct {
	At         time.Time `db:"at"`
	TicketCode string    `db:"ticket_code"`
	OfficerID  int64     `db:"officer_id"`
	Officer    string    `db:"officer"` // the staff member's name
	Unit       string    `db:"unit"`
	Reason     string    `db:"reason"`
}

// RecordIdentityRead logs a look at a ticket's sender, with the timeline's
// internal entry that staff see in /ticket, in one statement.
func (s *Store) RecordIdentityRead(ctx context.Context, ticketID, officerID int64, reason string, at time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		WITH logged AS (
			INSERT INTO identity_reads (ticket_id, officer_id, reason, at) VALUES ($1, $2, $3, $4)
		)
		INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, kind, body, internal)
		VALUES ($1, $4, 'officer', $2, $5, '', true)`, ticketID, officerID, reason, at, EventIdentityRead)
	return wrap("record identity read", err)
}

// IdentityReads lists the looks at senders' identities, newest first: of
// one ticket, or of all when code is "".
func (s *Store) IdentityReads(ctx context.Context, code string) ([]IdentityRead, error) {
	var rs []IdentityRead
	err := sqlx.SelectContext(ctx, s.x, &rs, `
		SELECT r.at, t.code AS ticket_code, r.officer_id, c.display_name AS officer, u.code AS unit, r.reason
		FROM identity_reads r
		JOIN tickets t ON t.id = r.ticket_id
		JOIN officers o ON o.id = r.officer_id
		JOIN citizens c ON c.id = o.citizen_id
		JOIN units u ON u.id = o.unit_id
		WHERE $1 = '' OR t.code = $1
		ORDER BY r.id DESC`, code)
	return rs, wrap("list identity reads", err)
}
