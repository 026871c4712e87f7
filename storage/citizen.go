package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
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
