package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// ShareToken returns a ticket's invitation token for co-signers, setting
// it to token the first time: an invitation once shared stays valid.
func (s *Store) ShareToken(ctx context.Context, ticketID int64, token string) (string, error) {
	var got string
	err := sqlx.GetContext(ctx, s.x, &got, `
		UPDATE tickets SET share_token = coalesce(share_token, $2) WHERE id = $1 RETURNING share_token`, ticketID, token)
	return got, wrap("share ticket", err)
}

// TicketByShareToken finds the ticket an invitation is for.
func (s *Store) TicketByShareToken(ctx context.Context, token string) (Ticket, error) {
	var t Ticket
	err := sqlx.GetContext(ctx, s.x, &t, `SELECT `+ticketColumns+` FROM tickets WHERE share_token = $1`, token)
	return t, wrap("ticket by share token", err)
}

// AddCosigner records that a person joins a ticket and returns how many
// have joined it now; added is false if they had already.
func (s *Store) AddCosigner(ctx context.Context, ticketID, citizenID int64, at time.Time) (total int, added bool, err error) {
	err = sqlx.GetContext(ctx, s.x, &total, `
		WITH joined AS (
			INSERT INTO ticket_cosigners (ticket_id, citizen_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING RETURNING ticket_id
		)
		UPDATE tickets SET cosigners = cosigners + 1 WHERE id IN (SELECT ticket_id FROM joined)
		RETURNING cosigners`, ticketID, citizenID, at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return total, err == nil, wrap("add cosigner", err)
}

// Cosigners lists the people who joined a ticket.
func (s *Store) Cosigners(ctx context.Context, ticketID int64) ([]Citizen, error) {
	return s.citizensIn(ctx, "list cosigners", `SELECT citizen_id FROM ticket_cosigners WHERE ticket_id = $1`, ticketID)
}

// Cosigned lists the codes of the tickets a person joined, with when.
func (s *Store) Cosigned(ctx context.Context, citizenID int64) ([]Cosigning, error) {
	var cs []Cosigning
	err := sqlx.SelectContext(ctx, s.x, &cs, `
		SELECT t.code, k.created_at FROM ticket_cosigners k JOIN tickets t ON t.id = k.ticket_id
		WHERE k.citizen_id = $1 ORDER BY k.created_at`, citizenID)
	return cs, wrap("list cosigned", err)
}

// Cosigning is one ticket a person joined.
type Cosigning struct {
	Code     string    `db:"code" json:"code"`
	JoinedAt time.Time `db:"created_at" json:"joined_at"`
}
