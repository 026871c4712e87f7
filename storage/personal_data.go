package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
)

// Purposes a person can consent to.
const (
	ConsentHandling = "handling" // their petition used to handle it
	ConsentPhone    = "phone"    // being called about their petitions
)

// Consent is one agreement a person gave.
type Consent struct {
	ID          int64        `db:"id"`
	CitizenID   int64        `db:"citizen_id"`
	Purpose     string       `db:"purpose"`
	Wording     string       `db:"wording"`
	TicketID    int64        `db:"ticket_id"`
	GivenAt     time.Time    `db:"given_at"`
	WithdrawnAt sql.NullTime `db:"withdrawn_at"`
}

// RecordConsent stores an agreement; ticketID is 0 when it is not about one
// ticket.
func (s *Store) RecordConsent(ctx context.Context, c Consent) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO consents (citizen_id, purpose, wording, ticket_id, given_at)
		VALUES ($1, $2, $3, nullif($4, 0), $5)`,
		c.CitizenID, c.Purpose, c.Wording, c.TicketID, c.GivenAt)
	return wrap("record consent", err)
}

// Consents lists a person's agreements, oldest first.
func (s *Store) Consents(ctx context.Context, citizenID int64) ([]Consent, error) {
	var cs []Consent
	err := sqlx.SelectContext(ctx, s.x, &cs, `
		SELECT id, citizen_id, purpose, wording, coalesce(ticket_id, 0) AS ticket_id, given_at, withdrawn_at
		FROM consents WHERE citizen_id = $1 ORDER BY id`, citizenID)
	return cs, wrap("list consents", err)
}

// WithdrawPhone forgets a person's phone number, on their profile and on
// every petition of theirs, and records the withdrawal of their consent.
func (s *Store) WithdrawPhone(ctx context.Context, citizenID int64, at time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		WITH profile AS (
			UPDATE citizens SET phone = NULL, phone_consent_at = NULL, updated_at = $2 WHERE id = $1
		), petitions AS (
			UPDATE tickets SET phone = NULL, updated_at = $2 WHERE citizen_id = $1 AND phone IS NOT NULL
		)
		UPDATE consents SET withdrawn_at = $2
		WHERE citizen_id = $1 AND purpose = 'phone' AND withdrawn_at IS NULL`, citizenID, at)
	return wrap("withdraw phone", err)
}

// EraseCitizen erases a person's name and phone, their unfinished forms and
// the contents of the messages already sent to their chat. Their petitions
// stay, as records the state keeps, without the phone; messages still
// waiting to be sent are delivered.
func (s *Store) EraseCitizen(ctx context.Context, c Citizen, at time.Time) error {
	if err := s.WithdrawPhone(ctx, c.ID, at); err != nil {
		return err
	}
	_, err := s.x.ExecContext(ctx, `
		WITH profile AS (
			UPDATE citizens SET display_name = '', erased_at = $4, updated_at = $4 WHERE id = $1
		), forms AS (
			DELETE FROM conversations WHERE channel = $2 AND user_id = $3
		)
		UPDATE outbox SET payload = '{}'
		WHERE channel = $2 AND chat_id = $5 AND NOT is_group AND status <> 'pending'`,
		c.ID, c.Channel, c.UserID, at, c.ChatID)
	return wrap("erase citizen", err)
}

// CountTickets counts a person's petitions.
func (s *Store) CountTickets(ctx context.Context, citizenID int64) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, s.x, &n, `SELECT count(*) FROM tickets WHERE citizen_id = $1`, citizenID)
	return n, wrap("count citizen tickets", err)
}
