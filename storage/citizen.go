package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Citizen is a person who writes to the bot. Officers are citizens too; their
// roles are kept separately. DisplayName and Phone are personal data.
type Citizen struct {
	ID            int64          `db:"id"`
	Channel       string         `db:"channel"`
	UserID        string         `db:"user_id"`
	ChatID        string         `db:"chat_id"`
	DisplayName   string         `db:"display_name"`
	Language      string         `db:"language"`
	Phone         sql.NullString `db:"phone"`
	UnreachableAt sql.NullTime   `db:"unreachable_at"`
	CreatedAt     time.Time      `db:"created_at"`
}

// Addressee is where to tell a citizen something: their chat, and their
// language.
type Addressee struct {
	Channel  string `db:"channel"`
	ChatID   string `db:"chat_id"`
	Language string `db:"language"`
}

const citizenColumns = `id, channel, user_id, chat_id, display_name, language, phone, unreachable_at, created_at`

// TouchCitizen records that a person wrote from a private chat and returns
// them; a new person gets the given language. Writing again makes a person
// reachable again after they had blocked the bot.
func (s *Store) TouchCitizen(ctx context.Context, channel, userID, chatID, name, language string) (Citizen, error) {
	var c Citizen
	err := sqlx.GetContext(ctx, s.x, &c, `
		INSERT INTO citizens (channel, user_id, chat_id, display_name, language)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (channel, user_id) DO UPDATE
		SET chat_id = EXCLUDED.chat_id, display_name = `+keptName+`,
		    unreachable_at = NULL, updated_at = now()
		RETURNING `+citizenColumns, channel, userID, chatID, name, language)
	return c, wrap("touch citizen", err)
}

// CitizenByID loads one citizen.
func (s *Store) CitizenByID(ctx context.Context, id int64) (Citizen, error) {
	var c Citizen
	err := sqlx.GetContext(ctx, s.x, &c, `SELECT `+citizenColumns+` FROM citizens WHERE id = $1`, id)
	return c, wrap("get citizen", err)
}

// SetCitizenLanguage stores the language a person chose with /lang.
func (s *Store) SetCitizenLanguage(ctx context.Context, id int64, language string) error {
	_, err := s.x.ExecContext(ctx, `UPDATE citizens SET language = $2, updated_at = now() WHERE id = $1`, id, language)
	return wrap("set citizen language", err)
}

// SetCitizenPhone stores a phone number the person shared, with the time of
// their consent.
func (s *Store) SetCitizenPhone(ctx context.Context, id int64, phone string, consentAt time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE citizens SET phone = $2, phone_consent_at = $3, updated_at = now() WHERE id = $1`,
		id, phone, consentAt)
	return wrap("set citizen phone", err)
}

// AccountOf returns the person behind a message in a group, creating them
// if needed without touching their private chat.
func (s *Store) AccountOf(ctx context.Context, channel, userID, name string) (Citizen, error) {
	var c Citizen
	err := sqlx.GetContext(ctx, s.x, &c, `
		INSERT INTO citizens (channel, user_id, chat_id, display_name)
		VALUES ($1, $2, $2, $3)
		ON CONFLICT (channel, user_id) DO UPDATE SET display_name = `+keptName+`
		RETURNING `+citizenColumns, channel, userID, name)
	return c, wrap("account of", err)
}

// keptName is the name an upsert stores: the one the messenger gives,
// unless the person had their name erased with /mydata.
const keptName = `CASE WHEN citizens.erased_at IS NULL THEN EXCLUDED.display_name ELSE '' END`

// NoticeAudience is whom a notice to many people (danvan admin notify) is
// for: with IDs those citizens; with UnitID those who filed or co-signed a
// ticket of that unit or of a unit below it, or booked one's reception;
// with neither everyone. Since, unless zero, keeps only those with such a
// ticket or booking (any, for everyone) created at or after it; it does
// not apply to IDs.
type NoticeAudience struct {
	UnitID int64
	IDs    []int64
	Since  time.Time
}

// NoticeRecipient is a person a notice is for.
type NoticeRecipient struct {
	Citizen
	// Denouncer: the person sent a tố cáo (now or before), whom a message
	// may expose to whoever shares their phone (law.md §5).
	Denouncer bool `db:"denouncer"`
	// Told: the outbox already holds the notice for them (a message with
	// the key prefix and their id), from an earlier run.
	Told bool `db:"told"`
}

// NoticeRecipients lists the people of an audience, by id, those who
// blocked the bot (UnreachableAt) and those who erased their data
// included; keyPrefix is the notice's dedupe key before the citizen's id.
// Staff are citizens too, and so are accounts seen only in a group: the
// schema does not tell them apart (Telegram refuses a message to one who
// never wrote to the bot, and the sender then marks them unreachable).
func (s *Store) NoticeRecipients(ctx context.Context, a NoticeAudience, keyPrefix string) ([]NoticeRecipient, error) {
	query := `
		SELECT ` + citizenColumns + `,
		       EXISTS (SELECT FROM tickets t WHERE t.citizen_id = c.id AND (t.kind = 'to_cao' OR t.was_denunciation)) AS denouncer,
		       EXISTS (SELECT FROM outbox o WHERE o.dedupe_key = $1 || c.id) AS told
		FROM citizens c`
	args := []any{keyPrefix}
	switch {
	case a.IDs != nil:
		query += ` WHERE c.id = ANY ($2::bigint[])`
		args = append(args, pq.Array(a.IDs))
	case a.UnitID != 0 || !a.Since.IsZero():
		// UNION (not UNION ALL) stops on a cycle, as in UnitSubtree.
		query = `
		WITH RECURSIVE subtree (id) AS (
			SELECT id FROM units WHERE id = $2
			UNION
			SELECT u.id FROM units u JOIN subtree t ON u.parent_id = t.id
		), theirs AS (
			SELECT id, citizen_id FROM tickets
			WHERE created_at >= $3 AND ($2 = 0 OR unit_id IN (SELECT id FROM subtree))
		)` + query + `
		WHERE c.id IN (SELECT citizen_id FROM theirs
		               UNION SELECT k.citizen_id FROM ticket_cosigners k JOIN theirs t ON t.id = k.ticket_id
		               UNION SELECT b.citizen_id FROM reception_bookings b
		               WHERE b.created_at >= $3 AND ($2 = 0 OR b.unit_id IN (SELECT id FROM subtree)))`
		args = append(args, a.UnitID, a.Since)
	}
	var rs []NoticeRecipient
	err := sqlx.SelectContext(ctx, s.x, &rs, query+` ORDER BY c.id`, args...)
	return rs, wrap("notice recipients", err)
}
