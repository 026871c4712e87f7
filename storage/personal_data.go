package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/danvan-vn/danvan/workcal"
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
	Wording     string       `db:"wording"` // language/key#hash of the text
	Text        string       `db:"text"`    // the words shown, as shown
	TicketID    int64        `db:"ticket_id"`
	GivenAt     time.Time    `db:"given_at"`
	WithdrawnAt sql.NullTime `db:"withdrawn_at"`
}

// RecordConsent stores an agreement; ticketID is 0 when it is not about one
// ticket.
func (s *Store) RecordConsent(ctx context.Context, c Consent) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO consents (citizen_id, purpose, wording, text, ticket_id, given_at)
		VALUES ($1, $2, $3, $4, nullif($5, 0), $6)`,
		c.CitizenID, c.Purpose, c.Wording, c.Text, c.TicketID, c.GivenAt)
	return wrap("record consent", err)
}

// Consents lists a person's agreements, oldest first.
func (s *Store) Consents(ctx context.Context, citizenID int64) ([]Consent, error) {
	var cs []Consent
	err := sqlx.SelectContext(ctx, s.x, &cs, `
		SELECT id, citizen_id, purpose, wording, text, coalesce(ticket_id, 0) AS ticket_id, given_at, withdrawn_at
		FROM consents WHERE citizen_id = $1 ORDER BY id`, citizenID)
	return cs, wrap("list consents", err)
}

// WithdrawPhone forgets a person's phone number, on their profile, on
// every petition of theirs and in the messages sent or waiting to be sent
// that show it (officers' cards, the person's own review screens and the
// files they downloaded: see forgetSentPhone), and records the withdrawal
// of their consent.
func (s *Store) WithdrawPhone(ctx context.Context, citizenID int64, at time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		var phones []string
		err := sqlx.SelectContext(ctx, tx.x, &phones, `
			SELECT phone FROM citizens WHERE id = $1 AND phone <> ''
			UNION SELECT phone FROM tickets WHERE citizen_id = $1 AND phone <> ''
			-- typed into a petition being written: its review screen showed it
			UNION SELECT v.data->>'phone' FROM conversations v JOIN citizens c ON v.channel = c.channel AND v.user_id = c.user_id
			WHERE c.id = $1 AND v.data->>'phone' <> ''`, citizenID)
		if err != nil {
			return wrap("withdraw phone", err)
		}
		for _, phone := range phones {
			if err := tx.forgetSentPhone(ctx, citizenID, phone); err != nil {
				return err
			}
		}
		_, err = tx.x.ExecContext(ctx, `
			WITH profile AS (
				UPDATE citizens SET phone = NULL, phone_consent_at = NULL, updated_at = $2 WHERE id = $1
			), petitions AS (
				UPDATE tickets SET phone = NULL, updated_at = $2 WHERE citizen_id = $1 AND phone IS NOT NULL
			), drafts AS (
				-- a petition being written asks for the phone again
				UPDATE conversations v SET data = v.data - 'phone' - 'phone_done'
				FROM citizens c WHERE c.id = $1 AND v.channel = c.channel AND v.user_id = c.user_id
				  AND v.data ? 'phone'
			)
			UPDATE consents SET withdrawn_at = $2
			WHERE citizen_id = $1 AND purpose = 'phone' AND withdrawn_at IS NULL`, citizenID, at)
		return wrap("withdraw phone", err)
	})
}

// forgetSentPhone takes phone out of the messages sent or to be sent to
// the person's chat or about their petitions. A card shows it after the
// sender's name (handlers/card.go), and the person may have written it
// in the petition too: the card loses it there and elsewhere ("—"), as
// does a list quoting the petition, and is otherwise kept as it was, so
// that sealing can still find it (law.md §5, handlers/seal_phone.go); one
// still queued goes out without it. What was sent to the person
// is blanked, and what is still queued to them goes out as it is, its
// copy blanked as it is delivered, as is a file holding it.
func (s *Store) forgetSentPhone(ctx context.Context, citizenID int64, phone string) error {
	_, err := s.x.ExecContext(ctx, `
		WITH held AS (
			SELECT o.id, o.chat_id = c.chat_id AND NOT o.is_group AS own, f.in_file,
			       replace(o.payload::text, ' · ' || $2, '') AS card
			FROM outbox o JOIN citizens c ON c.id = $1 AND o.channel = c.channel
			CROSS JOIN LATERAL (SELECT -- a file sent from its bytes (the /mydata download) holds them in base64
				jsonb_typeof(o.payload->'content') = 'string'
				AND position(convert_to($2, 'UTF8') IN decode(o.payload->>'content', 'base64')) > 0 AS in_file) f
			WHERE (strpos(o.payload::text, $2) > 0 OR f.in_file)
			  AND ((o.chat_id = c.chat_id AND NOT o.is_group)
			       OR EXISTS (SELECT FROM tickets t WHERE t.citizen_id = $1 AND `+namesTicket+`))
		)
		UPDATE outbox o SET
			payload = CASE
				WHEN o.status = 'pending' AND h.own THEN o.payload
				WHEN h.own OR h.in_file THEN '{}'
				ELSE replace(h.card, $2, '—')::jsonb END,
			kept_copy = CASE WHEN o.status = 'pending' AND h.own THEN '{}'::jsonb ELSE o.kept_copy END,
			-- a delivery under way is put right (ReplaceQueued)
			revision = o.revision + CASE WHEN o.status = 'pending' AND NOT h.own THEN 1 ELSE 0 END
		FROM held h WHERE o.id = h.id`, citizenID, phone)
	return wrap("forget sent phone", err)
}

// EraseCitizen erases, in one transaction, a person's name and phone,
// their unfinished forms, the areas they follow and the notices of those
// still to be sent them, the kept copies of the messages sent to their
// chat or about their petitions and reception bookings (officers' cards
// name them) and the raw updates of theirs the bot gave up on or shed
// (whose notice is then not sent), and, on
// their finished (completed, rejected or merged) petitions, what they
// wrote: the description, address, location, rating comment, the
// information they added and their photos. Their petitions stay, as
// records the state keeps, with what statistics count (kind, category,
// area, unit, dates, status, rating) and the units' own answers;
// petitions still being handled keep what the unit needs to handle them,
// and a later erasure blanks them once finished. So do their reception
// bookings. Messages still waiting to be sent go out as they are (the
// handlers take the name off the units' cards of petitions and bookings
// and the intake's answers first), and their copies
// are blanked as they are delivered. The copies in kept are
// left alone: they hold nothing of the person, or will once delivered
// (handlers/erasure_seal.go).
func (s *Store) EraseCitizen(ctx context.Context, c Citizen, at time.Time, kept []int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.WithdrawPhone(ctx, c.ID, at); err != nil {
			return err
		}
		_, err := tx.x.ExecContext(ctx, `
			WITH profile AS (
				UPDATE citizens SET display_name = '', erased_at = $4, updated_at = $4 WHERE id = $1
			), forms AS (
				DELETE FROM conversations WHERE channel = $2 AND user_id = $3
			), follows AS (
				DELETE FROM area_followers WHERE citizen_id = $1
			), notices AS ( -- those of the areas they no longer follow
				DELETE FROM outbox_scheduled WHERE channel = $2 AND chat_id = $5 AND NOT is_group
			), unhandled AS ( -- given up on, or shed and their notice not queued yet
				UPDATE inbox SET payload = CASE WHEN failed_at IS NOT NULL THEN '{}'::jsonb END
				WHERE channel = $2 AND (failed_at IS NOT NULL OR last_error = 'shed') AND payload IS NOT NULL
				  AND (chat_key = $2 || ':' || $5
				       OR payload #>> '{message,from,id}' = $3
				       OR payload #>> '{edited_message,from,id}' = $3
				       OR payload #>> '{callback_query,from,id}' = $3)
			)
			UPDATE outbox o SET `+blankCopy+`
			WHERE o.channel = $2 AND o.payload <> '{}' AND o.id <> ALL(coalesce($6::bigint[], '{}'))
			  AND ((o.chat_id = $5 AND NOT o.is_group)
			       OR EXISTS (SELECT FROM tickets t WHERE t.citizen_id = $1 AND `+aboutTicket+`)
			       OR EXISTS (SELECT FROM reception_bookings b WHERE b.citizen_id = $1 AND `+aboutBooking+`))`,
			c.ID, c.Channel, c.UserID, at, c.ChatID, pq.Array(kept))
		if err != nil {
			return wrap("erase citizen", err)
		}
		if _, err = tx.x.ExecContext(ctx, blankFinishedPetitions(`citizen_id = $1`), c.ID); err != nil {
			return wrap("erase finished petitions", err)
		}
		_, err = tx.x.ExecContext(ctx, blankPastBookings(`citizen_id = $1`, "$2"), c.ID, workcal.DateOf(at).String())
		return wrap("erase past bookings", err)
	})
}

// BlankErasedPetitions blanks what people who erased their data wrote on
// their petitions finished since (blankFinishedPetitions), and for their receptions
// over since: erasure leaves open ones alone so that the unit can resolve
// them.
func (s *Store) BlankErasedPetitions(ctx context.Context, today workcal.Date) error {
	const erased = `citizen_id IN (SELECT id FROM citizens WHERE erased_at IS NOT NULL)`
	// Not only those with a description left: a rating comment, a photo or
	// words sent after an earlier run blanked the petition are blanked too.
	const unblanked = ` AND (description <> '' OR address <> '' OR latitude IS NOT NULL OR rating_comment IS NOT NULL
		OR EXISTS (SELECT FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.actor_kind = 'citizen' AND e.body <> '')
		OR EXISTS (SELECT FROM ticket_attachments a WHERE a.ticket_id = tickets.id AND a.added_by = 'citizen'))`
	if _, err := s.x.ExecContext(ctx, blankFinishedPetitions(erased+unblanked)); err != nil {
		return wrap("blank erased petitions", err)
	}
	_, err := s.x.ExecContext(ctx, blankPastBookings(erased, "$1"), today.String())
	return wrap("blank erased bookings", err)
}

// blankPastBookings is the statement that blanks what a person wrote for
// their reception bookings no longer awaited (met, refused, cancelled...)
// that match the condition; a booking still awaited keeps it for the
// meeting, as an open petition does.
func blankPastBookings(people, today string) string {
	return `UPDATE reception_bookings SET subject = '' WHERE subject <> ''
		AND (status <> 'booked' OR day < ` + today + `::date - ` + unrecordedBookingDays + `) AND ` + people
}

// unrecordedBookingDays is how long after its day a reception nobody
// recorded (received, absent, refused) still waits to be: staff may
// record it late, and the follow-up ticket takes its subject. Then it is
// over, and an erased person's subject goes.
const unrecordedBookingDays = "14"

// blankFinishedPetitions is the statement that blanks what a person wrote
// on their completed or rejected petitions that match the condition, and
// on those merged into one completed or rejected: the description,
// address, location, rating comment, photos and their own timeline
// entries (migration 00015 allows only that change to the timeline). What
// statistics count and the units' answers stay. A duplicate merged into a
// petition still open is not finished: should that petition be found to
// be a denunciation, its duplicates are sealed with it (handlers/seal.go),
// which needs their words and photos to find their copies in the chats.
func blankFinishedPetitions(petitions string) string {
	return `
		WITH finished AS (
			UPDATE tickets SET description = '', address = '', latitude = NULL, longitude = NULL, rating_comment = NULL
			WHERE (status IN ('completed', 'rejected')
			       OR status = 'merged' AND merged_into IN (SELECT m.id FROM tickets m WHERE m.status IN ('completed', 'rejected')))
			  AND ` + petitions + `
			RETURNING id
		), photos AS (
			DELETE FROM ticket_attachments WHERE added_by = 'citizen' AND ticket_id IN (SELECT id FROM finished)
		)
		UPDATE ticket_events SET body = ''
		WHERE actor_kind = 'citizen' AND body <> '' AND ticket_id IN (SELECT id FROM finished)`
}

// CountTickets counts a person's petitions.
func (s *Store) CountTickets(ctx context.Context, citizenID int64) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, s.x, &n, `SELECT count(*) FROM tickets WHERE citizen_id = $1`, citizenID)
	return n, wrap("count citizen tickets", err)
}

// blankCopy blanks the copy outbox row o keeps: at once for a message
// delivered (or given up), at its delivery for one still queued, which
// goes out as it is.
const blankCopy = `payload = CASE WHEN o.status = 'pending' THEN o.payload ELSE '{}' END,
	kept_copy = CASE WHEN o.status = 'pending' THEN '{}'::jsonb END`

// namesTicket holds when outbox row o names ticket t's code. A code can
// begin a longer one (PA-2026-123456, PA-2026-1234567), so no digit may
// follow it.
const namesTicket = `strpos(o.payload::text, t.code) > 0 AND o.payload::text ~ (t.code || '([^0-9]|$)')`

// aboutTicket holds when outbox row o is about ticket t: it names its code
// or has a button for it, a card's ("o:<action>:<id>") or a list's
// ("c:<id>"). A card split in two names the ticket in its first part only;
// its last part has the buttons.
const aboutTicket = `(` + namesTicket + ` OR o.payload::text ~ ('` + ticketButton + `' || t.id || '"'))`

// aboutBooking holds when outbox row o is about reception booking b: a
// button of the staff's names it, on its card or in a list of bookings
// (handlers/reception_staff.go), or the eve's list of whom a unit
// receives quotes it ("• #<id> · 07:30 · <subject>", reception_notices.go).
const aboutBooking = `o.payload::text ~ ('"data": "t:[omafgw]:' || b.id || '[":]|• #' || b.id || ' · ')`

// ticketButton is the start of a button that names a ticket by its id, as
// it reads in a payload: a card's ("o:<action>:") or a list's ("c:").
const ticketButton = `"data": "(?:o:[a-z]+|c):`
