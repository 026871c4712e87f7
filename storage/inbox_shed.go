package storage

import (
	"context"
	"encoding/json"

	"github.com/jmoiron/sqlx"
)

// ShedUpdate is an update shed (see RecordUpdates) whose chat's notice is
// not queued yet.
type ShedUpdate struct {
	ID      int64           `db:"id"`
	Channel string          `db:"channel"`
	ChatKey string          `db:"chat_key"`
	Payload json.RawMessage `db:"payload"`
}

// TakeShed returns up to limit shed updates whose notice is not queued,
// oldest first, and drops their payload: call it inside InTx with the
// notices' queueing, so that an update stays owed its notice until one is
// queued. Updates another transaction is taking are skipped.
func (s *Store) TakeShed(ctx context.Context, limit int) ([]ShedUpdate, error) {
	var us []ShedUpdate
	err := sqlx.SelectContext(ctx, s.x, &us, `
		WITH taken AS (
			UPDATE inbox u SET payload = NULL
			FROM (
				SELECT id, payload FROM inbox
				WHERE last_error = 'shed' AND payload IS NOT NULL
				ORDER BY id LIMIT $1
				FOR UPDATE SKIP LOCKED) t
			WHERE u.id = t.id
			RETURNING t.id, u.channel, u.chat_key, t.payload
		)
		SELECT id, channel, chat_key, payload FROM taken ORDER BY id`, limit)
	return us, wrap("take shed updates", err)
}

// LanguageOf returns the language of a known person, or ErrNotFound.
func (s *Store) LanguageOf(ctx context.Context, channel, userID string) (string, error) {
	var language string
	err := sqlx.GetContext(ctx, s.x, &language, `
		SELECT language FROM citizens WHERE channel = $1 AND user_id = $2`, channel, userID)
	return language, wrap("language of", err)
}
