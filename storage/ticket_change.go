package storage

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// More event kinds on the timeline.
const (
	EventAccepted    = "accepted"
	EventInfoRequest = "info_requested"
	EventInfoAdded   = "info_added"
	EventAnswered    = "answered"
	EventTransferred = "transferred"
	EventRejected    = "rejected"
	EventNote        = "note"
	EventRated       = "rated"
	EventReopened    = "reopened"
	EventRouted      = "routed"
	EventClosed      = "closed"
	EventProgress    = "progress"
	// EventReclassified: the kind or category changed; the body says
	// from what to what, and why.
	EventReclassified = "reclassified"
	// EventIdentityRead: the intake looked at a confidential sender's
	// identity (identity.go); internal, the body is the reason.
	EventIdentityRead = "identity_read"
	// EventExtended: a leader extended the deadline; the body is the
	// reason, which the sender is told.
	EventExtended = "extended"
	// EventMerged: the ticket was closed as a duplicate; the body is the
	// code of the ticket it went into. EventMergedIn, on that ticket and
	// internal: the body is the duplicate's code.
	EventMerged   = "merged"
	EventMergedIn = "merged_in"
	// EventUrgency: the unit said whether the ticket is urgent; the body
	// says from what to what, and why.
	EventUrgency = "urgency"
	// EventFollowUp: its sender wrote about the ticket once it was
	// answered (handlers/supplement.go); the body is their words. Unlike
	// EventInfoAdded, it is no reply to a request for information
	// (AwaitingInfoOf), so what they send later that day follows it.
	EventFollowUp = "follow_up"
)

// Change is one step of a ticket's workflow: an event on the timeline and,
// when set, a new status or unit.
type Change struct {
	TicketID  int64
	At        time.Time
	ActorKind string
	ActorID   int64
	Kind      string
	ToStatus  string // "" keeps the status
	ToUnit    int64  // 0 keeps the unit
	Body      string
	Internal  bool
	Rating    int // EventRated: 1–5
}

// ApplyChange locks the ticket, applies the change and appends the event
// with its from → to, so the timeline always matches the ticket.
func (s *Store) ApplyChange(ctx context.Context, c Change) (Ticket, error) {
	var t Ticket
	err := s.InTx(ctx, func(tx *Store) error {
		var before Ticket
		if err := sqlx.GetContext(ctx, tx.x, &before,
			`SELECT `+ticketColumns+` FROM tickets WHERE id = $1 FOR UPDATE`, c.TicketID); err != nil {
			return wrap("lock ticket", err)
		}
		status, unit := before.Status, before.UnitID.Int64
		if c.ToStatus != "" {
			status = c.ToStatus
		}
		if c.ToUnit != 0 {
			unit = c.ToUnit
		}
		err := sqlx.GetContext(ctx, tx.x, &t, `
			UPDATE tickets SET status = $2, unit_id = nullif($3, 0), updated_at = $4,
				-- when the status was reached: a change that keeps it (a note) keeps them
				answered_at = CASE WHEN $2 = 'answered' AND status <> $2 THEN $4 ELSE answered_at END,
				answered_on_time = CASE WHEN $2 = 'answered' AND status <> $2
				                        THEN `+strings.ReplaceAll(answeredOnTimeAt, "answered_at", "$4")+`
				                        ELSE answered_on_time END,
				closed_at = CASE WHEN status = $2 THEN closed_at
				                 WHEN $2 IN ('completed', 'rejected', 'merged') THEN $4
				                 WHEN $2 = 'reopened' THEN NULL ELSE closed_at END,
				rating = CASE WHEN $5 > 0 THEN $5 ELSE rating END,
				rating_comment = CASE WHEN $5 > 0 THEN nullif($6, '') ELSE rating_comment END
			WHERE id = $1
			RETURNING `+ticketColumns, c.TicketID, status, unit, c.At, c.Rating, c.Body)
		if err != nil {
			return wrap("change ticket", err)
		}
		e := TicketEvent{
			TicketID: c.TicketID, At: c.At, ActorKind: c.ActorKind, ActorID: c.ActorID, Kind: c.Kind,
			Body: c.Body, Internal: c.Internal,
		}
		if status != before.Status {
			e.FromStatus, e.ToStatus = before.Status, status
		}
		if unit != before.UnitID.Int64 {
			e.FromUnit, e.ToUnit = before.UnitID.Int64, unit
		}
		return tx.AddEvent(ctx, e)
	})
	return t, err
}

// Reclassification is an officer's correction of a ticket's kind and
// category (law.md §3: a phản ánh may turn out to be a kiến nghị, or a
// khiếu nại).
type Reclassification struct {
	TicketID   int64
	Kind       string
	CategoryID int64 // 0 keeps the category
	At         time.Time
	ActorID    int64  // the officer role
	Body       string // what changed and why, for the timeline
}

// Reclassify applies a reclassification and appends it to the timeline. A
// ticket that becomes a denunciation becomes confidential (law.md §5); one
// that stops being one stays so, as its sender was promised, and keeps its
// photos sealed (WasDenunciation).
func (s *Store) Reclassify(ctx context.Context, r Reclassification) (Ticket, error) {
	var t Ticket
	err := s.InTx(ctx, func(tx *Store) error {
		err := sqlx.GetContext(ctx, tx.x, &t, `
			UPDATE tickets SET kind = $2, category_id = coalesce(nullif($3, 0), category_id),
				confidential = confidential OR $2 = 'to_cao', was_denunciation = was_denunciation OR kind = 'to_cao',
				updated_at = $4
			WHERE id = $1
			RETURNING `+ticketColumns, r.TicketID, r.Kind, r.CategoryID, r.At)
		if err != nil {
			return wrap("reclassify ticket", err)
		}
		return tx.AddEvent(ctx, TicketEvent{TicketID: r.TicketID, At: r.At, ActorKind: ActorOfficer, ActorID: r.ActorID,
			Kind: EventReclassified, Body: r.Body})
	})
	return t, err
}

// SetTicketUrgent records whether a ticket is urgent (migration 00030);
// its clock is the caller's to move.
func (s *Store) SetTicketUrgent(ctx context.Context, ticketID int64, urgent bool) error {
	_, err := s.x.ExecContext(ctx, `UPDATE tickets SET urgent = $2 WHERE id = $1`, ticketID, urgent)
	return wrap("set ticket urgency", err)
}

// TicketByID loads a ticket.
func (s *Store) TicketByID(ctx context.Context, id int64) (Ticket, error) {
	var t Ticket
	err := sqlx.GetContext(ctx, s.x, &t, `SELECT `+ticketColumns+` FROM tickets WHERE id = $1`, id)
	return t, wrap("get ticket", err)
}

// Open statuses: the ticket still needs work from a unit or the citizen.
var openStatuses = []string{StatusReceived, StatusAccepted, StatusInProgress, StatusAwaitingInfo, StatusTransferred, StatusReopened}

// UnitInbox lists a set of units' open tickets, oldest first.
func (s *Store) UnitInbox(ctx context.Context, unitIDs []int64, limit int) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE unit_id = ANY($1) AND status = ANY($2) ORDER BY created_at, id LIMIT $3`,
		pq.Array(unitIDs), pq.Array(openStatuses), limit)
	return ts, wrap("unit inbox", err)
}

// OpenTicketsOfCitizen lists a citizen's tickets that can still take
// information, newest first.
func (s *Store) OpenTicketsOfCitizen(ctx context.Context, citizenID int64) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE citizen_id = $1 AND status = ANY($2) ORDER BY id DESC`, citizenID, pq.Array(openStatuses))
	return ts, wrap("open tickets", err)
}

// AwaitingInfo is a ticket waiting for information from its sender, and
// when it was last asked for.
type AwaitingInfo struct {
	TicketID int64     `db:"id"`
	AskedAt  time.Time `db:"asked_at"`
}

// AwaitingInfoOf lists a citizen's tickets with a request for information
// made at or after since and neither replied to nor answered since, the
// question asked last first: open tickets, whatever else happened (a
// transfer takes the request along), and, answered meanwhile at or after
// answeredSince, answered ones. The ticket's status says which.
func (s *Store) AwaitingInfoOf(ctx context.Context, citizenID int64, since, answeredSince time.Time) ([]AwaitingInfo, error) {
	var as []AwaitingInfo
	err := sqlx.SelectContext(ctx, s.x, &as, `
		SELECT t.id, q.asked_at
		FROM tickets t CROSS JOIN LATERAL (
			SELECT max(e.at) FILTER (WHERE e.kind = '`+EventInfoRequest+`') AS asked_at,
			       max(e.at) FILTER (WHERE e.kind = '`+EventInfoAdded+`' AND e.actor_kind = '`+ActorCitizen+`') AS given_at,
			       max(e.at) FILTER (WHERE e.kind = '`+EventAnswered+`') AS answered_at
			FROM ticket_events e
			WHERE e.ticket_id = t.id AND e.kind IN ('`+EventInfoRequest+`', '`+EventInfoAdded+`', '`+EventAnswered+`')) q
		WHERE t.citizen_id = $1 AND q.asked_at >= $2 AND (q.given_at IS NULL OR q.given_at < q.asked_at)
		  AND (t.status = ANY($3) AND (q.answered_at IS NULL OR q.answered_at < q.asked_at)
		       OR t.status = '`+StatusAnswered+`' AND t.answered_at >= $4)
		ORDER BY q.asked_at DESC, t.id DESC`, citizenID, since, pq.Array(openStatuses), answeredSince)
	return as, wrap("tickets awaiting information", err)
}

// OpenTickets lists every open ticket, oldest first (administrators' inbox).
func (s *Store) OpenTickets(ctx context.Context, limit int) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets
		WHERE status = ANY($1) ORDER BY created_at, id LIMIT $2`, pq.Array(openStatuses), limit)
	return ts, wrap("open tickets", err)
}

// TicketsHandledBy lists open tickets that any of the given staff roles
// has acted on, most recently touched first. Looking up a confidential
// sender (the intake's /identity) is not acting on the ticket.
func (s *Store) TicketsHandledBy(ctx context.Context, officerIDs []int64, limit int) ([]Ticket, error) {
	var ts []Ticket
	err := sqlx.SelectContext(ctx, s.x, &ts, `SELECT `+ticketColumns+` FROM tickets t
		WHERE status = ANY($1) AND EXISTS (
			SELECT 1 FROM ticket_events e
			WHERE e.ticket_id = t.id AND e.actor_kind = 'officer' AND e.actor_id = ANY($2)
			  AND e.kind <> '`+EventIdentityRead+`')
		ORDER BY updated_at DESC LIMIT $3`, pq.Array(openStatuses), pq.Array(officerIDs), limit)
	return ts, wrap("tickets handled by", err)
}
