package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
)

// Ticket statuses (glossary.md §10).
const (
	StatusReceived     = "received"
	StatusAccepted     = "accepted"
	StatusInProgress   = "in_progress"
	StatusAwaitingInfo = "awaiting_info"
	StatusTransferred  = "transferred"
	StatusAnswered     = "answered"
	StatusCompleted    = "completed"
	StatusRejected     = "rejected"
	StatusReopened     = "reopened"
	// StatusMerged: closed as a duplicate of another open ticket, whose
	// co-signer its sender became (handlers/merge.go).
	StatusMerged = "merged"
)

// Ticket is one petition.
type Ticket struct {
	ID            int64           `db:"id"`
	Code          string          `db:"code"`
	Kind          string          `db:"kind"`
	Status        string          `db:"status"`
	CitizenID     int64           `db:"citizen_id"`
	CategoryID    sql.NullInt64   `db:"category_id"`
	AreaID        sql.NullInt64   `db:"area_id"`
	UnitID        sql.NullInt64   `db:"unit_id"`
	Description   string          `db:"description"`
	Address       string          `db:"address"`
	Latitude      sql.NullFloat64 `db:"latitude"`
	Longitude     sql.NullFloat64 `db:"longitude"`
	Phone         sql.NullString  `db:"phone"`
	Confidential  bool            `db:"confidential"`
	Source        string          `db:"source"`
	DueAt         sql.NullTime    `db:"due_at"`
	AnsweredAt    sql.NullTime    `db:"answered_at"`
	ClosedAt      sql.NullTime    `db:"closed_at"`
	Rating        sql.NullInt16   `db:"rating"`
	RatingComment sql.NullString  `db:"rating_comment"`
	CreatedAt     time.Time       `db:"created_at"`
	UpdatedAt     time.Time       `db:"updated_at"`

	// WasDenunciation: the ticket was a tố cáo before a reclassification
	// gave it another kind; its photos stay sealed (law.md §5).
	WasDenunciation bool `db:"was_denunciation"`
	Cosigners       int  `db:"cosigners"` // people who joined it (cosigner.go)
	// ConsultationID: the ticket is a comment on a consultation
	// (consultation.go).
	ConsultationID sql.NullInt64 `db:"consultation_id"`
	// MergedInto: the ticket that holds this duplicate's matter (merge.go).
	MergedInto sql.NullInt64 `db:"merged_into"`
	// Urgent: a danger that needs handling at once; urgent deadline rules
	// apply (migration 00030).
	Urgent bool `db:"urgent"`
}

const ticketColumns = `id, code, kind, status, citizen_id, category_id, area_id, unit_id, description,
	address, latitude, longitude, phone, confidential, source, due_at, answered_at, closed_at, rating,
	rating_comment, created_at, updated_at, was_denunciation, cosigners, consultation_id, merged_into, urgent`

// NewTicket is what a citizen submits.
type NewTicket struct {
	Kind         string
	CitizenID    int64
	CategoryID   int64 // 0: none
	AreaID       int64 // 0: none
	UnitID       int64 // 0: not routed yet
	Description  string
	Address      string // typed by the citizen when no area fits
	Latitude     *float64
	Longitude    *float64
	Phone        string
	Confidential bool
	Urgent       bool
	Source       string // e.g. the deep-link payload the citizen came from
	Attachments  []Attachment
	// ConsultationID: a comment on this consultation (0: none).
	ConsultationID int64
}

// Attachment is a file attached to a ticket.
type Attachment struct {
	ID           int64     `db:"id"`
	TicketID     int64     `db:"ticket_id"`
	Channel      string    `db:"channel"`
	Kind         string    `db:"kind"`
	FileID       string    `db:"file_id"`
	FileUniqueID string    `db:"file_unique_id"`
	AddedBy      string    `db:"added_by"`
	CreatedAt    time.Time `db:"created_at"`
}

// codeZone is where the code's year is counted: a petition filed at 00:30
// on 1 January in Vietnam belongs to the new year.
var codeZone = workcal.Location()

// CreateTicket stores a new ticket with its attachments and the "created"
// event, giving it the next code of the year (PA-2026-000123).
func (s *Store) CreateTicket(ctx context.Context, nt NewTicket, now time.Time) (Ticket, error) {
	var t Ticket
	err := s.InTx(ctx, func(tx *Store) error {
		year := now.In(codeZone).Year()
		seq, err := tx.nextCodeNumber(ctx, year)
		if err != nil {
			return err
		}
		code := FormatCode(year, seq)
		err = sqlx.GetContext(ctx, tx.x, &t, `
			INSERT INTO tickets (code, kind, status, citizen_id, category_id, area_id, unit_id,
				description, address, latitude, longitude, phone, confidential, source, created_at, updated_at,
				consultation_id, urgent)
			VALUES ($1, $2, $3, $4, nullif($5, 0), nullif($6, 0), nullif($7, 0), $8, $9, $10, $11,
				nullif($12, ''), $13, $14, $15, $15, nullif($16, 0), $17)
			RETURNING `+ticketColumns,
			code, nt.Kind, StatusReceived, nt.CitizenID, nt.CategoryID, nt.AreaID, nt.UnitID,
			nt.Description, nt.Address, nt.Latitude, nt.Longitude, nt.Phone, nt.Confidential, nt.Source, now,
			nt.ConsultationID, nt.Urgent)
		if err != nil {
			return wrap("create ticket", err)
		}
		for _, a := range nt.Attachments {
			a.TicketID = t.ID
			if err := tx.AddAttachment(ctx, a, now); err != nil {
				return err
			}
		}
		return tx.AddEvent(ctx, TicketEvent{
			TicketID: t.ID, At: now, ActorKind: ActorCitizen, ActorID: nt.CitizenID,
			Kind: EventCreated, ToStatus: StatusReceived, ToUnit: nt.UnitID,
		})
	})
	return t, err
}

// nextCodeNumber takes the next number of the year's code sequence,
// creating the sequence for the year's first ticket.
func (s *Store) nextCodeNumber(ctx context.Context, year int) (int, error) {
	name := fmt.Sprintf("ticket_code_%d", year)
	var n sql.NullInt64
	if err := sqlx.GetContext(ctx, s.x, &n, `SELECT nextval(to_regclass($1))`, name); err != nil {
		return 0, wrap("next ticket code", err)
	}
	if n.Valid {
		return int(n.Int64), nil
	}
	// The year's first ticket. The lock makes a concurrent first ticket
	// wait until this transaction ends, and then find the sequence.
	_, err := s.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, name)
	if err == nil {
		_, err = s.x.ExecContext(ctx, `CREATE SEQUENCE IF NOT EXISTS `+pq.QuoteIdentifier(name))
	}
	if err == nil {
		err = sqlx.GetContext(ctx, s.x, &n, `SELECT nextval($1::regclass)`, name)
	}
	return int(n.Int64), wrap("create ticket code sequence", err)
}

// AddAttachment attaches a file to a ticket.
func (s *Store) AddAttachment(ctx context.Context, a Attachment, now time.Time) error {
	if a.AddedBy == "" {
		a.AddedBy = ActorCitizen
	}
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO ticket_attachments (ticket_id, channel, kind, file_id, file_unique_id, added_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.TicketID, a.Channel, a.Kind, a.FileID, a.FileUniqueID, a.AddedBy, now)
	return wrap("add attachment", err)
}

// Attachments lists a ticket's files in the order they were added.
func (s *Store) Attachments(ctx context.Context, ticketID int64) ([]Attachment, error) {
	var as []Attachment
	err := sqlx.SelectContext(ctx, s.x, &as, `
		SELECT id, ticket_id, channel, kind, file_id, file_unique_id, added_by, created_at
		FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id`, ticketID)
	return as, wrap("list attachments", err)
}

// TicketByCode loads a ticket by its code (see ParseCode for user input).
func (s *Store) TicketByCode(ctx context.Context, code string) (Ticket, error) {
	var t Ticket
	err := sqlx.GetContext(ctx, s.x, &t, `SELECT `+ticketColumns+` FROM tickets WHERE code = $1`, code)
	return t, wrap("get ticket", err)
}

// LockTicket loads a ticket and locks it until the transaction ends. A
// workflow step loads its ticket so: it decides on the ticket's current
// status, and two people acting on one ticket at once take turns, the
// second seeing what the first did (a plain read could see a status
// another transaction is changing, and both steps would apply).
func (s *Store) LockTicket(ctx context.Context, id int64) (Ticket, error) {
	var t Ticket
	err := sqlx.GetContext(ctx, s.x, &t, `SELECT `+ticketColumns+` FROM tickets WHERE id = $1 FOR UPDATE`, id)
	return t, wrap("lock ticket", err)
}

// LockTicketByCode is LockTicket by the ticket's code.
func (s *Store) LockTicketByCode(ctx context.Context, code string) (Ticket, error) {
	var t Ticket
	err := sqlx.GetContext(ctx, s.x, &t, `SELECT `+ticketColumns+` FROM tickets WHERE code = $1 FOR UPDATE`, code)
	return t, wrap("lock ticket", err)
}

// TicketsByCitizen lists a citizen's tickets, newest first.
func (s *Store) TicketsByCitizen(ctx context.Context, citizenID int64, limit int) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `
		SELECT `+ticketColumns+` FROM tickets WHERE citizen_id = $1 ORDER BY id DESC LIMIT $2`,
		citizenID, limit)
	return ts, wrap("list citizen tickets", err)
}

// FormatCode renders a ticket code.
func FormatCode(year, seq int) string { return fmt.Sprintf("PA-%d-%06d", year, seq) }

// ParseCode accepts a code as people type it ("pa-2026-123", "PA2026000123",
// "PA 2026 123") and returns its canonical form, or false.
func ParseCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "", " ", "", "_", "", ".", "").Replace(s)
	s, ok := strings.CutPrefix(s, "PA")
	// A year's sequence runs past six digits after its 999,999th ticket.
	if !ok || len(s) < 5 || len(s) > 13 {
		return "", false
	}
	year, err1 := strconv.Atoi(s[:4])
	seq, err2 := strconv.Atoi(s[4:])
	if err1 != nil || err2 != nil || year < 2000 || year > 2999 || seq <= 0 {
		return "", false
	}
	return FormatCode(year, seq), true
}

// TicketFilter selects tickets for operators' listings; zero fields match all.
type TicketFilter struct {
	Status string
	UnitID int64
	Limit  int
}

// ListTickets lists tickets, newest first.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE ($1 = '' OR status = $1) AND ($2 = 0 OR unit_id = $2)
		ORDER BY id DESC LIMIT $3`, f.Status, f.UnitID, f.Limit)
	return ts, wrap("list tickets", err)
}
